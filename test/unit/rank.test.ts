import { describe, expect, it } from 'vitest';
import { mergePapers, rank, rankWithExclusions, topicsMatched } from '../../src/rank/rank';
import { parseTopics } from '../../src/rank/topics';
import { parseListing } from '../../src/parse/index';
import { UserError } from '../../src/errors';
import type { Paper } from '../../src/model/paper';
import { readFixture } from '../helpers/fixtures';

function paper(over: Partial<Paper> & { title: string }): Paper {
  return {
    id: over.arxivId ?? over.title.toLowerCase().replace(/\W+/g, '-'),
    arxivId: null,
    summary: '',
    aiSummary: null,
    authors: [],
    authorCount: null,
    organization: null,
    publishedAt: '2026-04-20',
    listedOn: null,
    upvotes: 0,
    url: null,
    pdfUrl: null,
    githubUrl: null,
    keywords: [],
    thumbnailUrl: null,
    source: 'hf-api',
    ...over,
  };
}

const now = new Date('2026-04-21T00:00:00Z');

describe('rank', () => {
  it('puts Attention Residuals first in the hf-text listing: most upvotes among the recent papers', () => {
    const { papers } = parseListing(readFixture('hf-text/daily-papers-search-2026-04-21.txt'), { today: '2026-04-21' });
    const top = rank(papers, { now, limit: 3 });
    expect(top.map((r) => r.paper.title)).toEqual([
      'Attention Residuals',
      'ACE-LoRA: Graph-Attentive Context Enhancement for Parameter-Efficient Adaptation of Medical Vision-Language Models',
      'How Many Heads Make an SSM? A Unified Framework for Attention and State Space Models',
    ]);
    expect(top[0]).toMatchObject({ rank: 1, reason: '6 upvotes · 36 days old' });
  });

  it('lets a fresh paper beat an older one with a few more votes, as the half-life says', () => {
    const fresh = paper({ title: 'Fresh', upvotes: 10, publishedAt: '2026-04-21' });
    const old = paper({ title: 'Old', upvotes: 30, publishedAt: '2026-04-07' });
    expect(rank([old, fresh], { now }).map((r) => r.paper.title)).toEqual(['Fresh', 'Old']);
    // With a long half-life the votes decide.
    expect(rank([old, fresh], { now, halfLifeDays: 365 }).map((r) => r.paper.title)).toEqual(['Old', 'Fresh']);
  });

  it('measures age from the list date when a paper is listed after it was published', () => {
    const relisted = paper({ title: 'Relisted', upvotes: 5, publishedAt: '2025-01-01', listedOn: '2026-04-20' });
    expect(rank([relisted], { now })[0]!.reason).toBe('5 upvotes · listed 1 day ago');
  });

  it('boosts topic matches at word starts and names them in the reason', () => {
    const a = paper({ title: 'Scaling LLMs', upvotes: 3 });
    const b = paper({ title: 'Fullmoon detection', upvotes: 5 });
    const c = paper({ title: 'Vision', upvotes: 4, keywords: ['test time training'] });
    const ranked = rank([a, b, c], { now, topics: ['llm', 'test time'] });
    expect(ranked.map((r) => [r.paper.title, r.reason])).toEqual([
      ['Vision', '4 upvotes · 1 day old · matches: test time'],
      ['Scaling LLMs', '3 upvotes · 1 day old · matches: llm'],
      ['Fullmoon detection', '5 upvotes · 1 day old'],
    ]);
  });

  it('excludes -topics, papers below minUpvotes and skipped ids, saying why', () => {
    const papers = [
      paper({ title: 'Robotics arm', upvotes: 9 }),
      paper({ title: 'Few votes', upvotes: 1 }),
      paper({ title: 'Posted', upvotes: 50 }),
      paper({ title: 'Kept', upvotes: 4 }),
    ];
    const { ranked, excluded } = rankWithExclusions(papers, { now, topics: ['-robotics'], minUpvotes: 2, skipIds: new Set(['posted']) });
    expect(ranked.map((r) => r.paper.title)).toEqual(['Kept']);
    expect(excluded.map((e) => [e.paper.title, e.why])).toEqual([
      ['Robotics arm', 'excluded topic: robotics'],
      ['Few votes', 'below 2 upvotes'],
      ['Posted', 'already posted'],
    ]);
  });

  it('breaks ties by upvotes, then date, then id, and applies the limit', () => {
    // Same votes and date: the id decides.
    const x = paper({ title: 'b', upvotes: 2 });
    const y = paper({ title: 'a', upvotes: 2 });
    const z = paper({ title: 'c', upvotes: 2 });
    expect(rank([x, y, z], { now }).map((r) => r.paper.id)).toEqual(['a', 'b', 'c']);
    expect(rank([x, y, z], { now, limit: 2 }).map((r) => r.rank)).toEqual([1, 2]);
    const sameScore = [paper({ title: 'older', upvotes: 3, publishedAt: '2026-04-14' }), paper({ title: 'newer', upvotes: 1, publishedAt: '2026-04-21' })];
    // (3+1)·½ = (1+1)·1: equal scores, so more upvotes wins.
    expect(rank(sameScore, { now, halfLifeDays: 7 }).map((r) => r.paper.title)).toEqual(['older', 'newer']);
  });
});

