import { describe, expect, it } from 'vitest';
import type { types } from '@slack/bolt';
import { controlButton, mrkdwn, renderReply, safeUrl, titleLink, type SlackMessage } from '../../adapters/slack/render';
import type { Block, Reply } from '../../src/chat/reply';
import type { Paper } from '../../src/model/paper';
import { other, paper } from './render-papers';

/**
 * What a Slack user sees of each kind of reply, exactly: the Block Kit blocks in order, the
 * notification text, the buttons and the Save menu, and each of Slack's limits just under, at and
 * over (section text 3000, 50 blocks, header 150, 10 fields, button and option text 75, ...).
 */

function reply(blocks: Block[], over: Partial<Reply> = {}): Reply {
  return { blocks, visibility: 'public', fallback: 'fallback', ...over };
}

const P = paper();
const O = other();

/** A paper with no links, no byline, no image. */
function bare(over: Partial<Paper> = {}): Paper {
  return paper({ arxivId: null, url: null, pdfUrl: null, githubUrl: null, thumbnailUrl: null, authors: [], authorCount: null, ...over });
}

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
const context = (text: string) => ({ type: 'context', elements: [{ type: 'mrkdwn', text }] });
const control = (action: string, text: string, id = '2510.11696') => ({
  type: 'button',
  action_id: `p1:${action}:${id}`,
  text: { type: 'plain_text', text, emoji: true },
  value: id,
});
const link = (label: string, url: string, id = '2510.11696') => ({
  type: 'button',
  action_id: `papers_open_${label.toLowerCase()}_${id}`,
  text: { type: 'plain_text', text: label },
  url,
});

/** The mrkdwn text of every section, in order. */
function sectionTexts(msg: SlackMessage): string[] {
  return msg.blocks.flatMap((b) => (b.type === 'section' && b.text ? [b.text.text] : []));
}

