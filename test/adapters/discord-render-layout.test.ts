import { describe, expect, it } from 'vitest';
import { renderReply, threadName, toMessageOptions, toRestBody, withoutDiscuss, type DiscordMessage } from '../../adapters/discord/render';
import type { Block, Reply } from '../../src/chat/reply';
import type { Paper } from '../../src/model/paper';
import { other, paper } from './render-papers';

/**
 * What a Discord user sees of each kind of reply, exactly: content, embeds (field by field),
 * files, buttons and menus, and each of Discord's limits just under, at and over. Discord's
 * component and style numbers are spelled out (ActionRow 1, Button 2, StringSelect 3, Secondary 2):
 * they are what the API receives.
 */

const ORANGE = 0xff9d00;

function reply(blocks: Block[], over: Partial<Reply> = {}): Reply {
  return { blocks, visibility: 'public', fallback: 'fallback', ...over };
}

const P = paper();
const O = other();
const P_LINKS =
  '[Hugging Face](https://huggingface.co/papers/2510.11696) · [arXiv](https://arxiv.org/abs/2510.11696) · [PDF](https://arxiv.org/pdf/2510.11696v2) · [Code](https://github.com/a/qerl)';
const O_LINKS =
  '[Hugging Face](https://huggingface.co/papers/2510.11690) · [arXiv](https://arxiv.org/abs/2510.11690) · [PDF](https://arxiv.org/pdf/2510.11690)';

function button(action: string, label: string, emoji: string, id = '2510.11696') {
  return { type: 2, style: 2, custom_id: `p1:${action}:${id}`, label, emoji: { name: emoji } };
}

/** A paper with no links, no byline, no image: an embed of its title and description only. */
function bare(over: Partial<Paper> = {}): Paper {
  return paper({ arxivId: null, url: null, pdfUrl: null, githubUrl: null, thumbnailUrl: null, authors: [], authorCount: null, ...over });
}

function embedTotal(msg: DiscordMessage): number {
  return msg.embeds.reduce(
    (n, e) =>
      n +
      (e.title?.length ?? 0) +
      (e.description?.length ?? 0) +
      (e.author?.name.length ?? 0) +
      (e.footer?.text.length ?? 0) +
      (e.fields ?? []).reduce((m, f) => m + f.name.length + f.value.length, 0),
    0,
  );
}