describe('rank: what each factor of the score guards', () => {
  it('counts every matching topic: two matches beat one match with more votes', () => {
    const both = paper({ title: 'LLM agents for vision', upvotes: 2 });
    const one = paper({ title: 'LLM agents', upvotes: 3 });
    const ranked = rank([one, both], { now, topics: ['llm', 'vision'] });
    // (2+1)·(1+2) = 9 against (3+1)·(1+1) = 8, both listed a day ago.
    expect(ranked.map((r) => [r.paper.title, r.score])).toEqual([
      ['LLM agents for vision', Number((9 * 0.5 ** (1 / 7)).toPrecision(6))],
      ['LLM agents', Number((8 * 0.5 ** (1 / 7)).toPrecision(6))],
    ]);
    expect(ranked[0]!.reason).toBe('2 upvotes · 1 day old · matches: llm, vision');
  });

  it('treats a paper dated in the future as new today, not as fresher than new', () => {
    // A listing in a timezone ahead of UTC, or a wrong date in the source: no bonus for it.
    const ahead = paper({ title: 'Ahead', upvotes: 1, publishedAt: '2026-04-28' });
    const today = paper({ title: 'Today', upvotes: 2, publishedAt: '2026-04-21' });
    const ranked = rank([ahead, today], { now });
    expect(ranked.map((r) => [r.paper.title, r.score, r.reason])).toEqual([
      ['Today', 3, '2 upvotes · new today'],
      ['Ahead', 2, '1 upvote · new today'],
    ]);
  });

  it('breaks a tie of score and upvotes by the newer publication date, before the id', () => {
    // Both listed on the same day, so their age (from the list date) and score are equal.
    const older = paper({ title: 'a older', upvotes: 4, publishedAt: '2026-03-01', listedOn: '2026-04-20' });
    const newer = paper({ title: 'b newer', upvotes: 4, publishedAt: '2026-04-01', listedOn: '2026-04-20' });
    const ranked = rank([older, newer], { now });
    expect(ranked[0]!.score).toBe(ranked[1]!.score);
    expect(ranked.map((r) => r.paper.title)).toEqual(['b newer', 'a older']);
    expect(rank([newer, older], { now }).map((r) => r.paper.title)).toEqual(['b newer', 'a older']);
  });
});

