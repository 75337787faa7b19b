/**
 * Search at 100,000 papers: a synthetic corpus drawn from the words of the bundled real Daily
 * Papers list (same word frequencies, random combinations) plus the real papers themselves, loaded
 * into a SQLite store through papers.upsert's bulk path; reports how long storing (the engine indexes
 * as papers are written) takes, and the latency of `/papers search` queries.
 * It fails rather than report fast wrong answers: each real paper's own title must find it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { parseListing } from '../src/parse/index';
import { openStore } from '../src/store/open';
import { words } from '../src/search/text';
import { knob, ms, percentile, verdict } from './stats';
import type { Paper } from '../src/model/paper';

const PAPERS = knob(process.env.BENCH_SEARCH_PAPERS, 100_000);
const TARGET_P99_MS = 20;
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

export async function run(): Promise<string[]> {
  const rand = random(42);
  const real = parseListing(readFileSync(bundled, 'utf8')).papers;
  const corpus = syntheticCorpus(real, PAPERS, rand);
  const vocabulary = [...new Set(real.flatMap((p) => words(p.title)))];

  const dir = mkdtempSync(path.join(tmpdir(), 'papers-bench-'));
  const store = await openStore(`sqlite:${path.join(dir, 'bench.db')}`);
  try {
    const storeStart = performance.now();
    for (let i = 0; i < corpus.length; i += BATCH) await store.papers.upsert(corpus.slice(i, i + BATCH), new Date());
    await store.papers.upsert(real, new Date());
    const storeMs = performance.now() - storeStart;
    const rssMiB = process.memoryUsage().rss / 2 ** 20;

    // The answer must be right before its speed counts. Synthetic titles reuse the real titles'
    // words, so a real title can rank below many synthetic ones; it must still be a match.
    const places: number[] = [];
    for (const paper of real) {
      const place = (await store.search.find(paper.title, 1_000)).findIndex((p) => p.id === paper.id);
      if (place < 0) throw new Error(`search for the title "${paper.title}" did not find that paper`);
      places.push(place + 1);
    }
    const queries = Array.from({ length: QUERIES }, () =>
      Array.from({ length: 1 + Math.floor(rand() * 3) }, () => vocabulary[Math.floor(rand() * vocabulary.length)]).join(' '),
    );
    for (const q of queries.slice(0, 20)) await store.search.find(q, 10); // warm up the JIT and page cache
    const times: number[] = [];
    // This process's CPU time per query as well: on a busy machine wall time also counts waiting.
    const cpuTimes: number[] = [];
    let hits = 0;
    for (const q of queries) {
      const start = performance.now();
      const cpu = process.cpuUsage();
      hits += (await store.search.find(q, 10)).length;
      times.push(performance.now() - start);
      const used = process.cpuUsage(cpu);
      cpuTimes.push((used.user + used.system) / 1000);
    }
    const p99 = percentile(times, 99);
    // Other processes on the machine show up in the tail: say how busy it was.
    const load = os.loadavg()[0]!.toFixed(1);
    return [
      `corpus: ${(PAPERS + real.length).toLocaleString('en')} papers: ${PAPERS.toLocaleString('en')} synthetic from the words of ${real.length} real ones, and those (SQLite)`,
      `store, indexed by the engine (bulk upsert, ${BATCH} per call): ${(storeMs / 1000).toFixed(1)} s (process memory then ${rssMiB.toFixed(0)} MiB)`,
      `sanity: each of the ${real.length} real papers' titles finds that paper (first for ${places.filter((p) => p === 1).length}, median place ${percentile(places, 50)})`,
      `search (${QUERIES} queries of 1-3 words, top 10, ${(hits / QUERIES).toFixed(1)} results each, on the engine): p50 ${ms(percentile(times, 50))}, p99 ${ms(p99)} (target p99 ≤ ${TARGET_P99_MS} ms: ${verdict(p99 <= TARGET_P99_MS)}; load average ${load} on ${os.cpus().length} cores)`,
      `search CPU time of this process: p50 ${ms(percentile(cpuTimes, 50))}, p99 ${ms(percentile(cpuTimes, 99))}`,
    ];
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