describe('Slack render: each block kind, exactly', () => {
  it('shows a paper as a section (linked title, upvotes · published · byline, abstract, thumbnail), its buttons then PDF and Code, and the reason', () => {
    expect(renderReply(reply([{ kind: 'paper', paper: P, reason: 'most upvoted', controls: ['save', 'similar', 'abstract', 'discuss'] }]))).toEqual({
      text: 'fallback',
      blocks: [
        {
          ...section('*<https://huggingface.co/papers/2510.11696|QeRL: Beyond Efficiency>*\n▲ 75 · 2025-10-13 · Ada Lovelace, Alan Turing\nWe propose QeRL.'),
          accessory: { type: 'image', image_url: 'https://cdn.example/qerl.png', alt_text: 'QeRL: Beyond Efficiency' },
        },
        {
          type: 'actions',
          elements: [
            control('save', '🔖 Save'),
            control('similar', '🔎 Similar'),
            control('abstract', '📄 Abstract'),
            control('discuss', '💬 Discuss'),
            link('PDF', 'https://arxiv.org/pdf/2510.11696v2'),
            link('Code', 'https://github.com/a/qerl'),
          ],
        },
        context('most upvoted'),
      ],
    });
  });

  it('shows a ranked list under a header: a section per paper (rank before the title), link buttons, reasons, and the Save menu last', () => {
    const withAi = paper({ aiSummary: 'In short:\nQeRL <quantizes>.' });
    expect(
      renderReply(
        reply(
          [
            { kind: 'text', text: 'Daily Papers & more' },
            {
              kind: 'papers',
              items: [
                { rank: 1, paper: withAi, reason: 'most upvoted' },
                { rank: 2, paper: O, reason: '' },
              ],
              picker: 'save',
            },
          ],
          { fallback: 'Daily <Papers>' },
        ),
      ),
    ).toEqual({
      text: 'Daily &lt;Papers&gt;',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'Daily Papers & more', emoji: true } },
        {
          ...section(
            '*1. <https://huggingface.co/papers/2510.11696|QeRL: Beyond Efficiency>*\n▲ 75 · 2025-10-13 · Ada Lovelace, Alan Turing\nIn short: QeRL &lt;quantizes&gt;.',
          ),
          accessory: { type: 'image', image_url: 'https://cdn.example/qerl.png', alt_text: 'QeRL: Beyond Efficiency' },
        },
        { type: 'actions', elements: [link('PDF', 'https://arxiv.org/pdf/2510.11696v2'), link('Code', 'https://github.com/a/qerl')] },
        context('most upvoted'),
        section('*2. Diffusion Transformers*\n▲ 9 · 2025-10-12 · NYU\nRepresentation autoencoders.'),
        {
          type: 'actions',
          elements: [
            {
              type: 'static_select',
              action_id: 'p1:save',
              placeholder: { type: 'plain_text', text: '🔖 Save one of these…', emoji: true },
              options: [
                { text: { type: 'plain_text', text: '1. QeRL: Beyond Efficiency', emoji: true }, value: '2510.11696' },
                { text: { type: 'plain_text', text: '2. Diffusion Transformers', emoji: true }, value: '2510.11690' },
              ],
            },
          ],
        },
      ],
    });
  });

  it('shows an abstract: the linked title, the AI summary, the abstract in sections, and every link', () => {
    expect(renderReply(reply([{ kind: 'abstract', paper: paper({ aiSummary: 'A & B', githubUrl: 'https://github.com/a/b?x=1&y=2' }) }])).blocks).toEqual([
      section('*<https://huggingface.co/papers/2510.11696|QeRL: Beyond Efficiency>*'),
      section('*AI summary*\nA &amp; B'),
      section('We propose QeRL.'),
      context(
        '<https://huggingface.co/papers/2510.11696|Hugging Face> · <https://arxiv.org/abs/2510.11696|arXiv> · <https://arxiv.org/pdf/2510.11696v2|PDF> · <https://github.com/a/b?x=1&amp;y=2|Code>',
      ),
    ]);
    expect(renderReply(reply([{ kind: 'abstract', paper: bare({ summary: '\n' }) }])).blocks).toEqual([
      section('*QeRL: Beyond Efficiency*'),
      section('(no abstract)'),
    ]);
  });

  it('shows fields as one section of fields, label bold above value, in order', () => {
    expect(
      renderReply(
        reply([
          {
            kind: 'fields',
            fields: [
              { label: 'Time', value: '09:00 <Berlin>' },
              { label: 'Top', value: '5' },
            ],
          },
        ]),
      ).blocks,
    ).toEqual([
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: '*Time*\n09:00 &lt;Berlin&gt;' },
          { type: 'mrkdwn', text: '*Top*\n5' },
        ],
      },
    ]);
  });

  it('shows a file as its name in a context and its content, escaped, in a code block', () => {
    expect(renderReply(reply([{ kind: 'file', name: 'a<b>.bib', mime: 'text/x-bibtex', content: '@a{x,\n t={A & B}}' }])).blocks).toEqual([
      context('a&lt;b&gt;.bib'),
      section('```@a{x,\n t={A &amp; B}}```'),
    ]);
  });

  it('shows text as sections, escaped, and empty text as one blank section', () => {
    expect(renderReply(reply([{ kind: 'text', text: 'a <@U1> & b' }])).blocks).toEqual([section('a &lt;@U1&gt; &amp; b')]);
    expect(renderReply(reply([{ kind: 'text', text: '' }])).blocks).toEqual([section(' ')]);
  });

  it('renders a Reply once: the same object gives the same message', () => {
    const r = reply([{ kind: 'text', text: 'x' }]);
    expect(renderReply(r)).toBe(renderReply(r));
  });
});

