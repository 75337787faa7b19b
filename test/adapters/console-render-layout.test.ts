import { describe, expect, it } from 'vitest';
import { formatMessage, formatThread, renderMessages, renderOneMessage, type ConsoleMessage } from '../../adapters/console/render';
import type { Block, Reply } from '../../src/chat/reply';
import type { Paper } from '../../src/model/paper';
import { other, paper } from './render-papers';

/**
 * What the console prints for each kind of reply, exactly: which blocks become messages of their
 * own, each line of a paper, a list, fields and a file, the `click` line under a message, and the
 * numbering and indentation of what is printed.
 */

function reply(blocks: Block[], over: Partial<Reply> = {}): Reply {
  return { blocks, visibility: 'public', fallback: 'fallback', ...over };
}

const P = paper();
const O = other();
const P_LINKS = [
  'Hugging Face: https://huggingface.co/papers/2510.11696',
  'arXiv: https://arxiv.org/abs/2510.11696',
  'PDF: https://arxiv.org/pdf/2510.11696v2',
  'Code: https://github.com/a/qerl',
].join('\n');

/** A paper with no links, authors or organization. */
function bare(over: Partial<Paper> = {}): Paper {
  return paper({ arxivId: null, url: null, pdfUrl: null, githubUrl: null, authors: [], authorCount: null, keywords: [], ...over });
}

const textOf = (block: Block) => renderOneMessage(reply([block])).text;

describe('console render: each block kind, exactly', () => {
  it('prints a paper in full: title, facts, authors, AI summary, the abstract between blank lines, keywords, links', () => {
    const p = paper({ aiSummary: 'Short  take.', summary: 'Line one.\n\tLine   two.  ' });
    expect(renderMessages(reply([{ kind: 'paper', paper: p, controls: ['save', 'similar'] }]))).toEqual([
      {
        text: [
          'QeRL: Beyond Efficiency',
          '75 upvotes · listed 2025-10-14 · arXiv 2510.11696',
          'Ada Lovelace, Alan Turing',
          'AI summary: Short take.',
          '',
          'Line one.\n Line two.',
          '',
          'Keywords: rl, quantization',
          P_LINKS,
        ].join('\n'),
        paperIds: ['2510.11696'],
        controls: { kind: 'buttons', paper: p, controls: ['save', 'similar'] },
      },
    ]);
  });

  it('prints a digest item (a paper with a reason) short: the reason, then the summary cut to 300, no keywords', () => {
    expect(textOf({ kind: 'paper', paper: paper({ aiSummary: 'AI says so.' }), reason: ' most\nupvoted ' })).toBe(
      [
        'QeRL: Beyond Efficiency',
        '75 upvotes · listed 2025-10-14 · arXiv 2510.11696',
        'Ada Lovelace, Alan Turing',
        'Why: most upvoted',
        'AI says so.',
        P_LINKS,
      ].join('\n'),
    );
    const cut = (summary: string) => textOf({ kind: 'paper', paper: bare({ summary }), reason: '' }).split('\n')[3];
    expect(cut('s'.repeat(300))).toBe('s'.repeat(300));
    expect(cut('s'.repeat(301))).toBe(`${'s'.repeat(299)}…`);
    // Cut before a space: the space is dropped before the ….
    expect(cut(`${'s'.repeat(298)}   tt`)).toBe(`${'s'.repeat(298)}…`);
  });

  it('prints a list as one message: rank and title, then the arXiv id and reason indented, and its ids in order', () => {
    expect(
      renderMessages(
        reply([
          {
            kind: 'papers',
            items: [
              { rank: 1, paper: P, reason: 'most upvoted' },
              { rank: 2, paper: bare({ id: 'slug' }), reason: 'new' },
              { rank: 3, paper: O, reason: '' },
            ],
            picker: 'save',
          },
        ]),
      ),
    ).toEqual([
      {
        text: '1. QeRL: Beyond Efficiency\n   arXiv 2510.11696 · most upvoted\n2. QeRL: Beyond Efficiency\n   new\n3. Diffusion Transformers\n   arXiv 2510.11690',
        paperIds: ['2510.11696', 'slug', '2510.11690'],
        controls: { kind: 'picker', papers: [P, bare({ id: 'slug' }), O] },
      },
    ]);
  });

  it('prints an abstract: title, AI summary, the abstract between blank lines, links; "(no abstract)" without one', () => {
    expect(textOf({ kind: 'abstract', paper: paper({ aiSummary: 'AI.' }) })).toBe(
      ['QeRL: Beyond Efficiency', 'AI summary: AI.', '', 'We propose QeRL.', '', P_LINKS].join('\n'),
    );
    expect(textOf({ kind: 'abstract', paper: bare({ summary: '' }) })).toBe('QeRL: Beyond Efficiency\n\n(no abstract)\n\n');
  });

  it('prints fields as "label: value" lines, each on one line', () => {
    expect(
      textOf({
        kind: 'fields',
        fields: [
          { label: 'Time', value: '09:00\nBerlin' },
          { label: ' Top ', value: '5' },
        ],
      }),
    ).toBe('Time: 09:00 Berlin\nTop: 5');
  });

  it('prints a file between lines naming it, its content as it is but for trailing space', () => {
    expect(textOf({ kind: 'file', name: 'a\u001b[31m.bib', mime: 'text/x-bibtex', content: '@a{x,\n  t={A}}\n\n' })).toBe(
      '----- a[31m.bib -----\n@a{x,\n  t={A}}\n----- end of a[31m.bib -----',
    );
  });

  it('prints text with control characters dropped and spaces folded, line breaks kept', () => {
    expect(textOf({ kind: 'text', text: ' a\u001b[2J\t\tb\u200b\u202ec\u2066 \n  next ' })).toBe('a[2J bc \n next');
  });
});