describe('Discord render: each block kind, exactly', () => {
  it('shows a paper in full as one embed (meta, abstract, links; byline as author, reason as footer, thumbnail as image) with its four buttons', () => {
    expect(renderReply(reply([{ kind: 'paper', paper: P, reason: 'most upvoted', controls: ['save', 'similar', 'abstract', 'discuss'] }]))).toEqual({
      content: undefined,
      embeds: [
        {
          title: 'QeRL: Beyond Efficiency',
          url: 'https://huggingface.co/papers/2510.11696',
          description: `▲ 75 · 2025-10-14\nWe propose QeRL.\n${P_LINKS}`,
          color: ORANGE,
          author: { name: 'Ada Lovelace, Alan Turing' },
          footer: { text: 'most upvoted' },
          image: { url: 'https://cdn.example/qerl.png' },
        },
      ],
      files: [],
      components: [
        {
          type: 1,
          components: [
            button('save', 'Save', '🔖'),
            button('similar', 'Similar', '🔎'),
            button('abstract', 'Abstract', '📄'),
            button('discuss', 'Discuss', '💬'),
          ],
        },
      ],
      ephemeral: false,
    });
  });

  it('shows a ranked list as one embed per paper (rank before the title, AI summary over the abstract, thumbnail small) and a Save menu in list order', () => {
    const withAi = paper({ aiSummary: 'In short:  QeRL\nquantizes.' });
    const msg = renderReply(
      reply([
        { kind: 'text', text: 'Daily Papers' },
        {
          kind: 'papers',
          items: [
            { rank: 1, paper: withAi, reason: 'most upvoted' },
            { rank: 2, paper: O, reason: 'matches rl' },
          ],
          picker: 'save',
        },
      ]),
    );
    expect(msg).toEqual({
      content: 'Daily Papers',
      embeds: [
        {
          title: '1\\. QeRL: Beyond Efficiency',
          url: 'https://huggingface.co/papers/2510.11696',
          description: `▲ 75 · 2025-10-14\nIn short: QeRL quantizes.\n${P_LINKS}`,
          color: ORANGE,
          author: { name: 'Ada Lovelace, Alan Turing' },
          footer: { text: 'most upvoted' },
          thumbnail: { url: 'https://cdn.example/qerl.png' },
        },
        {
          title: '2\\. Diffusion Transformers',
          url: 'https://arxiv.org/abs/2510.11690',
          description: `▲ 9 · 2025-10-12\nRepresentation autoencoders.\n${O_LINKS}`,
          color: ORANGE,
          author: { name: 'NYU' },
          footer: { text: 'matches rl' },
        },
      ],
      files: [],
      components: [
        {
          type: 1,
          components: [
            {
              type: 3,
              custom_id: 'p1:save',
              placeholder: '🔖 Save one of these papers…',
              min_values: 1,
              max_values: 1,
              options: [
                { label: '1. QeRL: Beyond Efficiency', value: '2510.11696' },
                { label: '2. Diffusion Transformers', value: '2510.11690' },
              ],
            },
          ],
        },
      ],
      ephemeral: false,
    });
  });

  it('shows a list without a picker with no components, and a paper with neither url nor arXiv id with no link', () => {
    const msg = renderReply(reply([{ kind: 'papers', items: [{ rank: 3, paper: bare(), reason: '' }] }]));
    expect(msg.components).toEqual([]);
    expect(msg.embeds).toEqual([{ title: '3\\. QeRL: Beyond Efficiency', description: '▲ 75 · 2025-10-14\nWe propose QeRL.', color: ORANGE }]);
  });

  it('shows an abstract as its full text then its links, the AI summary as a field, and "(no abstract)" when there is none', () => {
    const long = 'word '.repeat(300).trim();
    expect(renderReply(reply([{ kind: 'abstract', paper: paper({ summary: long, aiSummary: 'Short *take*.' }) }])).embeds).toEqual([
      {
        title: 'QeRL: Beyond Efficiency',
        url: 'https://huggingface.co/papers/2510.11696',
        description: `${long}\n\n${P_LINKS}`,
        color: ORANGE,
        fields: [{ name: 'AI summary', value: 'Short \\*take\\*.' }],
      },
    ]);
    expect(renderReply(reply([{ kind: 'abstract', paper: bare({ summary: ' \n ' }) }])).embeds).toEqual([
      { title: 'QeRL: Beyond Efficiency', description: '(no abstract)', color: ORANGE },
    ]);
    expect(renderReply(reply([{ kind: 'abstract', paper: other() }])).embeds[0]).toMatchObject({ url: 'https://arxiv.org/abs/2510.11690' });
  });

  it('shows fields as one embed of name/value pairs in order, escaped, an empty one as a zero-width space', () => {
    expect(
      renderReply(
        reply([
          {
            kind: 'fields',
            fields: [
              { label: 'Time', value: '09:00 *Berlin*' },
              { label: '', value: '' },
              { label: 'Top', value: '5' },
            ],
          },
        ]),
      ),
    ).toEqual({
      content: undefined,
      embeds: [
        {
          color: ORANGE,
          fields: [
            { name: 'Time', value: '09:00 \\*Berlin\\*' },
            { name: '\u200b', value: '\u200b' },
            { name: 'Top', value: '5' },
          ],
        },
      ],
      files: [],
      components: [],
      ephemeral: false,
    });
  });

  it('sends a file as an attachment with its name and UTF-8 bytes, and no content', () => {
    expect(renderReply(reply([{ kind: 'file', name: 'bookmarks.bib', mime: 'text/x-bibtex', content: '@article{é}' }], { visibility: 'private' }))).toEqual({
      content: undefined,
      embeds: [],
      files: [{ name: 'bookmarks.bib', data: Buffer.from('@article{é}', 'utf8') }],
      components: [],
      ephemeral: true,
    });
  });

  it('joins text blocks with a blank line, escaped, as the content', () => {
    expect(
      renderReply(
        reply([
          { kind: 'text', text: 'one *two*' },
          { kind: 'text', text: '# three' },
        ]),
      ).content,
    ).toBe('one \\*two\\*\n\n\\# three');
  });

  it('says the fallback, escaped, for a reply with nothing to show, and "(nothing to show)" without one', () => {
    expect(renderReply(reply([], { fallback: '_nothing_ new' })).content).toBe('\\_nothing\\_ new');
    expect(renderReply(reply([], { fallback: '' })).content).toBe('(nothing to show)');
    expect(renderReply(reply([{ kind: 'text', text: '' }], { fallback: 'said instead' })).content).toBe('said instead');
    // A file is something to show: no fallback beside it.
    expect(renderReply(reply([{ kind: 'file', name: 'a.txt', mime: 'text/plain', content: 'a' }])).content).toBeUndefined();
    expect(renderReply(reply([{ kind: 'fields', fields: [] }])).content).toBeUndefined();
  });

  it('renders a Reply once: the same object gives the same message', () => {
    const r = reply([{ kind: 'text', text: 'x' }]);
    expect(renderReply(r)).toBe(renderReply(r));
  });
});

