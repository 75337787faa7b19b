import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RETRY_POLICY } from '../../adapters/slack/client';
import { createSlackPoster } from '../../adapters/slack/poster';
import { CannotMessageUser, PostError, type DigestPoster } from '../../src/chat/poster';
import { textReply } from '../../src/chat/reply';
import { loadBotConfig } from '../../adapters/index';
import { slackAdapter } from '../../adapters/slack/index';
import type { AppConfig } from '../../src/config/schema';
import { currentOwner } from '../../src/schedule/claims';
import { postDaily } from '../../src/schedule/fanout';
import type { Store } from '../../src/store/types';
import { startFakeSlack, type FakeSlack, type FakeSlackOptions } from '../fakes/slack';
import { openTestStore } from '../helpers/stores';
import { LIST_DATE, log, seed, subscription } from '../schedule/harness';

/**
 * The Slack digest poster under the daily fan-out, against the fake Web API: each message shows
 * once even when a send times out after it landed, and channels are paced each on their own.
 */

const now = () => new Date('2025-10-14T09:00:00Z');
/** Client timeout of these tests: the fake's delayed answers outlast it. */
const TIMEOUT_MS = 150;

let fake: FakeSlack;
let store: Store;
let cleanup: () => Promise<void>;
let config: AppConfig;
const env = () => ({ SLACK_BOT_TOKEN: 'xoxb-fake', SLACK_SIGNING_SECRET: 'test-signing-secret-0123456789', LOG_LEVEL: 'silent' });

beforeEach(async () => {
  fake = await startFakeSlack();
  ({ store, cleanup } = await openTestStore('sqlite'));
  config = loadBotConfig({ ...env(), SLACK_API_URL: fake.apiUrl }, '/nonexistent');
});

afterEach(async () => {
  await fake.close();
  await cleanup();
});

/** The poster with Slack's pacing scaled down to postIntervalMs (20 ms unless a test says). */
function poster(tuning: { postIntervalMs?: number } = {}): DigestPoster {
  const services = { store, config, log, now, sourceStatus: () => ({ lastSuccessAt: now(), lastError: null, note: null }) };
  // The real retry count with millisecond waits, so a regression to client-side re-sends shows fast.
  const retryConfig = { ...RETRY_POLICY, minTimeout: 5, maxTimeout: 20 };
  return createSlackPoster({ services, log }, slackAdapter.settingsOf(config)!, { retryConfig, timeoutMs: TIMEOUT_MS, postIntervalMs: 20, ...tuning });
}
const to = (channelId: string) => ({ platform: 'slack' as const, workspaceId: null, channelId });

const slackSub = (channelId: string) => subscription(channelId, { platform: 'slack', workspaceId: fake.bot.teamId, top: 3 });
const keysIn = (channelId: string) => (fake.messages.get(channelId) ?? []).map((m) => m.metadata?.event_payload.key);

describe('Slack digest poster in the fan-out', () => {
  it('a message that landed but answered after the client timed out is shown once: the re-send finds it in the history', async () => {
    await seed(store, [slackSub('CSLOW')]);
    // The header and the first paper land at once but answer only after the client gave up on them.
    fake.delayNext('chat.postMessage', TIMEOUT_MS * 4, 2);
    const report = await postDaily({ store, posters: [poster()], config, log, now, owner: currentOwner(), date: LIST_DATE, retryDelayMs: 5 });

    expect(report.channels).toMatchObject([{ subscriptionId: 'slack:CSLOW', outcome: 'posted' }]);
    const keys = keysIn('CSLOW');
    expect(keys).toHaveLength(4);
    expect(new Set(keys).size).toBe(4);
    // The recorded posts are the messages in the channel, so a reaction on any of them resolves.
    const recorded = (await store.posts.forDelivery(`slack:CSLOW@${LIST_DATE}`)).map((p) => p.messageId).sort();
    expect(recorded).toEqual(
      fake.messages
        .get('CSLOW')!
        .map((m) => m.ts)
        .sort(),
    );
    // The history was read only before the two re-sends.
    expect(fake.callsTo('conversations.history')).toHaveLength(2);
  });

  it('after a crash right after a send landed, the restart finds that message however busy the channel got, and reads no history for the rest', async () => {
    await seed(store, [slackSub('CBUSY')]);
    // The crashed process: its third send (the second paper) reaches Slack, then the process dies
    // before recording it; the send never returns.
    const real = poster();
    let sends = 0;
    const crashing: DigestPoster = {
      platform: 'slack',
      openDirect: (user) => real.openDirect(user),
      async post(...args) {
        const posted = await real.post(...args);
        return ++sends === 3 ? new Promise(() => {}) : posted;
      },
    };
    const dead = { host: os.hostname(), pid: spawnSync(process.execPath, ['-e', '']).pid! };
    void postDaily({ store, posters: [crashing], config, log, now, owner: dead, date: LIST_DATE, retryDelayMs: 5 });
    await expect.poll(() => keysIn('CBUSY').length).toBe(3);
    // People talk: 250 messages after it, five times the recent history a re-send used to search.
    for (let i = 0; i < 250; i++)
      await fetch(`${fake.apiUrl}chat.postMessage`, {
        method: 'POST',
        headers: { authorization: 'Bearer xoxb-fake', 'content-type': 'application/json' },
        body: JSON.stringify({ channel: 'CBUSY', text: `chat ${i}` }),
      });

    const report = await postDaily({ store, posters: [poster()], config, log, now, owner: currentOwner(), date: LIST_DATE, retryDelayMs: 5 });
    expect(report.channels).toMatchObject([{ subscriptionId: 'slack:CBUSY', outcome: 'posted', messages: 1, found: 1 }]);
    const keys = keysIn('CBUSY').filter(Boolean);
    expect(keys).toHaveLength(4);
    expect(new Set(keys).size).toBe(4);
    // One search, for the message in flight at the crash, back to when it was sent, over two pages.
    const reads = fake.callsTo('conversations.history');
    expect(reads.length).toBe(2);
    expect(reads.every((r) => r.body.oldest !== undefined)).toBe(true);
  });

  it("a fresh delivery's sends do not read the channel's history, one of Slack's most rate-limited methods", async () => {
    await seed(store, [slackSub('CFRESH')]);
    const report = await postDaily({ store, posters: [poster()], config, log, now, owner: currentOwner(), date: LIST_DATE, retryDelayMs: 5 });
    expect(report.channels).toMatchObject([{ subscriptionId: 'slack:CFRESH', outcome: 'posted', messages: 4 }]);
    expect(keysIn('CFRESH')).toHaveLength(4);
    expect(fake.callsTo('conversations.history')).toHaveLength(0);
  });
});

