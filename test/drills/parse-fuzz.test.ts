import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../src/errors';
import { LISTING_FORMATS, parseListing, type ListingFormat } from '../../src/parse/index';
import { readFixture } from '../helpers/fixtures';
import { drillLine } from './report';

/**
 * Drill: every parser, forced and auto-detected, on random and mutated real input. The only
 * acceptable failure is a ParseError; and reading 10 MB costs about ten times 1 MB, not more.
 */

const MODES: ('auto' | ListingFormat)[] = ['auto', ...LISTING_FORMATS];
const REAL = [
  readFixture('hf-text/daily-papers-search-2026-04-21.txt'),
  readFixture('hf-api/daily_papers-2025-10-14.json'),
  readFixture('hf-api/papers_search-kazakh.json'),
  readFixture('hf-html/papers-2024-08-01.html'),
  readFixture('arxiv/api-query-all-testing-start0-max10.xml'),
  readFixture('arxiv/rss-cs.LG+cs.AI+cs.CL+stat.ML-2026-09-24-trimmed.xml'),
];

/** Parses in one mode; returns 'ok', 'parse-error', or throws what should never escape. */
function attempt(text: string, format: 'auto' | ListingFormat): 'ok' | 'parse-error' {
  try {
    parseListing(text, { format, today: '2026-04-21' });
    return 'ok';
  } catch (err) {
    if (err instanceof ParseError) return 'parse-error';
    throw new Error(`parseListing(${format}) threw ${String(err)} on ${JSON.stringify(text.slice(0, 200))}`);
  }
}

/** Real listings cut, spliced and sprinkled with noise: close enough to real that parsers go deep. */
const mutatedReal = fc
  .tuple(fc.constantFrom(...REAL), fc.nat(), fc.nat(), fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom('cut', 'splice', 'drop'))
  .map(([text, a, b, noise, how]) => {
    const i = a % text.length;
    const j = i + (b % Math.max(1, text.length - i));
    if (how === 'cut') return text.slice(0, i);
    if (how === 'splice') return text.slice(0, i) + noise + text.slice(i);
    return text.slice(0, i) + text.slice(j);
  });

/** Shapes that have crashed parsers elsewhere: odd JSON, half-XML, entity soup, control characters. */
const hostile = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.json().map((j) => j),
  fc.jsonValue().map((v) => JSON.stringify([{ paper: v, title: v, publishedAt: v, numComments: v }])),
  fc.jsonValue().map((v) => JSON.stringify({ dailyPapers: v })),
  fc
    .array(
      fc.constantFrom(
        '<feed>',
        '<entry>',
        '</entry>',
        '<title>',
        '</title>',
        '<id>',
        'http://arxiv.org/abs/1',
        '&amp;',
        '&#x0;',
        '<![CDATA[',
        ']]>',
        '<?xml version="1.0"?>',
        '<rss>',
        '<item>',
        '<!DOCTYPE x [<!ENTITY a "aaaa">]>',
        '&a;',
      ),
      { maxLength: 60 },
    )
    .map((t) => t.join('')),
  fc
    .array(
      fc.constantFrom('<div data-target="DailyPapers" data-props="', '&quot;', '{', '}', '"', '&amp;', '>', '<html>', '</div>', 'dailyPapers', ':', '[', ']'),
      { maxLength: 60 },
    )
    .map((t) => t.join('')),
  fc
    .array(
      fc.constantFrom(
        'Title\n',
        '\n',
        '·\n',
        '• 3 authors\n',
        'Mar 17\n',
        'Feb 30, 2020 4\n',
        'moonshotai Moonshot AI\n',
        'Apr 21\n',
        'Daily Papers\n',
        '  \u200b\n',
        '\u0000',
      ),
      { maxLength: 60 },
    )
    .map((t) => t.join('')),
);

