import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fetchText, FetchError, parseRetryAfter, USER_AGENT, validatorsKey, type FetchOptions } from '../../src/sources/fetch';
import { openTestStore } from '../helpers/stores';
import { startFakeSource, type FakeSource } from '../fakes/hf-server';
import { readFixture, repoRoot } from '../helpers/fixtures';
import { captureLog } from './capture-log';

const listing = readFixture('hf-api/daily_papers-2025-10-14.json');

let source: FakeSource;
let slept: number[];
const fast = (extra: FetchOptions = {}): FetchOptions => ({
  connectTimeoutMs: 500,
  timeoutMs: 2_000,
  sleep: async (ms) => void slept.push(ms),
  random: () => 0.5,
  ...extra,
});

beforeEach(async () => {
  source = await startFakeSource();
  source.days.set('2025-10-14', listing);
  slept = [];
});
afterEach(() => source.close());

const dayUrl = () => `${source.url}/api/daily_papers?date=2025-10-14`;

describe('fetchText', () => {
  it('returns the exact body and names the bot and its version', async () => {
    const res = await fetchText(dayUrl(), fast());
    expect(res.notModified).toBe(false);
    if (res.notModified) return;
    expect(res.text).toBe(listing);
    const { version } = JSON.parse(readFileSync(`${repoRoot}/package.json`, 'utf8')) as { version: string };
    expect(USER_AGENT).toBe(`papers-bot/${version}`);
    expect(source.requests[0]!.headers['user-agent']).toBe(USER_AGENT);
  });

  it('retries a 500 with backoff and logs the retry', async () => {
    const { log, events } = captureLog();
    source.script({ kind: 'status', status: 500 }, { kind: 'status', status: 503 });
    const res = await fetchText(dayUrl(), fast({ log, baseDelayMs: 100 }));
    expect(res.notModified === false && res.text).toBe(listing);
    expect(source.requests).toHaveLength(3);
    // 100 then 200, each with half-range jitter at random()=0.5 → 75% of the step.
    expect(slept).toEqual([75, 150]);
    const retries = events().filter((e) => e.msg === 'fetch failed, retrying');
    expect(retries.map((e) => e.error)).toEqual(['HTTP 500 Internal Server Error', 'HTTP 503 Service Unavailable']);
  });

  it('gives up after the configured retries with one line naming the status', async () => {
    source.script(...Array.from({ length: 3 }, () => ({ kind: 'status' as const, status: 500 })));
    const err = await fetchText(dayUrl(), fast({ retries: 2 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FetchError);
    expect((err as FetchError).message).toBe(`cannot fetch ${dayUrl()}: HTTP 500 Internal Server Error (after 3 attempts)`);
    expect((err as FetchError).status).toBe(500);
  });

  it('does not retry a 404', async () => {
    const err = await fetchText(`${source.url}/nothing-here`, fast()).catch((e: unknown) => e);
    expect((err as FetchError).status).toBe(404);
    expect(source.requests).toHaveLength(1);
  });

  it('honours Retry-After on 429', async () => {
    source.script({ kind: 'status', status: 429, headers: { 'retry-after': '7' } });
    const res = await fetchText(dayUrl(), fast({ baseDelayMs: 100 }));
    expect(res.notModified).toBe(false);
    expect(slept).toEqual([7_000]);
  });

  it('refuses to wait for a Retry-After beyond its limit', async () => {
    source.script({ kind: 'status', status: 429, headers: { 'retry-after': '3600' } });
    await expect(fetchText(dayUrl(), fast({ maxRetryAfterMs: 60_000 }))).rejects.toThrow('HTTP 429 Too Many Requests; the server asks to retry after 3600 s');
    expect(slept).toEqual([]);
  });

  it('times out a hung connection, then retries', async () => {
    source.script({ kind: 'hang' });
    const { log, events } = captureLog();
    const res = await fetchText(dayUrl(), fast({ log, connectTimeoutMs: 200 }));
    expect(res.notModified === false && res.text).toBe(listing);
    expect(events().find((e) => e.msg === 'fetch failed, retrying')?.error).toBe('no response within 200 ms');
  });

  it('fails on a connection that keeps hanging', async () => {
    source.script({ kind: 'hang' }, { kind: 'hang' });
    await expect(fetchText(dayUrl(), fast({ connectTimeoutMs: 100, retries: 1 }))).rejects.toThrow('no response within 100 ms (after 2 attempts)');
  });

  it('aborts a body past the size cap without retrying', async () => {
    source.script({ kind: 'oversize', bytes: 4 * 1024 * 1024 });
    await expect(fetchText(dayUrl(), fast({ maxBytes: 1024 * 1024 }))).rejects.toThrow('response larger than 1048576 bytes');
    expect(source.requests).toHaveLength(1);
  });

  it('refuses a declared Content-Length past the cap before reading', async () => {
    await expect(fetchText(dayUrl(), fast({ maxBytes: 1000 }))).rejects.toThrow('response larger than 1000 bytes');
  });

  it('says so in one line when nothing listens', async () => {
    const url = dayUrl();
    await source.close();
    await expect(fetchText(url, fast({ retries: 1 }))).rejects.toThrow(`cannot fetch ${url}: connection refused (after 2 attempts)`);
  });

  it('stops waiting when its signal aborts', async () => {
    const ctrl = new AbortController();
    source.script({ kind: 'hang' });
    const pending = fetchText(dayUrl(), { connectTimeoutMs: 10_000, signal: ctrl.signal });
    ctrl.abort();
    await expect(pending).rejects.toThrow('aborted');
  });

  it('sends remembered validators and reports 304 as not modified', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    try {
      const first = await fetchText(dayUrl(), fast({ conditional: store.meta }));
      expect(source.requests[0]!.headers['if-none-match']).toBeUndefined();
      if (first.notModified) throw new Error('expected a body');
      // Not remembered until the caller says the body was good.
      expect(await store.meta.get(validatorsKey(dayUrl()))).toBeNull();
      await first.rememberValidators();

      const second = await fetchText(dayUrl(), fast({ conditional: store.meta }));
      expect(second.notModified).toBe(true);
      expect(source.requests[1]!.headers['if-none-match']).toMatch(/^W\/"/);
    } finally {
      await cleanup();
    }
  });
});

describe('parseRetryAfter', () => {
  const now = new Date('2025-10-14T12:00:00Z');
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Tue, 14 Oct 2025 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Tue, 14 Oct 2025 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });
});