describe('Slack digest poster', () => {
  it('a 5xx fails at once, transiently (the message may have landed); the re-send looks in the history first and lands once', async () => {
    const slack = poster();
    fake.failNext('chat.postMessage', 500);
    const err = await slack.post(to('C5XX'), textReply('after a 500', 'public'), 'k5xx').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PostError);
    expect(err).toMatchObject({ permanent: false });
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);

    const { messageId } = (await slack.post(to('C5XX'), textReply('after a 500', 'public'), 'k5xx'))!;
    expect(fake.callsTo('conversations.history')).toHaveLength(2);
    expect(fake.messages.get('C5XX')!.map((m) => m.ts)).toEqual([messageId]);
  });

  it('a message Slack keeps answering 429 in its channel is sent three times, each after the Retry-After, then fails transiently with nothing posted; the next send lands it once', async () => {
    const slack = poster();
    // No Retry-After header: the poster waits Slack's least, 1 s, before each re-send.
    fake.failNext('chat.postMessage', 429, 3);
    const started = performance.now();
    const err = await slack.post(to('C429'), textReply('held back', 'public'), 'k429', { maybeSentBefore: false }).catch((e: unknown) => e);
    expect(performance.now() - started).toBeGreaterThanOrEqual(2 * 1000 - 50);
    expect(err).toBeInstanceOf(PostError);
    expect(err).toMatchObject({ permanent: false, message: expect.stringContaining('kept rate limiting') });
    expect(fake.callsTo('chat.postMessage')).toHaveLength(3);
    expect(fake.messages.get('C429')).toBeUndefined();

    // A 429 is a message Slack did not take: the delivery's next try posts it, once.
    await slack.post(to('C429'), textReply('held back', 'public'), 'k429');
    expect(keysIn('C429')).toEqual(['k429']);
  });

  it('paces each channel to its limit on its own: no 429, and channels go side by side', async () => {
    fake = await restartFake({ rateLimits: { postMessageIntervalMs: 100 } });
    const slack = poster({ postIntervalMs: 100 });
    const channels = ['CA', 'CB', 'CC'];
    await Promise.all(
      channels.map(async (channel) => {
        for (const n of [1, 2, 3]) await slack.post(to(channel), textReply(`${channel} ${n}`, 'public'), `${channel}#${n}`);
      }),
    );
    expect(fake.rateLimited).toBe(0);
    for (const channel of channels) expect(keysIn(channel)).toEqual([1, 2, 3].map((n) => `${channel}#${n}`));
    // Every channel's first message went out before any channel's second.
    expect(
      new Set(
        fake
          .callsTo('chat.postMessage')
          .slice(0, 3)
          .map((c) => c.body.channel),
      ),
    ).toEqual(new Set(channels));
  });

  it('a 429 in one channel is waited out there alone, then the message lands once', async () => {
    // Slack's limit is ten times what the poster keeps to, as when another app posts in the channel too.
    fake = await restartFake({ rateLimits: { postMessageIntervalMs: 1000 } });
    const slack = poster({ postIntervalMs: 100 });
    await slack.post(to('CBUSY'), textReply('first', 'public'), 'busy#1');
    const second = slack.post(to('CBUSY'), textReply('second', 'public'), 'busy#2');
    await fake.waitForCalls('chat.postMessage', 2);
    expect(fake.rateLimited).toBe(1);
    const limitedAt = performance.now();

    // While CBUSY waits out its Retry-After of 1 s, another channel posts: nothing pauses it.
    await slack.post(to('CFREE'), textReply('elsewhere', 'public'), 'free#1');
    expect(performance.now() - limitedAt).toBeLessThan(1000);
    expect(keysIn('CBUSY')).toEqual(['busy#1']);
    await second;
    expect(keysIn('CBUSY')).toEqual(['busy#1', 'busy#2']);
    expect(keysIn('CFREE')).toEqual(['free#1']);
  });

  it("at the workspace's limit every message waits it out, and each lands once", async () => {
    // Slack publishes no number ("several hundred per minute"): 20 a second here, for 100 people.
    fake = await restartFake({ rateLimits: { postMessageIntervalMs: 1000, workspaceMessages: { limit: 20, windowMs: 1000 } } });
    const slack = poster();
    const people = Array.from({ length: 100 }, (_, i) => `U0LIMIT${String(i).padStart(3, '0')}`);
    const posted = await Promise.all(
      people.map(async (userId) =>
        slack.post(await slack.openDirect({ workspaceId: fake.bot.teamId, userId }), textReply('papers', 'public'), `dm#${userId}`, { maybeSentBefore: false }),
      ),
    );
    expect(posted).toHaveLength(100);
    expect(fake.callsTo('chat.postMessage').length - fake.rateLimited).toBe(100);
    // Only the first window's limit is met, by messages in flight when it filled (32, and a few
    // sent in the slots the first 429s freed before a second channel's showed the workspace's):
    // re-sent by each channel on its own, all 80 held back would meet it again and again, and
    // without the pace learned from that window each later one would fill with 32 in flight.
    const [first = 0, ...later] = fake.workspaceLimited;
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(2 * 32);
    expect(later.filter((n) => n > 0)).toEqual([]);
    expect(fake.rateLimited).toBe(first);
  });
});