describe('Discord render: fields of a paper', () => {
  const embedOf = (p: Paper, full = true) =>
    renderReply(reply([full ? { kind: 'paper', paper: p } : { kind: 'papers', items: [{ rank: 1, paper: p, reason: '' }] }])).embeds[0]!;

  it('dates a paper by the day it was listed, else by its publication date', () => {
    expect(embedOf(bare({ listedOn: null })).description).toBe('▲ 75 · 2025-10-13\nWe propose QeRL.');
  });

  it('names at most three authors then "et al.", the author count without names, and the organization before both', () => {
    expect(embedOf(bare({ authors: ['A', 'B', 'C', 'D'] })).author).toEqual({ name: 'A, B, C et al.' });
    expect(embedOf(bare({ authorCount: 12 })).author).toEqual({ name: '12 authors' });
    expect(embedOf(bare({ authors: ['A'], organization: 'Org' })).author).toEqual({ name: 'Org' });
    expect(embedOf(bare({ organization: 'Big\n  Lab' })).author).toEqual({ name: 'Big Lab' });
    expect(embedOf(bare({ organization: 'O'.repeat(256) })).author).toEqual({ name: 'O'.repeat(256) });
    expect(embedOf(bare({ organization: 'O'.repeat(257) })).author).toEqual({ name: `${'O'.repeat(255)}…` });
  });

  it('cuts a reason to the footer limit (2048) on one line, and omits an empty one', () => {
    expect(embedOf(bare(), true).footer).toBeUndefined();
    const e = renderReply(reply([{ kind: 'paper', paper: bare(), reason: 'r'.repeat(2048) }])).embeds[0]!;
    expect(e.footer!.text).toBe('r'.repeat(2048));
    const cut = renderReply(reply([{ kind: 'paper', paper: bare(), reason: `a\nb ${'r'.repeat(2047)}` }])).embeds[0]!;
    expect(cut.footer!.text).toBe(`a b ${'r'.repeat(2043)}…`);
  });

  it('cuts the abstract to 900 characters in full and 220 in a list', () => {
    const p = bare({ summary: 'y'.repeat(901) });
    expect(embedOf(p).description).toBe(`▲ 75 · 2025-10-14\n${'y'.repeat(899)}…`);
    expect(embedOf(bare({ summary: 'y'.repeat(900) })).description).toBe(`▲ 75 · 2025-10-14\n${'y'.repeat(900)}`);
    expect(embedOf(bare({ summary: 'y'.repeat(221) }), false).description).toBe(`▲ 75 · 2025-10-14\n${'y'.repeat(219)}…`);
    expect(embedOf(bare({ summary: 'y'.repeat(220) }), false).description).toBe(`▲ 75 · 2025-10-14\n${'y'.repeat(220)}`);
  });

  it('leaves out an empty abstract rather than an empty line', () => {
    expect(embedOf(bare({ summary: '' })).description).toBe('▲ 75 · 2025-10-14');
  });

  it('cuts a title to 256 characters, counting its escapes', () => {
    expect(embedOf(bare({ title: 't'.repeat(256) })).title).toBe('t'.repeat(256));
    expect(embedOf(bare({ title: 't'.repeat(257) })).title).toBe(`${'t'.repeat(255)}…`);
    // Escaped, 200 or 300 stars would be 400 or 600 characters: cut again until the escaped form fits,
    // keeping as many as fit (127 and the …), not collapsing to a bare … when nearly every character is escaped.
    expect(embedOf(bare({ title: '*'.repeat(200) })).title).toBe(`${'\\*'.repeat(127)}…`);
    expect(embedOf(bare({ title: '*'.repeat(300) })).title).toBe(`${'\\*'.repeat(127)}…`);
    expect(embedOf(bare({ title: '*'.repeat(128) })).title).toBe('\\*'.repeat(128));
  });

  it('cuts the description to 4096 characters when links make it longer', () => {
    const long = `https://github.com/${'g'.repeat(4100)}`;
    const d = embedOf(bare({ githubUrl: long })).description!;
    expect(d).toHaveLength(4096);
    expect(d).toBe(`▲ 75 · 2025-10-14\nWe propose QeRL.\n[Code](${long}`.slice(0, 4096));
    const a = renderReply(reply([{ kind: 'abstract', paper: bare({ githubUrl: long }) }])).embeds[0]!.description!;
    expect(a).toBe(`We propose QeRL.\n\n[Code](${long}`.slice(0, 4096));
  });

  it('keeps only http(s) links, images and URLs, with `)` encoded', () => {
    const e = embedOf(paper({ url: 'ftp://x.example/a', thumbnailUrl: 'https://cdn.example/a)b.png', pdfUrl: 'data:text/plain,x', githubUrl: null }));
    expect(e.url).toBeUndefined();
    expect(e.image).toEqual({ url: 'https://cdn.example/a%29b.png' });
    expect(e.description!.split('\n').at(-1)).toBe('[Hugging Face](https://huggingface.co/papers/2510.11696) · [arXiv](https://arxiv.org/abs/2510.11696)');
  });

  it('breaks mention syntax in titles and abstracts', () => {
    const e = embedOf(bare({ title: '@everyone <@123> @here', summary: 'hi @here' }));
    expect(e.title).toBe('@\u200beveryone \\<@\u200b123> @\u200bhere');
    expect(e.description).toBe('▲ 75 · 2025-10-14\nhi @\u200bhere');
  });

  it('cuts an AI summary field to 1024 characters, and shows an empty one as a zero-width space', () => {
    const field = (ai: string) => renderReply(reply([{ kind: 'abstract', paper: bare({ aiSummary: ai }) }])).embeds[0]!.fields;
    expect(field('s'.repeat(1024))).toEqual([{ name: 'AI summary', value: 's'.repeat(1024) }]);
    expect(field('s'.repeat(1025))).toEqual([{ name: 'AI summary', value: `${'s'.repeat(1023)}…` }]);
    expect(field(' ')).toEqual([{ name: 'AI summary', value: '\u200b' }]);
  });
});