describe('Slack render: paper details', () => {
  const mainOf = (p: Paper, rank?: number) =>
    (
      renderReply(reply([rank === undefined ? { kind: 'paper', paper: p } : { kind: 'papers', items: [{ rank, paper: p, reason: '' }] }]))
        .blocks[0] as types.SectionBlock
    ).text!.text;

  it('leaves out a missing byline and an empty abstract rather than leaving empty parts', () => {
    expect(mainOf(bare({ summary: '' }))).toBe('*QeRL: Beyond Efficiency*\n▲ 75 · 2025-10-13');
    expect(mainOf(bare({ authors: ['A', 'B', 'C', 'D'] }))).toBe('*QeRL: Beyond Efficiency*\n▲ 75 · 2025-10-13 · A, B, C et al.\nWe propose QeRL.');
  });

  it('cuts the abstract to 1200 characters for one paper and 280 in a list', () => {
    expect(mainOf(bare({ summary: 'y'.repeat(1200) }))).toBe(`*QeRL: Beyond Efficiency*\n▲ 75 · 2025-10-13\n${'y'.repeat(1200)}`);
    expect(mainOf(bare({ summary: 'y'.repeat(1201) }))).toBe(`*QeRL: Beyond Efficiency*\n▲ 75 · 2025-10-13\n${'y'.repeat(1199)}…`);
    expect(mainOf(bare({ summary: 'y'.repeat(280) }), 1)).toBe(`*1. QeRL: Beyond Efficiency*\n▲ 75 · 2025-10-13\n${'y'.repeat(280)}`);
    expect(mainOf(bare({ summary: 'y'.repeat(281) }), 1)).toBe(`*1. QeRL: Beyond Efficiency*\n▲ 75 · 2025-10-13\n${'y'.repeat(279)}…`);
  });

  it('cuts the meta line to 400 and the title to 500 characters, counting escapes', () => {
    expect(mainOf(bare({ organization: 'o'.repeat(400), summary: '' }))).toBe(
      `*QeRL: Beyond Efficiency*\n${`▲ 75 · 2025-10-13 · ${'o'.repeat(400)}`.slice(0, 399)}…`,
    );
    expect(titleLink(bare({ title: 't'.repeat(500) }))).toBe(`*${'t'.repeat(500)}*`);
    expect(titleLink(bare({ title: 't'.repeat(501) }))).toBe(`*${'t'.repeat(499)}…*`);
    // 200 `&` are 1000 characters escaped: cut again until the escaped form fits, keeping as many as fit
    // (99 and the …), not collapsing to a bare ….
    expect(titleLink(bare({ title: '&'.repeat(200) }))).toBe(`*${'&amp;'.repeat(99)}…*`);
  });

  it('gives the thumbnail the title as alt text, cut to 200 characters', () => {
    const main = renderReply(reply([{ kind: 'paper', paper: paper({ title: `${'a'.repeat(201)}` }) }])).blocks[0] as types.SectionBlock;
    expect(main.accessory).toEqual({ type: 'image', image_url: 'https://cdn.example/qerl.png', alt_text: `${'a'.repeat(199)}…` });
  });

  it('shows PDF and Code buttons only for http(s) URLs of at most 1000 characters, `|` encoded', () => {
    const pdf = `https://x.example/${'p'.repeat(1000 - 'https://x.example/'.length)}`;
    expect(safeUrl(pdf)).toBe(pdf);
    expect(safeUrl(`${pdf}p`)).toBeNull();
    expect(safeUrl('https://x.example/a|b')).toBe('https://x.example/a%7Cb');
    expect(safeUrl('javascript:alert(1)')).toBeNull();
    expect(safeUrl(null)).toBeNull();
    const blocks = renderReply(reply([{ kind: 'paper', paper: bare({ pdfUrl: `${pdf}p`, githubUrl: 'ftp://x.example/code' }) }])).blocks;
    expect(blocks.map((b) => b.type)).toEqual(['section']);
    const onlyCode = renderReply(reply([{ kind: 'paper', paper: bare({ githubUrl: 'https://x.example/a|b' }) }])).blocks[1];
    expect(onlyCode).toEqual({ type: 'actions', elements: [link('Code', 'https://x.example/a%7Cb')] });
  });

  it('cuts a link button action_id to 255 characters', () => {
    const id = 'i'.repeat(250);
    const actions = renderReply(reply([{ kind: 'paper', paper: bare({ id, pdfUrl: 'https://x.example/p' }) }])).blocks[1] as types.ActionsBlock;
    expect((actions.elements[0] as types.Button).action_id).toBe(`papers_open_pdf_${id}`.slice(0, 255));
    expect((actions.elements[0] as types.Button).action_id).toHaveLength(255);
  });

  it('escapes a link title, and `&` in the URL of a title link', () => {
    expect(titleLink(paper({ title: 'A <b> & c', url: 'https://x.example/?a=1&b=2' }), 3)).toBe('*3. <https://x.example/?a=1&amp;b=2|A &lt;b&gt; &amp; c>*');
  });

  it('shows buttons only for the paper the controls belong to', () => {
    // Two papers: a picker, not buttons, and no per-paper buttons on either.
    const msg = renderReply(
      reply([
        { kind: 'paper', paper: bare(), controls: ['save', 'similar'] },
        { kind: 'paper', paper: bare({ id: 'b' }), controls: ['save'] },
      ]),
    );
    expect(msg.blocks.map((b) => b.type)).toEqual(['section', 'section', 'actions']);
    expect((msg.blocks[2] as types.ActionsBlock).elements[0]!.type).toBe('static_select');
  });
});