describe('drill parser-fuzz', () => {
  it('throws nothing but ParseError, in every format mode, on random and mutated real listings', () => {
    const runs = 250;
    const tally = { ok: 0, 'parse-error': 0 };
    fc.assert(
      fc.property(fc.oneof(mutatedReal, hostile), (text) => {
        for (const mode of MODES) tally[attempt(text, mode)]++;
      }),
      { numRuns: runs, seed: 11 },
    );
    // Deep nesting: JSON.parse and XML parsers can overflow the stack.
    for (const depth of [10_000, 200_000]) {
      for (const text of ['['.repeat(depth) + ']'.repeat(depth), '<entry>'.repeat(depth), `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`])
        for (const mode of MODES) tally[attempt(text, mode)]++;
    }
    const total = tally.ok + tally['parse-error'];
    drillLine(
      'parser-fuzz',
      `${total} parses (${runs} generated inputs + 6 deep nestings x ${MODES.length} modes), ${tally.ok} ok, ${tally['parse-error']} ParseError, 0 other throws`,
    );
    expect(total).toBe((runs + 6) * MODES.length);
  });
});

const MB = 1024 * 1024;

/** Mean time of one run, repeating until at least 100 ms have passed so a fast run is not all timer noise. */
function meanMs(fn: () => void): number {
  const t0 = performance.now();
  let runs = 0;
  do {
    fn();
    runs++;
  } while (performance.now() - t0 < 100);
  return (performance.now() - t0) / runs;
}

const atom = REAL[4]!;
const atomEntry = atom.slice(atom.indexOf('<entry>'), atom.indexOf('</entry>') + '</entry>'.length);
const apiItem = JSON.stringify(JSON.parse(REAL[1]!)[0]);

/** Inputs of about `bytes`, valid and pathological, per format. */
const SHAPES: { name: string; mode: 'auto' | ListingFormat; build: (bytes: number) => string }[] = [
  { name: 'hf-text bylines without dates', mode: 'hf-text', build: (n) => '• 3 authors\n·\n'.repeat(Math.ceil(n / 14)) },
  {
    name: 'hf-api array',
    mode: 'auto',
    build: (n) =>
      `[${Array(Math.ceil(n / apiItem.length))
        .fill(apiItem)
        .join(',')}]`,
  },
  { name: 'hf-api unterminated string', mode: 'hf-api', build: (n) => `["${'x'.repeat(n)}` },
  {
    name: 'hf-html page of entities',
    mode: 'hf-html',
    build: (n) => `<html><div data-target="DailyPapers" data-props="${'&quot;'.repeat(n / 6)}"></div></html>`,
  },
  { name: 'arxiv feed', mode: 'auto', build: (n) => `${atom.slice(0, atom.indexOf('<entry>'))}${atomEntry.repeat(Math.ceil(n / atomEntry.length))}</feed>` },
  {
    name: 'arxiv unclosed entries',
    mode: 'arxiv',
    build: (n) => `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">${'<entry><title>t'.repeat(Math.ceil(n / 15))}`,
  },
];

describe('drill parser-linear-time', () => {
  it('costs per byte at 10 MB at most 5x the cost per byte at 1 MB, for every shape', () => {
    const ratios: string[] = [];
    for (const shape of SHAPES) {
      const small = shape.build(MB);
      const large = shape.build(10 * MB);
      const run = (text: string) => () => void attempt(text, shape.mode);
      run(small)(); // warm up the JIT
      const perByteSmall = meanMs(run(small)) / small.length;
      const perByteLarge = meanMs(run(large)) / large.length;
      const ratio = perByteLarge / perByteSmall;
      ratios.push(`${shape.name} ${ratio.toFixed(2)}`);
      expect(ratio, `${shape.name}: per-byte time grew ${ratio.toFixed(1)}x from 1 MB to 10 MB`).toBeLessThan(5);
    }
    drillLine('parser-linear-time', `${SHAPES.length} shapes at 1 MB and 10 MB, per-byte ratio 10MB/1MB: ${ratios.join(', ')}`);
  }, 120_000);
});