describe("Discord render: Discord's limits", () => {
  it('keeps content to 2000 characters: one text at the limit as it is, one over cut with …, several joined then cut', () => {
    expect(renderReply(reply([{ kind: 'text', text: 'x'.repeat(2000) }])).content).toBe('x'.repeat(2000));
    expect(renderReply(reply([{ kind: 'text', text: 'x'.repeat(2001) }])).content).toBe(`${'x'.repeat(1999)}…`);
    const joined = renderReply(
      reply([
        { kind: 'text', text: 'a'.repeat(1000) },
        { kind: 'text', text: 'b'.repeat(999) },
      ]),
    ).content!;
    expect(joined).toBe(`${'a'.repeat(1000)}\n\n${'b'.repeat(997)}…`);
    expect(
      renderReply(
        reply([
          { kind: 'text', text: 'a'.repeat(999) },
          { kind: 'text', text: 'b'.repeat(999) },
        ]),
      ).content,
    ).toBe(`${'a'.repeat(999)}\n\n${'b'.repeat(999)}`);
    expect(renderReply(reply([], { fallback: 'f'.repeat(2001) })).content).toBe(`${'f'.repeat(1999)}…`);
  });

  it('shows at most 10 embeds, saying "(showing 10 of N)" after the text when there are more', () => {
    const items = (n: number) => Array.from({ length: n }, (_, i) => ({ rank: i + 1, paper: bare({ id: `id${i}`, summary: '' }), reason: '' }));
    const ten = renderReply(reply([{ kind: 'papers', items: items(10) }]));
    expect(ten.embeds).toHaveLength(10);
    expect(ten.content).toBeUndefined();
    const eleven = renderReply(
      reply([
        { kind: 'text', text: 'Top' },
        { kind: 'papers', items: items(11) },
      ]),
    );
    expect(eleven.embeds.map((e) => e.title)).toEqual(items(10).map((i) => `${i.rank}\\. QeRL: Beyond Efficiency`));
    expect(eleven.content).toBe('Top\n\n(showing 10 of 11)');
  });

  it('shows at most 25 fields, the first 25', () => {
    const fields = (n: number) => Array.from({ length: n }, (_, i) => ({ label: `f${i}`, value: `v${i}` }));
    expect(renderReply(reply([{ kind: 'fields', fields: fields(25) }])).embeds[0]!.fields).toHaveLength(25);
    const shown = renderReply(reply([{ kind: 'fields', fields: fields(26) }])).embeds[0]!.fields!;
    expect(shown.map((f) => f.name)).toEqual(fields(25).map((f) => f.label));
  });

  it('cuts a field value to 1024 and a field name to 256 characters', () => {
    const one = (label: string, value: string) => renderReply(reply([{ kind: 'fields', fields: [{ label, value }] }])).embeds[0]!.fields![0];
    expect(one('n'.repeat(256), 'v'.repeat(1024))).toEqual({ name: 'n'.repeat(256), value: 'v'.repeat(1024) });
    expect(one('n'.repeat(257), 'v'.repeat(1025))).toEqual({ name: `${'n'.repeat(255)}…`, value: `${'v'.repeat(1023)}…` });
  });

  it('keeps all embeds to 6000 characters by shortening the longest description, and leaves 6000 exactly alone', () => {
    // Each embed: a 1-character title and its abstract (no links, no byline): 1 + n characters.
    const two = (a: number, b: number) =>
      renderReply(
        reply([
          { kind: 'abstract', paper: bare({ title: 'A', summary: 'a'.repeat(a) }) },
          { kind: 'abstract', paper: bare({ title: 'B', summary: 'b'.repeat(b) }) },
        ]),
      );
    const exact = two(2999, 2999);
    expect(exact.embeds.map((e) => e.description)).toEqual(['a'.repeat(2999), 'b'.repeat(2999)]);
    const over = two(2999, 3001);
    expect(over.embeds.map((e) => e.description)).toEqual(['a'.repeat(2999), `${'b'.repeat(2998)}…`]);
    expect(embedTotal(over)).toBe(6000);
    // Equal lengths: the first is shortened.
    expect(two(3000, 3000).embeds.map((e) => e.description)).toEqual([`${'a'.repeat(2997)}…`, 'b'.repeat(3000)]);
  });

  it('counts fields, authors and footers in the 6000, and drops a description it must shorten to nothing', () => {
    // Ten list embeds of a long title, author and footer each: 600 characters apiece before descriptions.
    const items = Array.from({ length: 10 }, (_, i) => ({
      rank: i + 1,
      paper: bare({ id: `id${i}`, title: 'T'.repeat(250), organization: 'O'.repeat(150), summary: '' }),
      reason: 'R'.repeat(190),
    }));
    const msg = renderReply(reply([{ kind: 'papers', items }]));
    // Titles 9 × 254 + 255, authors 10 × 150, footers 10 × 190: 5941, and ten descriptions of 17 (the meta line)
    // are 111 over: the first six are dropped (ties go to the first), the seventh cut to the 9 still over, three remain.
    expect(msg.embeds.map((e) => e.description)).toEqual([...Array(6).fill(undefined), '▲ 75 · …', ...Array(3).fill('▲ 75 · 2025-10-14')]);
    expect(embedTotal(msg)).toBe(6000);
    const fields = renderReply(
      reply([
        { kind: 'fields', fields: Array.from({ length: 4 }, () => ({ label: 'n'.repeat(200), value: 'v'.repeat(1000) })) },
        { kind: 'abstract', paper: bare({ title: 'A', summary: 'a'.repeat(3000) }) },
      ]),
    );
    expect(embedTotal(fields)).toBe(6000);
    // 4 × 1200 of fields, 1 of title: the abstract keeps 1199.
    expect(fields.embeds[1]!.description).toBe(`${'a'.repeat(1198)}…`);
  });
});