describe('Slack direct messages', () => {
  it("go to the user's id with no conversations.open (Tier 3), land in their IM, and say so", async () => {
    const slack = poster();
    const target = await slack.openDirect({ workspaceId: fake.bot.teamId, userId: 'U0PERSON1' });
    const posted = await slack.post(target, textReply('your papers', 'public'), 'dm#1', { maybeSentBefore: false });
    expect(fake.callsTo('conversations.open')).toHaveLength(0);
    expect(fake.callsTo('chat.postMessage').map((c) => c.body.channel)).toEqual(['U0PERSON1']);
    // Clicks on the message come from the IM, so that is where it is recorded.
    expect(posted).toEqual({ messageId: fake.messages.get('D0PERSON1')![0]!.ts, channelId: 'D0PERSON1' });
  });

  it('a re-send that may have landed searches the IM (opened once, and only by a process that has not sent there) and shows the message once', async () => {
    const slack = poster();
    const target = await slack.openDirect({ workspaceId: fake.bot.teamId, userId: 'U0PERSON2' });
    const first = await slack.post(target, textReply('your papers', 'public'), 'dm#2', { maybeSentBefore: false });
    const again = await slack.post(target, textReply('your papers', 'public'), 'dm#2');
    expect(again).toEqual({ messageId: first!.messageId, found: true, channelId: 'D0PERSON2' });
    // The send named the IM: no conversations.open needed to read its history.
    expect(fake.callsTo('conversations.open')).toHaveLength(0);

    // A process of its own (a restart) resuming the delivery finds the IM once.
    const restarted = poster();
    const resumed = await restarted.post(target, textReply('your papers', 'public'), 'dm#2');
    const other = await restarted.post(target, textReply('more papers', 'public'), 'dm#3', { maybeSentBefore: true });
    expect(resumed).toEqual({ messageId: first!.messageId, found: true, channelId: 'D0PERSON2' });
    expect(other).toMatchObject({ channelId: 'D0PERSON2' });
    expect(keysIn('D0PERSON2')).toEqual(['dm#2', 'dm#3']);
    expect(fake.callsTo('conversations.open')).toHaveLength(1);
    expect(fake.callsTo('conversations.history').every((c) => c.body.channel === 'D0PERSON2')).toBe(true);
  });

  it('a person Slack cannot reach by their id fails as CannotMessageUser, so their delivery pauses instead of retrying', async () => {
    const slack = poster();
    // The first send answers channel_not_found (Slack knows no conversation for that id); the second
    // person is one Slack no longer knows at all.
    fake.failNext('chat.postMessage', 'channel_not_found');
    fake.unreachableUsers.set('U0GONE002', 'user_not_found');
    for (const userId of ['U0GONE001', 'U0GONE002']) {
      const target = await slack.openDirect({ workspaceId: fake.bot.teamId, userId });
      const err = await slack.post(target, textReply('your papers', 'public'), `gone#${userId}`, { maybeSentBefore: false }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CannotMessageUser);
      expect(err).toMatchObject({ userId, permanent: true });
    }
    expect(fake.messages.size).toBe(0);
  });
});

async function restartFake(opts: FakeSlackOptions): Promise<FakeSlack> {
  await fake.close();
  const fresh = await startFakeSlack(opts);
  config = loadBotConfig({ ...env(), SLACK_API_URL: fresh.apiUrl }, '/nonexistent');
  return fresh;
}