describe('console render: messages', () => {
  it('gives each paper or list its own message and joins the text, fields and files between them', () => {
    const msgs = renderMessages(
      reply([
        { kind: 'text', text: 'Head' },
        { kind: 'fields', fields: [{ label: 'k', value: 'v' }] },
        { kind: 'paper', paper: bare({ id: 'a', title: 'A', summary: '' }), reason: 'r' },
        { kind: 'text', text: 'Middle' },
        { kind: 'papers', items: [] },
        { kind: 'papers', items: [{ rank: 1, paper: bare({ id: 'b', title: 'B' }), reason: 'r' }] },
        { kind: 'file', name: 'f', mime: 'text/plain', content: 'c' },
      ]),
    );
    expect(msgs).toEqual([
      { text: 'Head\nk: v', paperIds: [] },
      { text: 'A\n75 upvotes · listed 2025-10-14\nWhy: r\n\n', paperIds: ['a'], controls: null },
      { text: 'Middle', paperIds: [] },
      { text: '1. B\n   r', paperIds: ['b'], controls: null },
      { text: '----- f -----\nc\n----- end of f -----', paperIds: [] },
    ]);
    expect(renderMessages(reply([]))).toEqual([]);
  });

  it('prints a whole reply as one message with every paper id and the message controls', () => {
    const one = renderOneMessage(
      reply([
        { kind: 'text', text: 'Today' },
        { kind: 'paper', paper: bare({ id: 'a', title: 'A', summary: '' }), reason: 'r', controls: ['save'] },
        { kind: 'paper', paper: bare({ id: 'b', title: 'B', summary: '' }), reason: 'r' },
      ]),
    );
    expect(one).toEqual({
      text: 'Today\nA\n75 upvotes · listed 2025-10-14\nWhy: r\n\n\nB\n75 upvotes · listed 2025-10-14\nWhy: r\n\n',
      paperIds: ['a', 'b'],
      controls: { kind: 'picker', papers: [bare({ id: 'a', title: 'A', summary: '' }), bare({ id: 'b', title: 'B', summary: '' })] },
    });
  });
});

describe('console render: paper lines', () => {
  const facts = (p: Paper) => textOf({ kind: 'paper', paper: p, reason: '' }).split('\n')[1];
  const by = (p: Paper) => textOf({ kind: 'paper', paper: { ...p, summary: '' }, reason: '' }).split('\n')[2];

  it('dates a paper by its list day, else its publication; names its arXiv id when it has one', () => {
    expect(facts(bare())).toBe('75 upvotes · listed 2025-10-14');
    expect(facts(bare({ listedOn: null, arxivId: '2501.00001' }))).toBe('75 upvotes · published 2025-10-13 · arXiv 2501.00001');
  });

  it('names up to four authors then "+N more" of the author count, else the count; the organization after', () => {
    expect(by(bare({ authors: ['A', 'B', 'C', 'D'] }))).toBe('A, B, C, D');
    expect(by(bare({ authors: ['A', 'B', 'C', 'D', 'E'] }))).toBe('A, B, C, D +1 more');
    expect(by(bare({ authors: ['A', 'B'], authorCount: 7 }))).toBe('A, B +5 more');
    expect(by(bare({ authorCount: 7 }))).toBe('7 authors');
    expect(by(bare({ authors: ['A\u0007 \n B'], organization: ' Big\tLab ' }))).toBe('A B · Big Lab');
    expect(by(bare({ authorCount: 0, organization: 'Lab' }))).toBe('Lab');
    // Nothing to name: no line for it, the reason follows the facts.
    expect(by(bare())).toBe('Why: ');
  });

  it('leaves out keywords and the AI summary when there are none', () => {
    expect(textOf({ kind: 'paper', paper: bare({ summary: 'S' }) })).toBe('QeRL: Beyond Efficiency\n75 upvotes · listed 2025-10-14\n\nS\n\n');
    expect(textOf({ kind: 'paper', paper: bare({ summary: 'S', keywords: ['a b', 'c\u0000'] }) })).toBe(
      'QeRL: Beyond Efficiency\n75 upvotes · listed 2025-10-14\n\nS\n\nKeywords: a b, c\n',
    );
  });

  it('drops control characters from link URLs', () => {
    expect(
      textOf({ kind: 'paper', paper: bare({ githubUrl: 'https://x.example/\u001b[2Jc' }), reason: '' })
        .split('\n')
        .at(-1),
    ).toBe('Code: https://x.example/[2Jc');
  });
});