describe('rank: topics as users type them, reasons and ties', () => {
  it('trims and lowercases topics and ignores empty ones', () => {
    const llm = paper({ title: 'Scaling LLMs', upvotes: 1 });
    const vision = paper({ title: 'Vision', upvotes: 1 });
    const ranked = rank([vision, llm], { now, topics: ['', '  LLM  ', ' '] });
    expect(ranked.map((r) => [r.paper.title, r.reason])).toEqual([
      ['Scaling LLMs', '1 upvote · 1 day old · matches: llm'],
      ['Vision', '1 upvote · 1 day old'],
    ]);
  });

  it('never excludes a paper for a boosting topic, only for a -topic', () => {
    // "LM" is "llm" without its first letter: a boost must not turn into an exclusion of the rest.
    const { ranked, excluded } = rankWithExclusions([paper({ title: 'LM evaluation', upvotes: 1 })], { now, topics: ['llm', 'xlm'] });
    expect(excluded).toEqual([]);
    expect(ranked.map((r) => r.paper.title)).toEqual(['LM evaluation']);
  });

  it('matches a topic in any one keyword, keywords kept apart', () => {
    const p = paper({ title: 'A model', keywords: ['diffusion', 'robotics'], upvotes: 1 });
    expect(rank([p], { now, topics: ['robotics'] })[0]!.reason).toBe('1 upvote · 1 day old · matches: robotics');
  });

  it('says "listed today" for a paper published earlier and listed today, and ages a paper listed before publication from its publication', () => {
    const relisted = paper({ title: 'Relisted', upvotes: 2, publishedAt: '2026-01-01', listedOn: '2026-04-21' });
    const early = paper({ title: 'Early', upvotes: 0, publishedAt: '2026-04-20', listedOn: '2026-04-10' });
    expect(rank([relisted, early], { now }).map((r) => r.reason)).toEqual(['2 upvotes · listed today', '0 upvotes · 1 day old']);
  });

  it('orders full ties by id whatever order they come in', () => {
    const [a, b, c] = ['a', 'b', 'c'].map((title) => paper({ title, upvotes: 2 }));
    for (const order of [
      [c!, b!, a!],
      [b!, c!, a!],
      [c!, a!, b!],
    ])
      expect(rank(order, { now }).map((r) => r.paper.id)).toEqual(['a', 'b', 'c']);
  });
});

describe('topicsMatched', () => {
  it('names the boosting topics a paper matches, as written, never a -topic', () => {
    const p = paper({ title: 'Scaling LLMs (no -robotics)' });
    expect(topicsMatched(p, ['llm', '-robotics', 'vision'])).toEqual(['llm']);
    expect(topicsMatched(p, [])).toEqual([]);
  });
});

describe('mergePapers', () => {
  it('merges the same arXiv id or the same normalized title, keeping the richest fields', () => {
    const fromText = paper({ title: 'Attention Residuals', upvotes: 6, organization: 'Moonshot AI', source: 'hf-text', summary: 'short' });
    const fromApi = paper({
      title: 'Attention  residuals!',
      arxivId: '2603.15031',
      upvotes: 4,
      summary: 'a much longer abstract',
      authors: ['A', 'B'],
      keywords: ['residual'],
      listedOn: '2026-03-17',
      url: 'https://huggingface.co/papers/2603.15031',
    });
    const fromArxiv = paper({
      title: 'Attention Residuals',
      arxivId: '2603.15031',
      keywords: ['cs.LG', 'Residual'],
      publishedAt: '2026-03-16',
      source: 'arxiv',
    });
    const [m, ...rest] = mergePapers([fromText, fromApi, fromArxiv]);
    expect(rest).toEqual([]);
    expect(m).toMatchObject({
      id: '2603.15031',
      arxivId: '2603.15031',
      title: 'Attention Residuals',
      summary: 'a much longer abstract',
      authors: ['A', 'B'],
      organization: 'Moonshot AI',
      upvotes: 6,
      publishedAt: '2026-03-16',
      listedOn: '2026-03-17',
      url: 'https://huggingface.co/papers/2603.15031',
      keywords: ['residual', 'cs.LG'],
    });
  });

  it('keeps papers with different arXiv ids apart even when titles agree', () => {
    const a = paper({ title: 'Technical Report', arxivId: '2601.00001' });
    const b = paper({ title: 'Technical Report', arxivId: '2601.00002' });
    expect(mergePapers([a, b])).toHaveLength(2);
  });

  it('merges a paper without an arXiv id into the one with it when their titles agree', () => {
    const fromText = paper({ title: 'Attention Residuals', source: 'hf-text', upvotes: 6 });
    const fromApi = paper({ title: 'Attention Residuals', arxivId: '2603.15031', upvotes: 4 });
    expect(mergePapers([fromApi, fromText]).map((p) => [p.id, p.upvotes])).toEqual([['2603.15031', 6]]);
  });

  it('keeps what either record knows, the first one on ties, the earlier publication and the later list date', () => {
    const rich = paper({
      title: 'Same',
      summary: 'abcd',
      aiSummary: 'in short',
      authors: ['A'],
      authorCount: 3,
      publishedAt: '2026-03-01',
      listedOn: '2026-03-05',
      pdfUrl: 'https://arxiv.org/pdf/1',
      githubUrl: 'https://github.com/a/b',
      thumbnailUrl: 'https://cdn.example/t.png',
    });
    const poor = paper({ title: 'Same', summary: 'wxyz', authors: ['B'], publishedAt: '2026-03-02', listedOn: '2026-03-04' });
    const expected = {
      summary: 'abcd',
      aiSummary: 'in short',
      authors: ['A'],
      authorCount: 3,
      publishedAt: '2026-03-01',
      listedOn: '2026-03-05',
      pdfUrl: 'https://arxiv.org/pdf/1',
      githubUrl: 'https://github.com/a/b',
      thumbnailUrl: 'https://cdn.example/t.png',
    };
    expect(mergePapers([rich, poor])[0]).toMatchObject(expected);
    expect(mergePapers([poor, rich])[0]).toMatchObject({ ...expected, summary: 'wxyz', authors: ['B'] });
  });

  it('merges a list read twice into one paper each', () => {
    const api = parseListing(readFixture('hf-api/daily_papers-2025-10-14.json')).papers;
    expect(mergePapers([...api, ...api])).toHaveLength(39);
  });
});

