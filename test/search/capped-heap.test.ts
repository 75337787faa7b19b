import { spawnSync } from 'node:child_process';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open';
import { seeded } from '../helpers/synthetic-papers';
import { allFixturePapers } from '../helpers/fixture-papers';
import { repoRoot } from '../helpers/fixtures';
import { testDatabase } from '../helpers/stores';

const PAPERS = 200_000;
const HEAP_MIB = 256;
/** Runs of 10 real abstract words; each generated abstract is 6 of them, its title 8 real title words. */
const RUNS = 5_000;

/**
 * 200,000 papers from the real papers' words, written by one INSERT … SELECT (the FTS5 triggers
 * index them as they go), then the document counts taken from the index as migration 0007 does.
 */
function generate(file: string): void {
  const real = allFixturePapers();
  const rand = seeded(19);
  const pick = (xs: string[]) => xs[Math.floor(rand() * xs.length)]!;
  const titleWords = real.flatMap((p) => p.title.split(/\s+/));
  const summaryWords = real.flatMap((p) => p.summary.split(/\s+/));
  const db = new BetterSqlite3(file);
  try {
    db.exec('create temp table title_words (i integer primary key, word text); create temp table runs (i integer primary key, run text)');
    const tw = db.prepare('insert into title_words values (?, ?)');
    const rw = db.prepare('insert into runs values (?, ?)');
    db.transaction(() => {
      for (const [i, w] of titleWords.entries()) tw.run(i, w);
      for (let i = 0; i < RUNS; i++) rw.run(i, Array.from({ length: 10 }, () => pick(summaryWords)).join(' '));
    })();
    // Pseudo-random picks per paper n: word k of the title is (n * a_k + b_k) mod the vocabulary size.
    const term = (table: string, column: string, size: number, k: number) =>
      `(select ${column} from ${table} where i = (n.i * ${7_919 + 104_729 * k} + ${31 * k + 11}) % ${size})`;
    const title = Array.from({ length: 8 }, (_, k) => term('title_words', 'word', titleWords.length, k)).join(` || ' ' || `);
    const summary = Array.from({ length: 6 }, (_, k) => term('runs', 'run', RUNS, k + 8)).join(` || ' ' || `);
    db.exec(`insert into papers (id, title, summary, authors, published_at, listed_on, upvotes, keywords, source, first_seen_at, updated_at)
      with recursive n(i) as (select 0 union all select i + 1 from n where i < ${PAPERS - 1})
      select printf('g%06d', i), ${title}, ${summary}, '["A. Author"]', date('2016-01-01', '+' || (i % 3650) || ' days'),
        date('2016-01-01', '+' || (i % 3650) || ' days'), i % 300, '[]', 'hf-api', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'
      from n`);
    db.exec(`create virtual table temp.vocab using fts5vocab(main, papers_fts, 'row');
      delete from paper_terms;
      insert into paper_terms (term, docs) select term, doc from temp.vocab union all select '', count(*) from papers`);
  } finally {
    db.close();
  }
}

describe('search on a store of 200,000 papers', () => {
  it(`runs search, similar and for-you in a process whose heap is capped at ${HEAP_MIB} MiB`, { timeout: 600_000 }, async () => {
    const { url, cleanup } = testDatabase('sqlite');
    try {
      const store = await openStore(url);
      await store.close();
      generate(url.slice('sqlite:'.length));
      const after = await openStore(url);
      const real = allFixturePapers();
      await after.papers.upsert(real, new Date('2026-12-06T00:00:00Z'));
      for (const p of real.slice(0, 50)) await after.bookmarks.add({ platform: 'console', userId: 'u50', paperId: p.id, messageId: null, at: new Date() });
      expect(await after.papers.count()).toBe(PAPERS + real.length);
      await after.close();

      const child = spawnSync(
        process.execPath,
        [`--max-old-space-size=${HEAP_MIB}`, '--import', 'tsx', path.join(repoRoot, 'test/search/capped-heap-child.ts'), url, 'u50', real[0]!.id],
        { encoding: 'utf8', timeout: 300_000 },
      );
      expect(child.stderr).toBe('');
      expect(child.status).toBe(0);
      const found = JSON.parse(child.stdout) as { search: Record<string, number>; similar: number; foryou: number; heapMiB: number };
      expect(found.search).toEqual({ model: 10, 'learning language model': 10, 'attention -video': 10, '"language models"': 10 });
      expect(found.similar).toBe(5);
      expect(found.foryou).toBeGreaterThan(0);
      expect(found.heapMiB).toBeLessThan(HEAP_MIB);
    } finally {
      await cleanup();
    }
  });
});
