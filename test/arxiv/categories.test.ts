import { describe, expect, it } from 'vitest';
import { parseArxivCategories } from '../../src/model/arxiv-categories';
import { parseListing } from '../../src/parse/index';
import { mergePapers } from '../../src/rank/rank';
import { toBibtex } from '../../commands/kit/bibtex';
import { UserError } from '../../src/errors';
import { readFixture } from '../helpers/fixtures';

const atom = () => parseListing(readFixture('arxiv/api-query-cat-cs.AI-OR-cs.LG-OR-cs.CL-2026-08-02.xml')).papers;
const rss = () => parseListing(readFixture('arxiv/rss-cs.LG+cs.AI+cs.CL+stat.ML-2026-09-24-trimmed.xml')).papers;
const hf = () => parseListing(readFixture('hf-api/daily_papers-2026-07-31.json')).papers;

describe('arXiv categories of a paper', () => {
  it('reads Atom categories with the primary one first', () => {
    const papers = atom();
    expect(papers.find((p) => p.id === '2607.28628')!.categories).toEqual(['hep-th', 'cs.AI', 'cs.LG', 'hep-ph']);
    for (const p of papers) expect(p.categories!.length).toBeGreaterThan(0);
    const single = readFixture('arxiv/api-id_list-1605.08386.xml');
    expect(parseListing(single).papers[0]!.categories).toEqual(['math.CO', 'math.ST']);
    // The feeds list the primary category first anyway; <arxiv:primary_category> decides when they do not.
    const reordered = single.replace('<arxiv:primary_category term="math.CO"/>', '<arxiv:primary_category term="math.ST"/>');
    expect(parseListing(reordered).papers[0]!.categories).toEqual(['math.ST', 'math.CO']);
  });

  it('reads RSS categories in the order the feed gives them', () => {
    expect(rss().map((p) => p.categories)).toEqual([['cs.LG'], ['cs.LG', 'cs.AI'], ['stat.ME', 'stat.AP', 'stat.ML'], ['cs.LG', 'math.MG', 'stat.ML']]);
  });

  it('gives Hugging Face papers none', () => {
    for (const p of hf()) expect(p).not.toHaveProperty('categories');
  });

  it('drops category terms that are not shaped like one', () => {
    const feed = readFixture('arxiv/api-id_list-1605.08386.xml').replace('term="math.ST"', 'term="math.ST&quot; onclick=&quot;x"');
    expect(parseListing(feed).papers[0]!.categories).toEqual(['math.CO']);
  });

  it('keeps arXiv categories when a Hugging Face record and its arXiv record merge', () => {
    const fromHf = hf().find((p) => p.id === '2607.28618')!;
    const fromArxiv = atom().find((p) => p.id === '2607.28618')!;
    const [merged] = mergePapers([fromHf, fromArxiv]);
    expect(merged).toMatchObject({ id: '2607.28618', upvotes: fromHf.upvotes, source: 'hf-api', categories: ['cs.CL', 'cs.AI', 'cs.IR', 'cs.LG'] });
  });

  it('gives BibTeX the primary category as primaryClass', () => {
    const bib = toBibtex([atom().find((p) => p.id === '2607.28628')!]);
    expect(bib).toContain('  primaryClass  = {hep-th},');
    expect(toBibtex([hf()[0]!])).not.toContain('primaryClass');
  });
});

describe('parseArxivCategories', () => {
  it('reads a comma list, fixes the case arXiv spells, and drops duplicates', () => {
    expect(parseArxivCategories('cs.LG,cs.CL')).toEqual(['cs.LG', 'cs.CL']);
    expect(parseArxivCategories(' cs.lg, stat.ml cs.LG, cond-mat.STR-EL, hep-th ')).toEqual(['cs.LG', 'stat.ML', 'cond-mat.str-el', 'hep-th']);
  });

  it.each(['-', 'none', 'None', ''])('clears the list with %j', (text) => {
    expect(parseArxivCategories(text)).toEqual([]);
  });

  it('refuses what is not a category, with an example', () => {
    expect(() => parseArxivCategories('cs.LG, machine learning!')).toThrow(UserError);
    expect(() => parseArxivCategories('cs.LG,cs.AI&max_results=9999')).toThrow(
      '"cs.AI&max_results=9999" is not an arXiv category: use names like cs.LG or hep-th separated by commas, e.g. "cs.LG,cs.CL"; none clears',
    );
    expect(() => parseArxivCategories(Array.from({ length: 21 }, (_, i) => `cs.X${String.fromCharCode(97 + i)}x`).join(','))).toThrow(
      'at most 20 arXiv categories, got 21',
    );
  });
});
