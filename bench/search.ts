/**
 * Search at 100,000 papers: a synthetic corpus drawn from the words of the bundled real Daily
 * Papers list (same word frequencies, random combinations), loaded into a SQLite store; reports
 * how long loading and indexing take and the latency of `/papers search` queries.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { parseListing } from '../src/parse/index';
import { openStore } from '../src/store/open';
import { words } from '../src/search/text';
import type { Paper } from '../src/model/paper';

const PAPERS = 100_000;
const QUERIES = 500;
const BATCH = 2_000;
const bundled = fileURLToPath(new URL('../src/sources/bundled/hf-daily-papers-2025-10-14.json', import.meta.url));

/** mulberry32: a seeded generator, so every run builds the same corpus and asks the same queries. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function syntheticCorpus(real: Paper[], n: number, rand: () => number): Paper[] {
  // Word streams keep the real frequencies: a word drawn at random is as common as it is in real text.
  const titleWords = real.flatMap((p) => p.title.split(/\s+/));
  const summaryWords = real.flatMap((p) => p.summary.split(/\s+/));
  const keywords = real.flatMap((p) => p.keywords);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  const draw = <T>(xs: T[], count: number) => Array.from({ length: count }, () => pick(xs));
  const template = real[0]!;
  return Array.from({ length: n }, (_, i) => ({
    ...template,
    id: `9${String(i).padStart(8, '0')}`,
    arxivId: null,
    title: draw(titleWords, 6 + Math.floor(rand() * 8)).join(' '),
    summary: draw(summaryWords, 100 + Math.floor(rand() * 120)).join(' '),
    keywords: draw(keywords, Math.floor(rand() * 6)),
    upvotes: Math.floor(rand() * 200),
    listedOn: `2025-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
  }));
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export async function run(): Promise<string[]> {
  const rand = random(42);
  const real = parseListing(readFileSync(bundled, 'utf8')).papers;
  const corpus = syntheticCorpus(real, PAPERS, rand);
  const vocabulary = [...new Set(real.flatMap((p) => words(p.title)))];

  const dir = mkdtempSync(path.join(tmpdir(), 'papers-bench-'));
  const store = await openStore(`sqlite:${path.join(dir, 'bench.db')}`);
  try {
    const buildStart = performance.now();
    for (let i = 0; i < corpus.length; i += BATCH) await store.upsertPapers(corpus.slice(i, i + BATCH), new Date());
    const buildMs = performance.now() - buildStart;

    const queries = Array.from({ length: QUERIES }, () =>
      Array.from({ length: 1 + Math.floor(rand() * 3) }, () => vocabulary[Math.floor(rand() * vocabulary.length)]).join(' '),
    );
    for (const q of queries.slice(0, 20)) await store.searchPapers(q, 10); // warm the page cache
    const times: number[] = [];
    let hits = 0;
    for (const q of queries) {
      const start = performance.now();
      hits += (await store.searchPapers(q, 10)).length;
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    return [
      `corpus: ${PAPERS.toLocaleString('en')} synthetic papers from the words of ${real.length} real ones (SQLite, FTS5)`,
      `index build (load + index): ${(buildMs / 1000).toFixed(1)} s`,
      `search (${QUERIES} queries of 1-3 words, top 10, ${(hits / QUERIES).toFixed(1)} results each): p50 ${percentile(times, 50).toFixed(2)} ms, p99 ${percentile(times, 99).toFixed(2)} ms (target p99 ≤ 20 ms)`,
    ];
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  for (const line of await run()) console.log(line);
}