describe('console render: what is printed', () => {
  const msg = (text: string, controls?: ConsoleMessage['controls']): ConsoleMessage => ({ text, paperIds: [], controls });

  it('numbers a message with [n], indents its other lines under the text, and leaves blank lines blank', () => {
    expect(formatMessage(msg('first\n\nsecond'), 12)).toBe('[12] first\n\n     second\n');
    expect(formatMessage(msg('first\nsecond'), null)).toBe('first\nsecond\n');
  });

  it("adds the message's click line: the buttons by name, or the picker's range", () => {
    expect(formatMessage(msg('P', { kind: 'buttons', paper: P, controls: ['save', 'abstract'] }), 3)).toBe('[3] P\n    (click 3 save|abstract)\n');
    expect(formatMessage(msg('L', { kind: 'picker', papers: [P, O] }), 4)).toBe('[4] L\n    (click 4 save <1-2> saves one of these)\n');
    // Unnumbered: nothing can be clicked.
    expect(formatMessage(msg('L', { kind: 'picker', papers: [P, O] }), null)).toBe('L\n');
    expect(formatMessage(msg('L', null), 5)).toBe('[5] L\n');
  });

  it('prints a thread as a line naming it and its message, then its first message marked with |', () => {
    const starter = reply([
      { kind: 'text', text: 'Look' },
      { kind: 'fields', fields: [] },
      { kind: 'text', text: 'here' },
    ]);
    expect(formatThread('7', ' QeRL\n thread\u0007 ', starter)).toBe('Discussion thread on [7]: QeRL thread\n  | Look\n\n  | here\n');
  });
});

describe('console render: untrusted text', () => {
  it('drops every control, zero-width and bidi character at both ends of each range, and keeps tab and newline in text', () => {
    const dropped = ['\u0000', '\u0008', '\u000b', '\u001f', '\u007f', '\u009f', '\u200b', '\u200f', '\u202a', '\u202e', '\u2066', '\u2069'];
    for (const c of dropped) expect(textOf({ kind: 'text', text: `a${c}b` }), `U+${c.charCodeAt(0).toString(16)}`).toBe('ab');
    // Just outside each range: kept as they are, or as a space when they are white space.
    for (const c of ['~', '\u00a1', '\u2010', '\u2065', '\u206a']) expect(textOf({ kind: 'text', text: `a${c}b` })).toBe(`a${c}b`);
    for (const c of ['\t', '\u00a0', '\u200a', '\u2029', '\u202f']) {
      expect(textOf({ kind: 'fields', fields: [{ label: `a${c}b`, value: 'v' }] }), `U+${c.charCodeAt(0).toString(16)}`).toBe('a b: v');
    }
    expect(textOf({ kind: 'text', text: 'a\nb' })).toBe('a\nb');
    expect(textOf({ kind: 'text', text: 'a \t  b\n\nc' })).toBe('a b\n\nc');
    expect(textOf({ kind: 'fields', fields: [{ label: 'a  \t b', value: 'c \n\n d' }] })).toBe('a b: c d');
  });
});

describe('console render: abstracts', () => {
  it('keeps the line breaks of an abstract, folding only spaces and tabs', () => {
    expect(textOf({ kind: 'abstract', paper: bare({ summary: 'First  line.\n\tSecond line.' }) })).toBe(
      'QeRL: Beyond Efficiency\n\nFirst line.\n Second line.\n\n',
    );
  });
});