describe('Discord render: controls', () => {
  it('leaves out buttons, and a Save menu entry, for a paper whose id is too long for a custom_id (80 characters)', () => {
    const longId = 'x'.repeat(81);
    expect(renderReply(reply([{ kind: 'paper', paper: bare({ id: longId }), controls: ['save'] }])).components).toEqual([]);
    expect(renderReply(reply([{ kind: 'paper', paper: bare({ id: 'x'.repeat(80) }), controls: ['similar'] }])).components).toEqual([
      { type: 1, components: [button('similar', 'Similar', '🔎', 'x'.repeat(80))] },
    ]);
    const menu = renderReply(
      reply([
        {
          kind: 'papers',
          items: [
            { rank: 1, paper: bare({ id: longId, title: 'Long' }), reason: '' },
            { rank: 2, paper: bare({ id: 'b', title: 'Bee' }), reason: '' },
          ],
          picker: 'save',
        },
      ]),
    ).components;
    expect((menu[0]!.components[0] as { options: unknown }).options).toEqual([{ label: '2. Bee', value: 'b' }]);
    const none = renderReply(
      reply([
        {
          kind: 'papers',
          items: [
            { rank: 1, paper: bare({ id: longId }), reason: '' },
            { rank: 2, paper: bare({ id: `y${longId}` }), reason: '' },
          ],
          picker: 'save',
        },
      ]),
    );
    expect(none.components).toEqual([]);
  });

  it('offers at most 25 menu options, labels cut to 100 characters on one line with mentions broken', () => {
    const items = Array.from({ length: 26 }, (_, i) => ({ rank: i + 1, paper: bare({ id: `id${i}`, title: `P${i}` }), reason: '' }));
    const options = (msg: DiscordMessage) => (msg.components[0]!.components[0] as unknown as { options: { label: string; value: string }[] }).options;
    const many = options(renderReply(reply([{ kind: 'papers', items, picker: 'save' }])));
    expect(many.map((o) => o.value)).toEqual(items.slice(0, 25).map((i) => i.paper.id));
    const labels = options(
      renderReply(
        reply([
          {
            kind: 'papers',
            items: [
              { rank: 1, paper: bare({ id: 'a', title: `@everyone\tlook\u0007 <#1> ${'w'.repeat(120)}` }), reason: '' },
              { rank: 2, paper: bare({ id: 'b', title: 'z'.repeat(97) }), reason: '' },
              { rank: 3, paper: bare({ id: 'c', title: 'z'.repeat(98) }), reason: '' },
            ],
            picker: 'save',
          },
        ]),
      ),
    ).map((o) => o.label);
    expect(labels).toEqual([`1. @\u200beveryone look <\u200b#1> ${'w'.repeat(74)}…`, `2. ${'z'.repeat(97)}`, `3. ${'z'.repeat(96)}…`]);
  });

  it('drops only the Discuss button for a forum post, and a row left empty', () => {
    const rows = renderReply(reply([{ kind: 'paper', paper: P, controls: ['save', 'discuss'] }])).components;
    expect(withoutDiscuss(rows)).toEqual([{ type: 1, components: [button('save', 'Save', '🔖')] }]);
    const onlyDiscuss = renderReply(reply([{ kind: 'paper', paper: P, controls: ['discuss'] }])).components;
    expect(onlyDiscuss).toHaveLength(1);
    expect(withoutDiscuss(onlyDiscuss)).toEqual([]);
    const menu = renderReply(
      reply([
        {
          kind: 'papers',
          items: [
            { rank: 1, paper: P, reason: '' },
            { rank: 2, paper: O, reason: '' },
          ],
          picker: 'save',
        },
      ]),
    ).components;
    expect(withoutDiscuss(menu)).toEqual(menu);
  });
});