describe('parseTopics', () => {
  it('splits, trims, lowercases and dedupes', () => {
    expect(parseTopics('LLM, vision ,-Robotics,, llm, test   time')).toEqual(['llm', 'vision', '-robotics', 'test time']);
    expect(parseTopics('')).toEqual([]);
  });

  it('reads "- robotics" as the -topic "-robotics", and keeps a dash inside a topic', () => {
    expect(parseTopics('-  Robotics, self-  supervised, x - y')).toEqual(['-robotics', 'self- supervised', 'x - y']);
  });

  it('accepts 20 topics, and quotes at most 50 characters of a bad one', () => {
    expect(parseTopics(Array.from({ length: 20 }, (_, i) => `t${i}`).join(','))).toHaveLength(20);
    expect(() => parseTopics(`<${'x'.repeat(80)}>`)).toThrow(`"<${'x'.repeat(49)}" is not a topic`);
  });

  it('rejects what is not a topic with a message saying what is accepted', () => {
    expect(() => parseTopics('llm, <@everyone>')).toThrow(
      new UserError('"<@everyone>" is not a topic: use words separated by commas (up to 48 characters each), e.g. "llm, vision, -robotics"'),
    );
    expect(() => parseTopics(Array.from({ length: 21 }, (_, i) => `t${i}`).join(','))).toThrow('at most 20 topics, got 21');
  });
});

describe('rank: the edges a mutation run showed unguarded', () => {
  it('keeps a paper with exactly minUpvotes upvotes: the minimum is inclusive', () => {
    const { ranked, excluded } = rankWithExclusions([paper({ title: 'At the minimum', upvotes: 2 }), paper({ title: 'Below', upvotes: 1 })], {
      now,
      minUpvotes: 2,
    });
    expect(ranked.map((r) => r.paper.title)).toEqual(['At the minimum']);
    expect(excluded.map((e) => [e.paper.title, e.why])).toEqual([['Below', 'below 2 upvotes']]);
  });

  it('matches a topic found only in the abstract or only in the AI summary', () => {
    const inSummary = paper({ title: 'A', summary: 'We study retrieval for agents.', upvotes: 1 });
    const inAiSummary = paper({ title: 'B', aiSummary: 'It studies retrieval.', upvotes: 1 });
    const neither = paper({ title: 'C', upvotes: 1 });
    expect(rank([neither, inSummary, inAiSummary], { now, topics: ['retrieval'] }).map((r) => [r.paper.title, r.reason])).toEqual([
      ['A', '1 upvote · 1 day old · matches: retrieval'],
      ['B', '1 upvote · 1 day old · matches: retrieval'],
      ['C', '1 upvote · 1 day old'],
    ]);
    expect(topicsMatched(inAiSummary, ['retrieval', 'agents'])).toEqual(['retrieval']);
  });

  it('matches no topic through a field a paper leaves empty: no AI summary adds no words', () => {
    const bare = paper({ title: 'Bare', upvotes: 1 });
    const words = ['null', 'undefined', 'here', 'was', 'stryker'];
    expect(topicsMatched(bare, words)).toEqual([]);
    expect(rank([bare], { now, topics: words })[0]!.reason).toBe('1 upvote · 1 day old');
  });
});

