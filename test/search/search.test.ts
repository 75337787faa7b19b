import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseListing } from '../../src/parse/index';
import { formatQuery, parseQuery } from '../../src/search/query';
import { similarPapers } from '../../src/search/similar';
import { openStore } from '../../src/store/open';
import type { Paper } from '../../src/model/paper';
import type { Store } from '../../src/store/types';
import { readFixture } from '../helpers/fixtures';
import { allFixturePapers } from '../helpers/fixture-papers';
import { openTestStore, storeKinds, withConnection, type StoreKind } from '../helpers/stores';

const seenAt = new Date('2026-04-21T12:00:00Z');

/** The hf-text search page (has Titans) and a full 2025 Daily Papers list, as a store would hold them. */
function fixturePapers(): Paper[] {
  return [
    ...parseListing(readFixture('hf-text/daily-papers-search-2026-04-21.txt'), { today: '2026-04-21' }).papers,
    ...parseListing(readFixture('hf-api/daily_papers-2025-10-14.json')).papers,
  ];
}

const HOSTILE = [
  `memorize" OR "attention`,
  'memorize -test time',
  'memorize NEAR(test time)',
  'memor* test time',
  "memorize'; DROP TABLE papers; --",
  'memorize & test | time !',
  "memorize:* 'test' <-> time",
  'title:memorize AND test NOT time',
  '(((memorize test time',
  'MEMORIZE  TEST\tTIME\n',
  'ｍｅｍｏｒｉｚｅ test time',
  `memorize test time ${'padding '.repeat(1300)}`,
  '"',
  '*',
  '-',
  'NEAR',
  '🔖 注意力 機構 ñandú',
  '\u0000\u202e',
  'the of and',
];

const open: Partial<Record<StoreKind, Store>> = {};
const cleanups: (() => Promise<void>)[] = [];
beforeAll(async () => {
  const papers = fixturePapers();
  for (const kind of storeKinds) {
    const t = await openTestStore(kind);
    cleanups.push(t.cleanup);
    await t.store.papers.upsert(papers, seenAt);
    open[kind] = t.store;
  }
});
afterAll(async () => {
  for (const c of cleanups) await c();
});

describe.each(storeKinds)('search on %s', (kind) => {
  const store = () => open[kind]!;

  it('finds "Titans: Learning to Memorize at Test Time" first for "memorize test time"', async () => {
    const found = await store().search.find('memorize test time', 10);
    expect(found[0]?.title).toBe('Titans: Learning to Memorize at Test Time');
  });

  it('matches other forms of the words', async () => {
    const found = await store().search.find('memorizing tests', 10);
    expect(found.map((p) => p.title)).toContain('Titans: Learning to Memorize at Test Time');
  });

  it('requires every word', async () => {
    expect(await store().search.find('memorize zebrafish', 10)).toEqual([]);
    const found = await store().search.find('attention', 50);
    expect(found.length).toBeGreaterThan(5);
    for (const p of found) expect(`${p.title} ${p.summary} ${p.keywords.join(' ')}`.toLowerCase()).toMatch(/attent/);
  });

  it('gives the same order every time', async () => {
    for (const q of ['attention', 'learning', 'neural networks', 'model']) {
      const first = (await store().search.find(q, 20)).map((p) => p.id);
      expect((await store().search.find(q, 20)).map((p) => p.id)).toEqual(first);
    }
  });

  it('reads any text only as words, "phrases" and -excluded words: operators, SQL and 10 kB never error or widen the query', async () => {
    for (const q of HOSTILE) {
      const plain = formatQuery(parseQuery(q));
      const got = (await store().search.find(q, 10)).map((p) => p.id);
      expect(got, q.slice(0, 40)).toEqual((await store().search.find(plain, 10)).map((p) => p.id));
    }
    // "OR" is a plain (stop)word, so it does not widen; -test excludes what has "test".
    expect(await store().search.find('memorize OR zebrafish', 10)).toEqual([]);
    expect((await store().search.find('memorize time', 10)).map((p) => p.title)).toContain('Titans: Learning to Memorize at Test Time');
    expect((await store().search.find('memorize -test time', 10)).map((p) => p.title)).not.toContain('Titans: Learning to Memorize at Test Time');
    expect(await store().papers.count()).toBe(fixturePapers().length);
  });

  it('matches a "quoted phrase" only with its words in that order', async () => {
    const titans = 'Titans: Learning to Memorize at Test Time';
    expect((await store().search.find('"learning to memorize"', 10)).map((p) => p.title)).toContain(titans);
    expect((await store().search.find('"memorize learning"', 10)).map((p) => p.title)).not.toContain(titans);
    expect((await store().search.find('memorize learning', 10)).map((p) => p.title)).toContain(titans);
  });

  it('finds nothing for exclusions alone, never "everything but"', async () => {
    expect(await store().search.find('-attention', 10)).toEqual([]);
    expect(await store().search.find('-"test time"', 10)).toEqual([]);
  });

  it('finds the nearest papers to a paper, without the paper itself', async () => {
    const titans = (await store().search.find('titans memorize', 1))[0]!;
    const near = await similarPapers(store(), titans, 5);
    expect(near.map((s) => s.paper.id)).not.toContain(titans.id);
    expect(near.map((s) => s.paper.title)).toContain('Test-time regression: a unifying framework for designing sequence models with associative memory');
    expect((await similarPapers(store(), titans, 5)).map((s) => s.paper.id)).toEqual(near.map((s) => s.paper.id));
  });
});

