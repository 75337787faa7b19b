import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDiscordPoster, nonceFor } from '../../adapters/discord/poster';
import { createRest } from '../../adapters/discord/rest';
import { discordAdapter } from '../../adapters/discord/index';
import { loadBotConfig } from '../../adapters/index';
import { createLogger } from '../../src/log';
import { addDays } from '../../src/model/dates';
import { currentOwner } from '../../src/schedule/claims';
import { postDaily } from '../../src/schedule/fanout';
import { createRefresher } from '../../src/sources/refresher';
import type { Store } from '../../src/store/types';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord';
import { startFakeSource, type FakeSource } from '../fakes/hf-server';
import { openTestStore } from '../helpers/stores';
import { LIST_DATE, RecordingPoster, realPapers, seed, subscription, testConfig } from '../schedule/harness';
import { drillLine } from './report';

/** Faults at posting time: the paper source down, and the chat platform failing under the fan-out. */

const now = () => new Date(`${LIST_DATE}T09:00:00Z`);

describe('drill hf-down-at-posting', () => {
  let source: FakeSource;
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    source = await startFakeSource();
    ({ store, cleanup } = await openTestStore('sqlite'));
  });
  afterEach(async () => {
    await source.close();
    await cleanup();
  });

  it('with Hugging Face answering 5xx or hanging, a digest comes from the last good data marked stale, or is skipped with a log', async () => {
    await seed(store, [subscription('a', { top: 3 }), subscription('b', { top: 5 })]);
    const lines: string[] = [];
    const log = createLogger({ level: 'info', destination: { write: (l: string) => void lines.push(l) } });
    const faults = [
      { name: '500', steps: Array.from({ length: 8 }, () => ({ kind: 'status' as const, status: 500 })) },
      { name: '503 with Retry-After', steps: Array.from({ length: 8 }, () => ({ kind: 'status' as const, status: 503, headers: { 'retry-after': '0' } })) },
      { name: 'HTML error page', steps: Array.from({ length: 8 }, () => ({ kind: 'html' as const })) },
      { name: 'hang', steps: Array.from({ length: 8 }, () => ({ kind: 'hang' as const })) },
    ];
    let day = 0;
    let digests = 0;
    for (const fault of faults) {
      for (const staleDigest of ['post', 'skip'] as const) {
        const date = addDays(LIST_DATE, day++);
        const config = { ...loadBotConfig({ HF_BASE_URL: source.url, STALE_DIGEST: staleDigest }, '/nonexistent') };
        source.script(...fault.steps);
        const refresher = createRefresher({ store, config, log, now, fetch: { connectTimeoutMs: 200, timeoutMs: 300, retries: 1, sleep: async () => {} } });
        const report = await refresher.refreshOnce();
        expect(report.failures.length, fault.name).toBeGreaterThan(0);
        expect(refresher.status().lastError, fault.name).not.toBeNull();

        const poster = new RecordingPoster();
        const result = await postDaily({
          store,
          posters: [poster],
          config,
          log,
          now,
          owner: currentOwner(),
          date,
          sourceStatus: () => refresher.status(),
          retryDelayMs: 0,
        });
        if (staleDigest === 'skip') {
          expect(result.channels.map((c) => c.outcome)).toEqual(['skipped', 'skipped']);
          expect(poster.shown).toEqual([]);
        } else {
          // Never empty or broken: a marked header and every paper, from the store's last good list.
          for (const [channel, top] of [
            ['a', 3],
            ['b', 5],
          ] as const) {
            const shown = poster.inChannel(channel);
            expect(shown[0]!.text, fault.name).toMatch(/\(from data (last refreshed at \S+ \S+ UTC|not refreshed since the bot started)\)$/);
            expect(shown.slice(1).map((m) => m.paperIds.length)).toEqual(Array(top).fill(1));
            digests++;
          }
        }
        source.script(); // a hung request is abandoned by its timeout; later ones are served again
      }
    }
    const skipLogs = lines.filter((l) => l.includes('daily digest skipped') && l.includes('STALE_DIGEST=skip'));
    expect(skipLogs).toHaveLength(faults.length * 2);
    drillLine(
      'hf-down-at-posting',
      `${faults.length} source faults (500, 503, HTML page, hang) x STALE_DIGEST post|skip: ${digests} stale-marked full digests, ${skipLogs.length} skipped channels each logged, 0 empty or broken`,
    );
  });
});

/**
 * A loopback proxy in front of the fake Discord that fails message creates: 5xx before the fake
 * sees them, 5xx after the fake created the message (the nasty case: a retry must not show it
 * twice), and 429 with Retry-After. Everything else passes through.
 */