describe('mergePapers: which records are one paper', () => {
  it('merges two records of one arXiv id whose titles differ, as a revised title does', () => {
    const v1 = paper({ title: 'Scaling laws for retrieval', arxivId: '2601.00001', upvotes: 3 });
    const v2 = paper({ title: 'Retrieval scaling laws, revisited', arxivId: '2601.00001', upvotes: 7, listedOn: '2026-04-20' });
    const other = paper({ title: 'Something else', arxivId: '2601.00002' });
    expect(mergePapers([v1, other, v2]).map((p) => [p.id, p.title, p.upvotes, p.listedOn])).toEqual([
      ['2601.00001', 'Scaling laws for retrieval', 7, '2026-04-20'],
      ['2601.00002', 'Something else', 0, null],
    ]);
  });

  it('merges a record without an arXiv id into the first of two papers that share its title', () => {
    const first = paper({ title: 'Technical Report', arxivId: '2601.00001', upvotes: 1 });
    const second = paper({ title: 'Technical Report', arxivId: '2601.00002', upvotes: 2 });
    const listed = paper({ title: 'Technical report', upvotes: 9, source: 'hf-text' });
    expect(mergePapers([first, second, listed]).map((p) => [p.id, p.upvotes])).toEqual([
      ['2601.00001', 9],
      ['2601.00002', 2],
    ]);
  });

  it("keeps the arXiv record's categories whichever record comes first, the first's when both name some", () => {
    const arxiv = paper({ title: 'Same', arxivId: '2601.00001', categories: ['cs.CL', 'cs.LG'], source: 'arxiv' });
    const hf = paper({ title: 'Same', arxivId: '2601.00001' });
    const other = paper({ title: 'Same', arxivId: '2601.00001', categories: ['stat.ML'], source: 'arxiv' });
    expect(mergePapers([arxiv, hf])[0]!.categories).toEqual(['cs.CL', 'cs.LG']);
    expect(mergePapers([hf, arxiv])[0]!.categories).toEqual(['cs.CL', 'cs.LG']);
    expect(mergePapers([arxiv, other])[0]!.categories).toEqual(['cs.CL', 'cs.LG']);
    expect(mergePapers([{ ...hf, categories: [] }, other])[0]!.categories).toEqual(['stat.ML']);
  });

  it('keeps apart titles that differ only where punctuation splits a number: a 1.5B model is not a 15B one', () => {
    const small = paper({ title: 'Training a 1.5B model on one GPU', source: 'hf-text', upvotes: 3 });
    const large = paper({ title: 'Training a 15B model on one GPU', source: 'hf-text', upvotes: 5 });
    expect(mergePapers([small, large]).map((p) => [p.title, p.upvotes])).toEqual([
      ['Training a 1.5B model on one GPU', 3],
      ['Training a 15B model on one GPU', 5],
    ]);
  });
  it('compares titles without case for every letter: a title in capitals with ẞ is the same paper as the one with ß', () => {
    const caps = paper({ title: 'DIE GROẞE STUDIE ÜBER LLMS', source: 'hf-text', upvotes: 3 });
    const mixed = paper({ title: 'Die große Studie über LLMs', arxivId: '2601.00003', upvotes: 1 });
    expect(mergePapers([caps, mixed]).map((p) => [p.id, p.upvotes])).toEqual([['2601.00003', 3]]);
  });
});

describe('topicMatcher', () => {
  it('matches a topic with regex characters literally: "c++" and "gpt-4.5"', () => {
    const cpp = paper({ title: 'Compiling C++ templates', upvotes: 1 });
    const gpt = paper({ title: 'Probing GPT-4.5 on math', upvotes: 1 });
    const lookalike = paper({ title: 'GPT-4x5 grids in C', upvotes: 1 });
    expect(topicsMatched(cpp, ['c++', 'gpt-4.5'])).toEqual(['c++']);
    expect(topicsMatched(gpt, ['c++', 'gpt-4.5'])).toEqual(['gpt-4.5']);
    expect(topicsMatched(lookalike, ['c++', 'gpt-4.5'])).toEqual([]);
  });

  it('boosts by a topic that ends in a dash as a word start: "self-" matches "self-supervised"', () => {
    const p = paper({ title: 'Self-supervised pretraining', upvotes: 1 });
    expect(rank([p], { now, topics: ['self-'] })[0]!.reason).toBe('1 upvote · 1 day old · matches: self-');
  });
});