describe.each(storeKinds)('every real paper on %s', (kind) => {
  it('is found first by its own title', async () => {
    const papers = allFixturePapers();
    const { store, cleanup } = await openTestStore(kind);
    try {
      await store.papers.upsert(papers, seenAt);
      const missed: string[] = [];
      for (const paper of papers) if ((await store.search.find(paper.title, 1))[0]?.id !== paper.id) missed.push(paper.title);
      expect(missed).toEqual([]);
      expect(papers.length).toBeGreaterThan(200);
    } finally {
      await cleanup();
    }
  });
});

describe('search on SQLite', () => {
  it('puts the newer of two papers with the same title first', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    try {
      const [base] = allFixturePapers();
      const paper = (id: string): Paper => ({ ...base!, id, title: 'Quokka Routing for Sparse Experts' });
      await store.papers.upsert([paper('2601.00002')], seenAt);
      await store.papers.upsert([paper('2601.00001')], seenAt);
      expect((await store.search.find('quokka routing sparse experts', 2)).map((p) => p.id)).toEqual(['2601.00001', '2601.00002']);
    } finally {
      await cleanup();
    }
  });
});

describe.runIf(storeKinds.length > 1)('search across stores', () => {
  it('gives SQLite and Postgres the same matches, and the same best match for a specific query', async () => {
    // Each ranks with its own engine (BM25, ts_rank_cd), so only a clear best match must agree.
    for (const q of ['attention', 'memorize test time', 'neural networks', 'video generation', 'language model']) {
      const [a, b] = await Promise.all(storeKinds.map(async (k) => (await open[k]!.search.find(q, 500)).map((p) => p.id).sort()));
      expect(b, q).toEqual(a);
    }
    for (const q of ['memorize test time', 'self-attentive sequential recommendation', 'kazakh speech recognition']) {
      const [a, b] = await Promise.all(storeKinds.map(async (k) => (await open[k]!.search.find(q, 1))[0]?.id));
      expect(b, q).toEqual(a);
    }
    const paper = (await open.sqlite!.search.find('titans', 1))[0]!;
    const [a, b] = await Promise.all(storeKinds.map(async (k) => (await similarPapers(open[k]!, paper, 1)).map((s) => s.paper.id)));
    expect(b).toEqual(a);
  });
});

describe.each(storeKinds)('search with two replicas on one %s database', (kind) => {
  it("sees the other replica's new and changed papers, and forgets changed words", async () => {
    const { store: a, url, cleanup } = await openTestStore(kind);
    const b = await openStore(url);
    try {
      const titans = fixturePapers().find((p) => p.title.startsWith('Titans'));
      const other = fixturePapers().find((p) => p.title.startsWith('AutoInt'));
      await a.papers.upsert([titans!], seenAt);
      expect((await b.search.find('memorize test time', 5)).map((p) => p.id)).toEqual([titans!.id]);
      const before = await b.search.documentFrequencies(['memorize', 'zebrafish']);
      expect([before.docCount, before.docFreq.get('memorize'), before.docFreq.get('zebrafish')]).toEqual([1, 1, 0]);
      await a.papers.upsert([other!, { ...titans!, title: 'Titans: Learning to Forget at Test Time', summary: 'A zebrafish study.' }], seenAt);
      expect(await b.search.find('memorize', 5)).toEqual([]);
      expect((await b.search.find('forget zebrafish', 5)).map((p) => p.id)).toEqual([titans!.id]);
      expect((await b.search.find('autoint', 5)).map((p) => p.id)).toEqual([other!.id]);
      // Counts b read before are not kept past a's write.
      const after = await b.search.documentFrequencies(['memorize', 'zebrafish']);
      expect([after.docCount, after.docFreq.get('memorize'), after.docFreq.get('zebrafish')]).toEqual([2, 0, 1]);
    } finally {
      await b.close();
      await cleanup();
    }
  });
});