async function stormProxy(target: string, plan: (n: number) => 'pass' | 'fail-before' | 'fail-after' | 'rate-limit') {
  const counts = { pass: 0, 'fail-before': 0, 'fail-after': 0, 'rate-limit': 0 };
  let creates = 0;
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    const isCreate = req.method === 'POST' && /\/channels\/\d+\/messages$/.test(req.url ?? '');
    const action = isCreate ? plan(++creates) : 'pass';
    counts[action]++;
    if (action === 'fail-before') {
      req.resume();
      res.writeHead(502, { 'content-type': 'text/plain' }).end('Bad Gateway');
      return;
    }
    if (action === 'rate-limit') {
      req.resume();
      res
        .writeHead(429, {
          'content-type': 'application/json',
          'retry-after': '0.05',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset-after': '0.05',
          'x-ratelimit-scope': 'user',
          'x-ratelimit-bucket': 'storm',
        })
        .end(JSON.stringify({ message: 'You are being rate limited.', retry_after: 0.05, global: false }));
      return;
    }
    const forward = httpRequest({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (up) => {
      if (action === 'fail-after') {
        up.resume();
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ message: '500: Internal Server Error', code: 0 }));
        return;
      }
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}${upstream.pathname}`,
    counts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('drill discord-storm-fanout', () => {
  const CHANNELS = Array.from({ length: 8 }, (_, i) => `91000000000000000${i}`);
  let fake: FakeDiscord;
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    fake = await startFakeDiscord({ channelIds: CHANNELS });
    ({ store, cleanup } = await openTestStore('sqlite'));
  });
  afterEach(async () => {
    await fake.close();
    await cleanup();
  });

  it('5xx (before and after the message exists) and 429 storms during a fan-out: retried, nothing shown twice, nothing missing', async () => {
    // Roughly every second create fails, in a fixed pattern that mixes all three faults.
    const pattern = ['fail-after', 'pass', 'rate-limit', 'fail-before', 'pass', 'fail-after', 'rate-limit', 'pass', 'fail-before'] as const;
    const proxy = await stormProxy(fake.apiUrl, (n) => pattern[n % pattern.length]!);
    try {
      await store.papers.upsert(realPapers, new Date(`${LIST_DATE}T08:00:00Z`));
      for (const channelId of CHANNELS) await store.subscriptions.upsert(subscription(channelId, { platform: 'discord', workspaceId: '1', top: 3 }));
      const config = {
        ...loadBotConfig({ DISCORD_TOKEN: 'drill-token', DISCORD_API_URL: proxy.apiUrl, LOG_LEVEL: 'silent' }),
        schedule: { ...testConfig().schedule, maxAttempts: 10 },
      };
      const rest = createRest(discordAdapter.settingsOf(config)!);
      const log = createLogger({ level: 'silent' });
      const poster = createDiscordPoster(rest, log);
      // Runs until every channel is posted; a channel whose three sends all failed is retried by the next run.
      let runs = 0;
      for (; runs < 10; runs++) {
        const report = await postDaily({ store, posters: [poster], config, log, now, owner: currentOwner(), date: LIST_DATE, retryDelayMs: 1 });
        if (report.channels.every((c) => c.outcome === 'posted' || c.outcome === 'already-posted')) break;
      }
      let duplicates = 0;
      let missing = 0;
      for (const channelId of CHANNELS) {
        const deliveryId = `discord:${channelId}@${LIST_DATE}`;
        const plan = (await store.deliveries.get(deliveryId))!.plan!;
        const expected = ['header', ...plan].map((part) => nonceFor(`${deliveryId}:${part}`));
        const shown = [...fake.messages.values()].filter((m) => m.channel_id === channelId).map((m) => String(m.nonce));
        duplicates += shown.length - new Set(shown).size;
        missing += expected.filter((n) => !shown.includes(n)).length;
      }
      const c = proxy.counts;
      drillLine(
        'discord-storm-fanout',
        `${CHANNELS.length} channels x 4 messages in ${runs + 1} run(s); ${c['fail-before']} 502 before, ${c['fail-after']} 500 after the message existed, ${c['rate-limit']} 429; ${duplicates} duplicates, ${missing} missing`,
      );
      expect({ duplicates, missing }).toEqual({ duplicates: 0, missing: 0 });
      expect(c['fail-after'] + c['fail-before'] + c['rate-limit']).toBeGreaterThan(CHANNELS.length);
    } finally {
      await proxy.close();
    }
  }, 60_000);
});
