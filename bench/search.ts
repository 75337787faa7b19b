/**
 * Search, similar and for-you on a store of 1,000,000 papers, on SQLite and on PostgreSQL: papers
 * made of the real fixture papers' words (test/helpers/synthetic-store, one INSERT … SELECT), plus
 * the real papers, and a user with 50 bookmarks. Reports latency percentiles (wall and this
 * process's CPU, as the machine is shared), `papers start` on that store (time to ready, memory),
 * and storing 100,000 papers in one `papers.upsert` call, as `papers import` stores a file.
 * It fails rather than report fast wrong answers: each real paper's own title must find it.
 */
import os from 'node:os';
import pg from 'pg';
import { performance } from 'node:perf_hooks';
import { forYou } from '../src/search/foryou';
import { similarPapers } from '../src/search/similar';
import { words } from '../src/search/text';
import { openStore } from '../src/store/open';
import type { Store } from '../src/store/types';
import { allFixturePapers } from '../test/helpers/fixture-papers';
import { storeKinds, testDatabase, testDatabaseUrl } from '../test/helpers/stores';
import { seeded, syntheticPapers } from '../test/helpers/synthetic-papers';
import { addGeneratedPapers } from '../test/helpers/synthetic-store';
import { describe, measure } from './scale';
import { knob, ms, percentile, verdict } from './stats';

const PAPERS = knob(process.env.BENCH_SEARCH_PAPERS, 1_000_000);
/** `BENCH_SEARCH_STORES=sqlite` (or postgres) measures one store; the default is every reachable one. */
const STORES = process.env.BENCH_SEARCH_STORES?.split(',') ?? storeKinds;
const IMPORT = knob(process.env.BENCH_IMPORT_PAPERS, 100_000);
const QUERIES = 300;
const SIMILAR = 100;
const FORYOU = 50;
const BOOKMARKS = 50;
const TARGET = { search: 20, similar: 50, foryou: 50, readyMs: 2_000, peakMb: 200, importS: 60 };

interface Timing {
  wall: number[];
  cpu: number[];
}

/** Wall and CPU time of each call; CPU is this process's, which is where SQLite works. */
async function timed(n: number, call: (i: number) => Promise<unknown>): Promise<Timing> {
  for (let i = 0; i < Math.min(5, n); i++) await call(i); // warm-up: JIT, caches
  const t: Timing = { wall: [], cpu: [] };
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    const cpu = process.cpuUsage();
    await call(i);
    t.wall.push(performance.now() - start);
    const used = process.cpuUsage(cpu);
    t.cpu.push((used.user + used.system) / 1000);
  }
  return t;
}

const figures = (name: string, t: Timing, target: number) => {
  const p99 = percentile(t.wall, 99);
  return `${name}: wall p50 ${ms(percentile(t.wall, 50))}, p99 ${ms(p99)} (target ≤ ${target} ms: ${verdict(p99 <= target)}); CPU p50 ${ms(percentile(t.cpu, 50))}, p99 ${ms(percentile(t.cpu, 99))}`;
};

async function queries(store: Store, name: string): Promise<string[]> {
  const real = allFixturePapers();
  const rand = seeded(7);
  const places: number[] = [];
  for (const paper of real) {
    const place = (await store.search.find(paper.title, 50)).findIndex((p) => p.id === paper.id);
    if (place < 0) throw new Error(`${name}: search for the title "${paper.title}" did not find that paper`);
    places.push(place + 1);
  }
  const vocabulary = [...new Set(real.flatMap((p) => words(p.title)))];
  const asked = Array.from({ length: QUERIES }, () =>
    Array.from({ length: 1 + Math.floor(rand() * 3) }, () => vocabulary[Math.floor(rand() * vocabulary.length)]).join(' '),
  );
  let hits = 0;
  const search = await timed(QUERIES, async (i) => (hits += (await store.search.find(asked[i]!, 10)).length));
  const targets = await store.papers.getMany([
    ...real.map((p) => p.id),
    ...Array.from({ length: SIMILAR }, (_, i) => `g${String(i * 9_973).padStart(7, '0')}`),
  ]);
  const similar = await timed(SIMILAR, (i) => similarPapers(store, targets[(i * 37) % targets.length]!, 5));
  const foryou = await timed(FORYOU, () => forYou(store, { platform: 'console', userId: 'bench' }, { now: new Date('2026-12-06T12:00:00Z'), limit: 10 }));
  return [
    `${name} sanity: each of the ${real.length} real papers' titles finds it (first for ${places.filter((p) => p === 1).length}, median place ${percentile(places, 50)})`,
    `${name} ${figures(`search (${QUERIES} queries of 1-3 real title words, top 10, ${(hits / (QUERIES + 5)).toFixed(1)} results each)`, search, TARGET.search)}`,
    `${name} ${figures(`similar (${SIMILAR} papers, real and generated, top 5)`, similar, TARGET.similar)}`,
    `${name} ${figures(`foryou (${BOOKMARKS} bookmarks, the latest list)`, foryou, TARGET.foryou)}`,
  ];
}