describe("Slack render: Slack's limits", () => {
  it('splits text into sections of at most 3000 characters at line breaks, never inside an entity', () => {
    const lines = `${'a'.repeat(1999)}\n${'b'.repeat(1000)}`;
    expect(sectionTexts(renderReply(reply([{ kind: 'text', text: lines }])))).toEqual([lines]);
    const over = `${'a'.repeat(2000)}\n${'b'.repeat(1000)}`;
    expect(sectionTexts(renderReply(reply([{ kind: 'text', text: over }])))).toEqual([`${'a'.repeat(2000)}\n`, 'b'.repeat(1000)]);
    expect(sectionTexts(renderReply(reply([{ kind: 'text', text: 'x'.repeat(3001) }])))).toEqual(['x'.repeat(3000), 'x']);
    expect(sectionTexts(renderReply(reply([{ kind: 'text', text: '&'.repeat(1000) }])))).toEqual(['&amp;'.repeat(600), '&amp;'.repeat(400)]);
    // A long line after a short one: the short one is its own piece, the long one split by characters.
    expect(sectionTexts(renderReply(reply([{ kind: 'text', text: `hi\n${'z'.repeat(3001)}\nend` }])))).toEqual(['hi\n', 'z'.repeat(3000), 'z\nend']);
  });

  it('splits a file into code blocks of at most 2994 characters, so each with its fences fits 3000', () => {
    const texts = sectionTexts(renderReply(reply([{ kind: 'file', name: 'f', mime: 'text/plain', content: 'c'.repeat(2995) }])));
    expect(texts).toEqual([`\`\`\`${'c'.repeat(2994)}\`\`\``, '```c```']);
    const name = renderReply(reply([{ kind: 'file', name: 'n'.repeat(201), mime: 'text/plain', content: '' }])).blocks;
    expect(name).toEqual([context(`${'n'.repeat(199)}…`), section('``` ```')]);
  });

  it('shows a short first line above papers as a header: at most 150 characters and one line, else a section', () => {
    const first = (text: string, rest: Block[] = [{ kind: 'paper', paper: bare() }]) => renderReply(reply([{ kind: 'text', text }, ...rest])).blocks[0];
    expect(first('h'.repeat(150))).toEqual({ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(150), emoji: true } });
    expect(first('h'.repeat(151))).toEqual(section('h'.repeat(151)));
    expect(first('two\nlines')).toEqual(section('two\nlines'));
    expect(first('Top', [{ kind: 'papers', items: [{ rank: 1, paper: bare(), reason: '' }] }])!.type).toBe('header');
    expect(first('No papers', [{ kind: 'text', text: 'more' }])).toEqual(section('No papers'));
    expect(
      renderReply(
        reply([
          { kind: 'paper', paper: bare() },
          { kind: 'text', text: 'After' },
        ]),
      ).blocks.at(-1),
    ).toEqual(section('After'));
  });

  it('keeps to 50 blocks: 50 as they are, more cut to 49 and a note of how many did not fit', () => {
    const texts = (n: number): Block[] => Array.from({ length: n }, (_, i) => ({ kind: 'text', text: `t${i}` }));
    expect(renderReply(reply(texts(50))).blocks).toEqual(texts(50).map((b) => section((b as { text: string }).text)));
    const cut = renderReply(reply(texts(52))).blocks;
    expect(cut).toHaveLength(50);
    expect(cut.slice(0, 49)).toEqual(texts(49).map((b) => section((b as { text: string }).text)));
    expect(cut[49]).toEqual(context('…3 more blocks did not fit in one Slack message.'));
  });

  it('keeps the Save menu last within the 50 blocks when a list is cut', () => {
    // A list of 30 bare papers with a reason: two blocks each, 60 in all, plus the menu.
    const items = Array.from({ length: 30 }, (_, i) => ({ rank: i + 1, paper: bare({ id: `id${i}`, title: `P${i}` }), reason: 'r' }));
    const blocks = renderReply(reply([{ kind: 'papers', items, picker: 'save' }])).blocks;
    expect(blocks).toHaveLength(50);
    expect(blocks[46]).toEqual(section('*24. P23*\n▲ 75 · 2025-10-13\nWe propose QeRL.'));
    expect(blocks[47]).toEqual(context('r'));
    expect(blocks[48]).toEqual(context('…12 more blocks did not fit in one Slack message.'));
    expect(blocks[49]!.type).toBe('actions');
    const exactly = Array.from({ length: 24 }, (_, i) => ({ rank: i + 1, paper: bare({ id: `id${i}`, title: `P${i}` }), reason: 'r' }));
    const full = renderReply(
      reply([
        { kind: 'text', text: 'Top' },
        { kind: 'papers', items: exactly, picker: 'save' },
      ]),
    ).blocks;
    expect(full).toHaveLength(50);
    expect(full[48]).toEqual(context('r'));
  });

  it('shows at most 10 fields, labels cut to 100 and values to 1890 characters', () => {
    const fields = Array.from({ length: 11 }, (_, i) => ({ label: `l${i}`, value: `v${i}` }));
    const shown = (renderReply(reply([{ kind: 'fields', fields }])).blocks[0] as types.SectionBlock).fields!;
    expect(shown.map((f) => f.text)).toEqual(fields.slice(0, 10).map((f) => `*${f.label}*\n${f.value}`));
    const one = (label: string, value: string) =>
      (renderReply(reply([{ kind: 'fields', fields: [{ label, value }] }])).blocks[0] as types.SectionBlock).fields![0]!.text;
    expect(one('l'.repeat(100), 'v'.repeat(1890))).toBe(`*${'l'.repeat(100)}*\n${'v'.repeat(1890)}`);
    expect(one('l'.repeat(101), 'v'.repeat(1891))).toBe(`*${'l'.repeat(99)}…*\n${'v'.repeat(1889)}…`);
  });

  it('cuts the AI summary of an abstract to 2980 characters and a reason to 3000', () => {
    const ai = renderReply(reply([{ kind: 'abstract', paper: bare({ aiSummary: 's'.repeat(2981) }) }])).blocks[1];
    expect(ai).toEqual(section(`*AI summary*\n${'s'.repeat(2979)}…`));
    const ok = renderReply(reply([{ kind: 'abstract', paper: bare({ aiSummary: 's'.repeat(2980) }) }])).blocks[1];
    expect(ok).toEqual(section(`*AI summary*\n${'s'.repeat(2980)}`));
    const reason = renderReply(reply([{ kind: 'paper', paper: bare(), reason: 'r'.repeat(3001) }])).blocks.at(-1);
    expect(reason).toEqual(context(`${'r'.repeat(2999)}…`));
  });

  it('cuts the notification text to 3000 characters, escaped', () => {
    expect(renderReply(reply([], { fallback: 'f'.repeat(3000) })).text).toBe('f'.repeat(3000));
    expect(renderReply(reply([], { fallback: 'f'.repeat(3001) })).text).toBe(`${'f'.repeat(2999)}…`);
    expect(mrkdwn('&'.repeat(600), 3000)).toBe('&amp;'.repeat(600));
    expect(mrkdwn('&'.repeat(601), 3000)).toBe(`${'&amp;'.repeat(599)}…`);
  });

  it('cuts button text to 75 characters, and draws no button for an id too long to carry', () => {
    expect(controlButton('save', 'id', 'b'.repeat(75))).toEqual({
      type: 'button',
      action_id: 'p1:save:id',
      text: { type: 'plain_text', text: 'b'.repeat(75), emoji: true },
      value: 'id',
    });
    expect(controlButton('remove', 'id', 'b'.repeat(76))!.text.text).toBe(`${'b'.repeat(74)}…`);
    expect(controlButton('save', 'x'.repeat(81), 'Save')).toBeNull();
    expect(renderReply(reply([{ kind: 'paper', paper: bare({ id: 'x'.repeat(81) }), controls: ['save'] }])).blocks.map((b) => b.type)).toEqual(['section']);
  });

  it('offers at most 100 menu options, their text on one line and cut to 75, skipping papers whose id is too long', () => {
    const items = Array.from({ length: 101 }, (_, i) => ({ rank: i + 1, paper: bare({ id: `id${i}`, title: `P${i}`, summary: '' }), reason: '' }));
    const menu = (r: Reply) => {
      const blocks = renderReply(r).blocks;
      const last = blocks.at(-1) as types.ActionsBlock;
      return (last.elements[0] as types.StaticSelect).options!;
    };
    expect(menu(reply([{ kind: 'papers', items, picker: 'save' }])).map((o) => o.value)).toEqual(items.slice(0, 100).map((i) => i.paper.id));
    const texts = menu(
      reply([
        {
          kind: 'papers',
          items: [
            { rank: 1, paper: bare({ id: 'x'.repeat(81), title: 'Long id' }), reason: '' },
            { rank: 2, paper: bare({ id: 'a', title: `Two\n  lines ${'w'.repeat(80)}` }), reason: '' },
            { rank: 3, paper: bare({ id: 'b', title: 'z'.repeat(72) }), reason: '' },
          ],
          picker: 'save',
        },
      ]),
    ).map((o) => [o.text.text, o.value]);
    expect(texts).toEqual([
      [`2. Two lines ${'w'.repeat(61)}…`, 'a'],
      [`3. ${'z'.repeat(72)}`, 'b'],
    ]);
    const none = renderReply(
      reply([
        {
          kind: 'papers',
          items: [
            { rank: 1, paper: bare({ id: 'x'.repeat(81) }), reason: '' },
            { rank: 2, paper: bare({ id: 'y'.repeat(81) }), reason: '' },
          ],
          picker: 'save',
        },
      ]),
    ).blocks;
    expect(none.map((b) => b.type)).toEqual(['section', 'section']);
  });
});

describe('Slack render: headers among other blocks', () => {
  it('takes a short first line as the header when any later block shows papers, text after them included', () => {
    expect(
      renderReply(
        reply([
          { kind: 'text', text: 'Top' },
          { kind: 'fields', fields: [] },
          { kind: 'paper', paper: bare({ summary: '' }) },
          { kind: 'text', text: 'end' },
        ]),
      ).blocks,
    ).toEqual([
      { type: 'header', text: { type: 'plain_text', text: 'Top', emoji: true } },
      { type: 'section', fields: [] },
      section('*QeRL: Beyond Efficiency*\n▲ 75 · 2025-10-13'),
      section('end'),
    ]);
  });
});

describe('Slack render: abstract links', () => {
  it('leaves out of an abstract the links that are not http(s), keeping the others', () => {
    expect(renderReply(reply([{ kind: 'abstract', paper: bare({ url: 'https://x.example/p', githubUrl: 'javascript:alert(1)' }) }])).blocks).toEqual([
      section('*<https://x.example/p|QeRL: Beyond Efficiency>*'),
      section('We propose QeRL.'),
      context('<https://x.example/p|Hugging Face>'),
    ]);
  });
});