describe('Discord render: message bodies', () => {
  const msg = renderReply(
    reply([
      { kind: 'text', text: 'Here' },
      { kind: 'paper', paper: P, controls: ['save'] },
      { kind: 'file', name: 'a.bib', mime: 'text/x-bibtex', content: 'A' },
      { kind: 'file', name: 'b.txt', mime: 'text/plain', content: 'B' },
    ]),
  );

  it('gives discord.js its options with no mentions allowed and files as attachments', () => {
    expect(toMessageOptions(msg)).toEqual({
      content: 'Here',
      embeds: msg.embeds,
      components: msg.components,
      files: [
        { attachment: Buffer.from('A'), name: 'a.bib' },
        { attachment: Buffer.from('B'), name: 'b.txt' },
      ],
      allowedMentions: { parse: [] },
    });
  });

  it('gives the REST API a body with attachments numbered from 0, and no components or attachments keys when there are none', () => {
    expect(toRestBody(msg)).toEqual({
      body: {
        content: 'Here',
        embeds: msg.embeds,
        components: msg.components,
        allowed_mentions: { parse: [] },
        attachments: [
          { id: 0, filename: 'a.bib' },
          { id: 1, filename: 'b.txt' },
        ],
      },
      files: [
        { name: 'a.bib', data: Buffer.from('A') },
        { name: 'b.txt', data: Buffer.from('B') },
      ],
    });
    expect(toRestBody(renderReply(reply([{ kind: 'text', text: 'hi' }])))).toEqual({
      body: { content: 'hi', embeds: [], allowed_mentions: { parse: [] } },
      files: [],
    });
  });
});

