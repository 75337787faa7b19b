/**
 * Scale: resident memory and time to ready of a real `papers start` child process (console adapter,
 * offline: HF_BASE_URL points at a closed loopback port) on a database holding 10,000 subscriptions
 * and 1,000,000 bookmarks, on SQLite and on PostgreSQL. The rows are bulk-inserted with SQL (a
 * generated series), after the store itself created the schema and stored the real bundled list.
 * Subscription times lie 7-17 hours after "now" in eight zones, so no digest is due at start.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { parseListing } from '../src/parse/index';
import { localDateTime } from '../src/schedule/time';
import { openStore } from '../src/store/open';
import { parseDatabaseUrl } from '../src/store/database-url';
import { storeKinds, testDatabase, testDatabaseUrl } from '../test/helpers/stores';
import { repoRoot } from '../test/helpers/fixtures';
import { knob, median, ms, verdict } from './stats';
import { freePort } from '../test/helpers/net';

const SUBSCRIPTIONS = knob(process.env.BENCH_SUBSCRIPTIONS, 10_000);
const BOOKMARKS = knob(process.env.BENCH_BOOKMARKS, 1_000_000);
/** Each user bookmarks this many papers, so BOOKMARKS / this many users. */
const PER_USER = 10;
const RUNS = 3;
const TARGET_MB = 200;
const TARGET_READY_MS = 2_000;
const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'America/Los_Angeles', 'Asia/Tokyo', 'Asia/Kolkata', 'Australia/Sydney', 'America/Sao_Paulo'];
const bundled = fileURLToPath(new URL('../src/sources/bundled/hf-daily-papers-2025-10-14.json', import.meta.url));

interface SubscriptionRow {
  id: string;
  workspace: string;
  channel: string;
  time: string;
  zone: string;
}

/** Quarter-hour times 7 to 17 hours ahead of the local clock: their latest occurrence is past the catch-up window. */
function subscriptionRows(now: Date): SubscriptionRow[] {
  return Array.from({ length: SUBSCRIPTIONS }, (_, i) => {
    const zone = ZONES[i % ZONES.length]!;
    const ahead = new Date(now.getTime() + (7 * 60 + 15 * (Math.floor(i / ZONES.length) % 40)) * 60_000);
    const local = localDateTime(ahead, zone).time;
    const channel = String(900_000_000_000_000_000n + BigInt(i));
    return {
      id: `discord:${channel}`,
      workspace: `guild-${i % 1000}`,
      channel,
      time: `${local.slice(0, 3)}${String(Math.floor(Number(local.slice(3)) / 15) * 15).padStart(2, '0')}`,
      zone,
    };
  });
}

const SUBSCRIPTION_COLUMNS =
  'id, platform, workspace_id, channel_id, time, timezone, top, topics, min_upvotes, rank, enabled, origin, created_by, created_at, updated_at, failures';
const subscriptionValues = (s: SubscriptionRow, at: string) => [
  s.id,
  'discord',
  s.workspace,
  s.channel,
  s.time,
  s.zone,
  5,
  '["agents"]',
  0,
  'balanced',
  1,
  'command',
  'bench',
  at,
  at,
  0,
];

/** Bookmarks as SQL over a series of users `u.n` and slots `k.n`: user u keeps PER_USER of the stored papers. */
const bookmarksSelect = (series: string, at: string) => `
  with p as (select id, row_number() over (order by id) - 1 as pos, count(*) over () as total from papers)
  select 'discord', 'user' || u.n, p.id, null, '${at}' from ${series} join p on p.pos = (u.n + k.n) % p.total`;

/** The schema, made by the store itself, and the real bundled list: the baseline database. */
async function seedPapers(url: string, now: Date): Promise<void> {
  const store = await openStore(url);
  await store.papers.upsert(parseListing(readFileSync(bundled, 'utf8')).papers, now);
  await store.close();
}

async function seedScale(url: string, now: Date): Promise<void> {
  const subs = subscriptionRows(now);
  const at = now.toISOString();
  const users = Math.ceil(BOOKMARKS / PER_USER);
  const placeholders = `(${SUBSCRIPTION_COLUMNS.split(',')
    .map(() => '?')
    .join(', ')})`;
  const target = parseDatabaseUrl(url);
  if (target.kind === 'sqlite') {
    const db = new BetterSqlite3(target.path);
    try {
      const insert = db.prepare(`insert into subscriptions (${SUBSCRIPTION_COLUMNS}) values ${placeholders}`);
      db.transaction(() => {
        for (const s of subs) insert.run(...subscriptionValues(s, at));
      })();
      db.exec(
        `insert into bookmarks (platform, user_id, paper_id, message_id, created_at) ${bookmarksSelect(
          `(with recursive s(n) as (select 0 union all select n + 1 from s where n < ${users - 1}) select n from s) u
         cross join (with recursive s(n) as (select 0 union all select n + 1 from s where n < ${PER_USER - 1}) select n from s) k`,
          at,
        )}`,
      );
    } finally {
      db.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: target.connectionString, options: `-c search_path=${target.schema}` });
  await client.connect();
  try {
    for (let i = 0; i < subs.length; i += 1000) {
      const batch = subs.slice(i, i + 1000);
      const width = SUBSCRIPTION_COLUMNS.split(',').length;
      const values = batch.map((_, r) => `(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(', ')})`).join(', ');
      await client.query(
        `insert into subscriptions (${SUBSCRIPTION_COLUMNS}) values ${values}`,
        batch.flatMap((s) => subscriptionValues(s, at)),
      );
    }
    await client.query(
      `insert into bookmarks (platform, user_id, paper_id, message_id, created_at) ${bookmarksSelect(
        `generate_series(0, ${users - 1}) as u(n) cross join generate_series(0, ${PER_USER - 1}) as k(n)`,
        at,
      )}`,
    );
    await client.query('analyze');
  } finally {
    await client.end();
  }
}

