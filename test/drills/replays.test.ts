import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadBotConfig } from '../../adapters/index';
import { slackAdapter } from '../../adapters/slack/index';
import type { Services } from '../../src/chat/command';
import { createLogger } from '../../src/log';
import { openStore } from '../../src/store/open';
import type { Store } from '../../src/store/types';
import { signedHeaders, startFakeSlack, type FakeSlack } from '../fakes/slack';
import { readFixture } from '../helpers/fixtures';
import { hostAdapter, type HostedAdapter } from '../helpers/host';
import { storeKinds, testDatabase, withConnection } from '../helpers/stores';
import { drillLine } from './report';

/**
 * Drill: a validly signed Slack request replayed within Slack's five minutes. Bolt alone accepts the
 * copy (the signature has a timestamp, no nonce); the signatures seen are kept in the store, so the
 * copy is refused by whichever replica it reaches.
 */

const SECRET = 'replay-drill-signing-secret';
const NOW = new Date('2025-10-15T08:00:00Z');
const command = Object.fromEntries(new URLSearchParams(readFixture('platform/slack-slash-command.txt')));

describe.each(storeKinds)('replays on %s', (kind) => {
  let fake: FakeSlack;
  let db: ReturnType<typeof testDatabase>;
  const stores: Store[] = [];
  const replicas: HostedAdapter[] = [];

  beforeEach(async () => {
    fake = await startFakeSlack();
    db = testDatabase(kind);
    const config = loadBotConfig({ SLACK_BOT_TOKEN: 'xoxb-replay', SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fake.apiUrl }, '/nonexistent');
    for (let i = 0; i < 2; i++) {
      const store = await openStore(db.url);
      stores.push(store);
      const services: Services = {
        store,
        config,
        log: createLogger({ level: 'silent' }),
        now: () => NOW,
        sourceStatus: () => ({ lastSuccessAt: NOW, lastError: null, note: null }),
      };
      replicas.push(await hostAdapter(slackAdapter, services));
    }
  });

  afterEach(async () => {
    for (const r of replicas.splice(0)) await r.stop();
    for (const s of stores.splice(0)) await s.close();
    await fake.close();
    await db.cleanup();
  });

  it('refuses a validly signed copy on every replica, and answers a fresh request', async () => {
    const send = (replica: HostedAdapter, body: string, headers: Record<string, string>) =>
      fetch(replica.url('/slack/events'), { method: 'POST', headers, body }).then(async (r) => ({ status: r.status, text: await r.text() }));
    const body = new URLSearchParams({ ...command, command: '/papers', text: 'help' }).toString();
    const headers = signedHeaders(SECRET, body);
    const [a, b] = replicas as [HostedAdapter, HostedAdapter];

    const first = await send(a, body, headers);
    expect(first.status).toBe(200);
    expect(first.text).toContain('/papers');
    const copies = [await send(a, body, headers), await send(b, body, headers), await send(b, body, headers)];
    expect(copies.map((c) => c.status)).toEqual([401, 401, 401]);

    // The same command signed a second later is a new request (the signature differs).
    const later = signedHeaders(SECRET, body, { timestamp: Number(headers['x-slack-request-timestamp']) + 1 });
    expect((await send(b, body, later)).status).toBe(200);
    drillLine(
      `slack-replay-window (${kind})`,
      `1 signed request answered, ${copies.length} copies within the window refused on 2 replicas sharing the store, 1 re-signed request answered`,
    );
  });

  // Bolt's check refuses it before the replay guard, which then never remembers a key with no time (Discord's route checks this itself).
  it('refuses a request signed with a time that is not a number, which no window holds', async () => {
    const body = new URLSearchParams({ ...command, command: '/papers', text: 'help' }).toString();
    const res = await fetch(replicas[0]!.url('/slack/events'), { method: 'POST', headers: signedHeaders(SECRET, body, { timestamp: Number.NaN }), body });
    // Answered, it would be 200 with the help text in the ack.
    expect(res.status).toBe(401);
    expect(await res.text()).not.toContain('/papers');
  });

  it('remembers a key until it expires, once, whichever connection asks', async () => {
    const [one, two] = stores as [Store, Store];
    const t = new Date('2026-01-01T00:00:00Z');
    const until = new Date(t.getTime() + 60_000);
    const firsts = await Promise.all([one.replays.remember('k', until, t), two.replays.remember('k', until, t)]);
    expect(firsts.sort()).toEqual([false, true]);
    expect(await one.replays.remember('k', until, new Date(t.getTime() + 59_000))).toBe(false);
    // Past its expiry the key counts as new (its row is pruned, or taken over if not yet).
    expect(await two.replays.remember('k', new Date(t.getTime() + 200_000), new Date(t.getTime() + 61_000))).toBe(true);
    expect(await one.replays.remember('k', new Date(t.getTime() + 200_000), new Date(t.getTime() + 62_000))).toBe(false);
  });

  it('deletes expired keys when a minute has passed since it last did, so the table holds about five minutes of requests', async () => {
    const [one] = stores as [Store, Store];
    const t = Date.parse('2026-01-03T00:00:00Z');
    const at = (s: number) => new Date(t + s * 1000);
    const keys = () => withConnection(db.url, async (conn) => (await conn.db.selectFrom('replays').select('key').orderBy('key').execute()).map((r) => r.key));
    // The first call of a process prunes (nothing yet); then at most once a minute.
    await one.replays.remember('old', at(1), at(0));
    await one.replays.remember('fresh', at(600), at(30));
    // 'old' expired at 1 s, but 30 s is within the minute: it is still there.
    expect(await keys()).toEqual(['fresh', 'old']);
    await one.replays.remember('later', at(600), at(61));
    expect(await keys()).toEqual(['fresh', 'later']);
  });

  it('counts a key asked twice at once on one connection as new once, beside other keys', async () => {
    const [one] = stores as [Store, Store];
    const t = new Date('2026-01-02T00:00:00Z');
    const until = new Date(t.getTime() + 60_000);
    const firsts = await Promise.all(['a', 'b', 'a', 'c'].map((key) => one.replays.remember(key, until, t)));
    expect(firsts).toEqual([true, true, false, true]);
  });
});