describe('Discord thread names', () => {
  it('names a thread by its title on one line, cut to 100 characters, mentions broken, control characters gone', () => {
    expect(threadName('A\u0000B\nC  <@1> @here')).toBe('A B C <\u200b@1> @\u200bhere');
    expect(threadName('n'.repeat(100))).toBe('n'.repeat(100));
    expect(threadName('n'.repeat(101))).toBe(`${'n'.repeat(99)}…`);
    expect(threadName(' \u0001 ')).toBe('Paper discussion');
  });
});

describe('Discord render: edges', () => {
  it('stops shortening when no description is left to shorten, leaving fields as they are', () => {
    // Fields alone over 6000 (6 × 1200): nothing to shorten; the render ends, fields intact.
    const fields = Array.from({ length: 6 }, (_, i) => ({ label: `${i}`.repeat(200), value: 'v'.repeat(1000) }));
    const msg = renderReply(reply([{ kind: 'fields', fields }]));
    expect(msg.embeds).toEqual([{ color: ORANGE, fields: fields.map((f) => ({ name: f.label, value: f.value })) }]);
  });

  it('drops control characters at both ends of their range from thread names and menu labels', () => {
    for (const c of ['\u0000', '\u001f', '\u007f']) expect(threadName(`a${c}b`), `U+${c.charCodeAt(0).toString(16)}`).toBe('a b');
    expect(threadName('a\u0080b ~')).toBe('a\u0080b ~');
  });
});