/** kB figures of /proc/PID/status: VmRSS now and VmHWM (the peak so far). */
function residentKb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(status.match(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm'))?.[1] ?? NaN);
  return { rss: field('VmRSS'), peak: field('VmHWM') };
}

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));

/** CPU time (user + system) the process has used: unlike wall time, barely moved by other load on the machine. */
function cpuMs(pid: number): number {
  // Fields after the parenthesised command name; utime and stime are the 14th and 15th of the whole line.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

/** Starts `papers start --console` on the database and measures until its `ready` log line; then stops it. */
export interface StartFigures {
  readyMs: number;
  cpuMs: number;
  rssMb: number;
  peakMb: number;
}

export async function measureStart(databaseUrl: string): Promise<StartFigures> {
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATABASE_URL: databaseUrl,
    HF_BASE_URL: 'http://127.0.0.1:9',
    ARXIV_API_URL: 'http://127.0.0.1:9',
    HOST: '127.0.0.1',
    PORT: String(await freePort()),
    LOG_LEVEL: 'info',
  };
  const started = performance.now();
  const child = spawn(process.execPath, ['bin/papers.mjs', 'start', '--console'], { cwd: repoRoot, env, stdio: ['pipe', 'ignore', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const errors: string[] = [];
  try {
    const readyMs = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ready line within 60 s: ${errors.slice(-3).join(' | ')}`)), 60_000);
      createInterface({ input: child.stderr! }).on('line', (line) => {
        let event: { event?: string; level?: number; msg?: string } = {};
        try {
          event = JSON.parse(line);
        } catch {
          errors.push(line);
        }
        if ((event.level ?? 0) >= 50) errors.push(event.msg ?? line);
        if (event.event === 'ready') {
          clearTimeout(timer);
          resolve(performance.now() - started);
        }
      });
      void exited.then((code) => reject(new Error(`papers start exited (${code}) before ready: ${errors.slice(-3).join(' | ')}`)));
    });
    const { rss, peak } = residentKb(child.pid!);
    return { readyMs, cpuMs: cpuMs(child.pid!), rssMb: rss / 1024, peakMb: peak / 1024 };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

/** One warm-up start (tsx cache, page cache), then the median time and the largest memory of RUNS starts. */
export async function measure(url: string): Promise<StartFigures> {
  await measureStart(url);
  const runs: StartFigures[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await measureStart(url));
  return {
    readyMs: median(runs.map((r) => r.readyMs)),
    cpuMs: median(runs.map((r) => r.cpuMs)),
    rssMb: Math.max(...runs.map((r) => r.rssMb)),
    peakMb: Math.max(...runs.map((r) => r.peakMb)),
  };
}

export const describe = (f: StartFigures) =>
  `ready in ${ms(f.readyMs)} wall (${ms(f.cpuMs)} CPU), RSS at ready ${f.rssMb.toFixed(0)} MB (peak ${f.peakMb.toFixed(0)} MB)`;

export async function run(): Promise<string[]> {
  const now = new Date();
  const lines = [
    `database: ${SUBSCRIPTIONS.toLocaleString('en')} Discord subscriptions (${ZONES.length} zones × 40 times, none due), ${BOOKMARKS.toLocaleString('en')} bookmarks (${Math.ceil(BOOKMARKS / PER_USER).toLocaleString('en')} users × ${PER_USER}), the bundled 39-paper list`,
    `measured: \`papers start --console\` as a child process (Node + tsx, scheduler on, offline), spawn → its \`ready\` log line; RSS from /proc at ready; median of ${RUNS} starts after one warm-up; baseline = the same database before the subscriptions and bookmarks`,
  ];
  for (const kind of storeKinds) {
    const name = kind === 'sqlite' ? 'SQLite' : 'PostgreSQL';
    const db = testDatabase(kind);
    try {
      await seedPapers(db.url, now);
      const baseline = await measure(db.url);
      const seedStart = performance.now();
      await seedScale(db.url, now);
      const seedMs = performance.now() - seedStart;
      const full = await measure(db.url);
      lines.push(
        `${name} baseline (39 papers, nothing else): ${describe(baseline)}`,
        `${name} full (bulk-seeded in ${(seedMs / 1000).toFixed(1)} s): ${describe(full)}`,
        `${name} against the targets: time to ready ${(full.readyMs / TARGET_READY_MS).toFixed(2)} × 2 s (${verdict(full.readyMs <= TARGET_READY_MS)}); ` +
          `peak RSS ${(full.peakMb / TARGET_MB).toFixed(2)} × 200 MB (${verdict(full.peakMb <= TARGET_MB)}); the data adds ${ms(full.readyMs - baseline.readyMs)} and ${(full.peakMb - baseline.peakMb).toFixed(0)} MB to the baseline`,
      );
    } finally {
      await db.cleanup();
    }
  }
  if (!storeKinds.includes('postgres')) lines.push(`PostgreSQL: not measured, ${testDatabaseUrl} was unreachable`);
  return lines;
}