/** Each term's paper count as the engine's own index holds it now, and '' the number of papers. */
function recountedTerms(url: string): Promise<Map<string, number>> {
  return withConnection(url, async (conn) => {
    const { rows } =
      conn.dialect === 'postgres'
        ? await sql<{ term: string; docs: number }>`select t.lexeme as term, count(*) as docs from papers, unnest(papers.search_vector) t group by t.lexeme
            union all select '', count(*) from papers`.execute(conn.db)
        : await conn.db.connection().execute(async (c) => {
            await sql`create virtual table temp.recount using fts5vocab(main, papers_fts, 'row')`.execute(c);
            return sql<{ term: string; docs: number }>`select term, doc as docs from temp.recount union all select '', count(*) from papers`.execute(c);
          });
    return new Map(rows.map((r) => [r.term, Number(r.docs)]));
  });
}

function storedTerms(url: string): Promise<Map<string, number>> {
  return withConnection(url, async (conn) => {
    const rows = await conn.db.selectFrom('paper_terms').select(['term', 'docs']).where('docs', '<>', 0).execute();
    return new Map(rows.map((r) => [r.term, Number(r.docs)]));
  });
}

describe.each(storeKinds)('paper_terms on %s', (kind) => {
  it("stays equal to a recount of the engine's index through inserts, re-texts and re-sightings", async () => {
    // The papers repository counts its writes (no trigger on either engine): nothing else writes papers.
    const { store, url, cleanup } = await openTestStore(kind);
    try {
      const papers = fixturePapers();
      const [titans, other] = [papers.find((p) => p.title.startsWith('Titans'))!, papers.find((p) => p.title.startsWith('AutoInt'))!];
      await store.papers.upsert(papers.slice(0, 300), seenAt);
      expect(await storedTerms(url)).toEqual(await recountedTerms(url));
      // New papers, papers with new text (one of them twice in the same call), one with new upvotes only.
      await store.papers.upsert(
        [
          ...papers.slice(300),
          { ...titans, title: 'Titans: Learning to Forget at Test Time', summary: 'A zebrafish study of forgetting.' },
          { ...titans, title: 'Titans: Learning to Forget', summary: 'A zebrafish study.', keywords: ['zebrafish', 'memory'] },
          { ...other, upvotes: other.upvotes + 7 },
          { ...papers[1]!, id: 'added-then-retexted', title: 'A first title' },
          { ...papers[1]!, id: 'added-then-retexted', title: 'A second title about zebrafish' },
        ],
        seenAt,
      );
      const recounted = await recountedTerms(url);
      expect(await storedTerms(url)).toEqual(recounted);
      expect(recounted.get('')).toBe(papers.length + 1);
      expect((await store.search.documentFrequencies(['zebrafish'])).docFreq.get('zebrafish')).toBe(2);
    } finally {
      await cleanup();
    }
  });
});

describe.each(storeKinds)('search among many matches on %s', (kind) => {
  it('ranks the most recently stored matches of a common word, and still finds an old paper by its own words', { timeout: 120_000 }, async () => {
    // Enough papers that PostgreSQL reads a common word's matches from its newest buckets only.
    const [base] = fixturePapers();
    const papers = Array.from({ length: 6_000 }, (_, n) => ({
      ...base!,
      id: `m${String(n).padStart(5, '0')}`,
      title: n === 0 ? 'Quokka navigation in common gardens' : `Common paper ${n}`,
      summary: 'A common study.',
      keywords: [],
    }));
    const { store, cleanup } = await openTestStore(kind);
    try {
      // Stored in three calls, oldest first: the last 1,000 stored are the RANKED newest.
      for (const part of [papers.slice(0, 2_000), papers.slice(2_000, 5_000), papers.slice(5_000)]) await store.papers.upsert(part, seenAt);
      const found = await store.search.find('common', 10);
      expect(found).toHaveLength(10);
      for (const p of found) expect(p.id >= 'm05000').toBe(true);
      expect((await store.search.find('quokka common', 10)).map((p) => p.id)).toEqual(['m00000']);
      const near = await store.search.matchAny([{ word: 'common', weight: 1 }], 300, []);
      expect(near).toHaveLength(200);
      for (const h of near) expect(h.id >= 'm05800').toBe(true);
    } finally {
      await cleanup();
    }
  });
});