/**
 * A new empty database: SQLite in a temp file; PostgreSQL in a schema of its own whose name does not
 * start with the tests' `t_`, which other work on a shared server may clear away mid-run.
 */
function benchDatabase(kind: 'sqlite' | 'postgres'): { url: string; cleanup(): Promise<void> } {
  if (kind === 'sqlite') return testDatabase(kind);
  const schema = `bench_search_${Date.now().toString(36)}`;
  const url = new URL(testDatabaseUrl);
  url.searchParams.set('schema', schema);
  return {
    url: url.toString(),
    cleanup: async () => {
      const client = new pg.Client({ connectionString: testDatabaseUrl });
      await client.connect();
      try {
        await client.query(`drop schema if exists "${schema}" cascade`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Stores IMPORT papers in one call on an empty store, as `papers import` does with one large file. */
async function importSeconds(kind: 'sqlite' | 'postgres'): Promise<number> {
  const db = benchDatabase(kind);
  const store = await openStore(db.url);
  try {
    const papers = syntheticPapers(allFixturePapers(), { from: 0, count: IMPORT, summaryWords: [100, 220] });
    const start = performance.now();
    await store.papers.upsert(papers, new Date());
    return (performance.now() - start) / 1000;
  } finally {
    await store.close();
    await db.cleanup();
  }
}

export async function run(): Promise<string[]> {
  const real = allFixturePapers();
  const lines = [
    `corpus: ${PAPERS.toLocaleString('en')} papers made of the words of the ${real.length} real fixture papers (8 title words, a 60-word abstract each), and those; one user with ${BOOKMARKS} bookmarks; 1-minute load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores at the start (other work shares the machine: wall times stretch, CPU times much less)`,
  ];
  for (const kind of storeKinds.filter((k) => STORES.includes(k))) {
    const name = kind === 'sqlite' ? 'SQLite' : 'PostgreSQL';
    const db = benchDatabase(kind);
    try {
      await (await openStore(db.url)).close();
      const genStart = performance.now();
      await addGeneratedPapers(db.url, PAPERS);
      const genS = (performance.now() - genStart) / 1000;
      const store = await openStore(db.url);
      try {
        await store.papers.upsert(real, new Date('2026-12-06T00:00:00Z'));
        for (const p of real.slice(0, BOOKMARKS))
          await store.bookmarks.add({ platform: 'console', userId: 'bench', paperId: p.id, messageId: null, at: new Date() });
        lines.push(`${name}: generated and indexed in one statement in ${genS.toFixed(0)} s`, ...(await queries(store, name)));
        // Each figure as it comes, so a run cut off (or a later store failing) still leaves these.
        console.error(lines.join('\n'));
      } finally {
        await store.close();
      }
      const start = await measure(db.url);
      lines.push(
        `${name} \`papers start\` on this store: ${describe(start)} (targets ready ≤ 2 s: ${verdict(start.readyMs <= TARGET.readyMs)}, peak ≤ 200 MB: ${verdict(start.peakMb <= TARGET.peakMb)})`,
      );
    } finally {
      await db.cleanup();
    }
    const importS = await importSeconds(kind);
    lines.push(
      `${name} import of ${IMPORT.toLocaleString('en')} papers (one upsert call): ${importS.toFixed(1)} s (target ≤ ${TARGET.importS} s: ${verdict(importS <= TARGET.importS)})`,
    );
  }
  if (!storeKinds.includes('postgres')) lines.push(`PostgreSQL: not measured, ${testDatabaseUrl} was unreachable`);
  return lines;
}
