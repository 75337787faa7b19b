import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatQuery, isEmpty, parseQuery } from '../../src/search/query';

describe('the search language', () => {
  it('reads words, "quoted phrases" and -excluded words or phrases', () => {
    expect(parseQuery('memorize -test "learning to memorize" -"state space" Time')).toEqual({
      words: ['memorize', 'time'],
      phrases: [['learning', 'to', 'memorize']],
      excluded: [['test'], ['state', 'space']],
    });
  });

  it('gives engine syntax no meaning: OR, NEAR, *, ^, column: and parentheses are text or nothing', () => {
    expect(parseQuery('NEAR(video diffusion, 2) title:agent* ^video OR x & !y | agent:*')).toEqual({
      words: ['near', 'video', 'diffusion', '2', 'title', 'agent'],
      phrases: [],
      excluded: [],
    });
    expect(parseQuery(`memorize" OR "attention`)).toEqual({ words: ['memorize', 'attention'], phrases: [], excluded: [] });
    expect(parseQuery("'; DROP TABLE papers; --").words).toEqual(['drop', 'table', 'papers']);
  });

  it('keeps a hyphen inside a word, takes an unclosed quote to the end, and drops empty parts', () => {
    expect(parseQuery('test-time "sparse attention').phrases).toEqual([['sparse', 'attention']]);
    expect(parseQuery('test-time').words).toEqual(['test', 'time']);
    for (const q of ['"', '-', '""', '"the of"', '-"', 'a b c']) expect(isEmpty(parseQuery(q)), q).toBe(true);
  });

  it('has nothing to search when only exclusions are left', () => {
    expect(isEmpty(parseQuery('-attention -"test time"'))).toBe(true);
    expect(isEmpty(parseQuery('video -attention'))).toBe(false);
  });

  it('bounds any input to 16 parts of plain words, and reads its own written form back as the same query', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.string({ unit: 'grapheme', maxLength: 300 }),
          fc.array(fc.constantFrom('a', 'video', '"', '-', '-x', 'OR', ' ', 'multi-head', '"the')).map((t) => t.join(' ')),
        ),
        (text) => {
          const q = parseQuery(text);
          expect(q.words.length + q.phrases.length + q.excluded.length).toBeLessThanOrEqual(16);
          for (const w of [...q.words, ...q.phrases.flat(), ...q.excluded.flat()]) expect(w).toMatch(/^[\p{L}\p{M}\p{N}]{1,40}$/u);
          expect(parseQuery(formatQuery(q))).toEqual(q);
        },
      ),
    );
  });
});
