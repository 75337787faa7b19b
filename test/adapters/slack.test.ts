import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { slackAdapter } from '../../adapters/slack/index';
import { startSlack } from '../../adapters/slack/main';
import { loadBotConfig } from '../../adapters/index';
import { hostAdapter, type HostedAdapter } from '../helpers/host';
import { RETRY_POLICY } from '../../adapters/slack/client';
import { createSlackPoster } from '../../adapters/slack/poster';
import type { AppConfig } from '../../src/config/schema';
import type { Services } from '../../src/chat/command';
import { PostError } from '../../src/chat/poster';
import { textReply } from '../../src/chat/reply';
import { digestPaperMessage } from '../../src/digest/messages';
import { createLogger } from '../../src/log';
import type { Paper } from '../../src/model/paper';
import { parseListing } from '../../src/parse/index';
import type { Store } from '../../src/store/types';
import { readFixture } from '../helpers/fixtures';
import { openTestStore } from '../helpers/stores';
import { sendToBot, startFakeSlack, type FakeSlack } from '../fakes/slack';

/**
 * The real Bolt app on loopback, sent exactly what Slack sends (signed form-encoded slash commands,
 * signed Events API JSON), talking to a fake Web API through SLACK_API_URL.
 */

const SECRET = 'test-signing-secret-0123456789';
const NOW = new Date('2025-10-15T08:00:00Z');
const papers = parseListing(readFixture('hf-api/daily_papers-2025-10-14.json')).papers;
const top = [...papers].sort((a, b) => b.upvotes - a.upvotes)[0]!;
const evil: Paper = {
  ...papers[1]!,
  id: '2510.99999',
  arxivId: '2510.99999',
  title: 'Hey <!channel> look at <@U123> & friends',
  url: 'https://huggingface.co/papers/2510.99999',
};
const slashCommand = Object.fromEntries(new URLSearchParams(readFixture('platform/slack-slash-command.txt')));
const reactionAdded = JSON.parse(readFixture('platform/slack-reaction-added.json')) as {
  event: { type: string; user: string; reaction: string; item: { channel: string; ts: string } };
};

let fake: FakeSlack;
let store: Store;
let cleanup: () => Promise<void>;
let slack: HostedAdapter;
let url: string;
let config: AppConfig;
let services: Services;
/** While set, store.subscriptions.get (read by every `today`) waits for it: a command that is slow on purpose. */
let gate: Promise<void> | null = null;

function slowableStore(real: Store): Store {
  const get = async (id: string) => {
    await gate;
    return real.subscriptions.get(id);
  };
  return { ...real, subscriptions: { ...real.subscriptions, get } };
}

beforeAll(async () => {
  fake = await startFakeSlack();
  ({ store, cleanup } = await openTestStore('sqlite'));
  await store.papers.upsert([...papers, evil], NOW);
  const env = { SLACK_BOT_TOKEN: 'xoxb-fake', SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fake.apiUrl, LOG_LEVEL: 'silent' };
  config = loadBotConfig(env, '/nonexistent');
  const log = createLogger({ level: 'silent' });
  services = {
    store: slowableStore(store),
    config,
    log,
    now: () => NOW,
    sourceStatus: () => ({ lastSuccessAt: NOW, lastError: null, note: null }),
  };
  // The real retry count with millisecond waits, so the 5xx tests stay fast.
  const retryConfig = { ...RETRY_POLICY, minTimeout: 5, maxTimeout: 20 };
  // A private answer may wait this long to ride in the ack; a public command is acked at once, and
  // would time its test out if it waited.
  const tuned = {
    ...slackAdapter,
    start: (ctx: Parameters<typeof slackAdapter.start>[0]) =>
      startSlack(ctx, slackAdapter.settingsOf(ctx.config)!, { answerInAckWithinMs: 60_000, retryConfig }),
  };
  slack = await hostAdapter(tuned, services);
  url = slack.url('/slack/events');
});

afterAll(async () => {
  await slack?.stop();
  await fake?.close();
  await cleanup?.();
});

beforeEach(() => {
  gate = null;
});

const command = (text: string, over: Record<string, string> = {}) => ({
  form: { ...slashCommand, command: '/papers', text, response_url: fake.responseUrl(text), ...over },
});
const reaction = (over: { user?: string; reaction?: string; channel?: string; ts?: string; type?: string }) => ({
  json: {
    ...reactionAdded,
    event: {
      ...reactionAdded.event,
      type: over.type ?? 'reaction_added',
      user: over.user ?? 'U123ABC456',
      reaction: over.reaction ?? 'bookmark',
      item: { ...reactionAdded.event.item, channel: over.channel ?? reactionAdded.event.item.channel, ts: over.ts ?? reactionAdded.event.item.ts },
    },
  },
});
/** The message the bot posted into a channel after the call count reached n. */
async function postedMessage(channel: string, count: number) {
  const call = (await fake.waitForCalls('chat.postMessage', count))[count - 1]!;
  expect(call.body.channel).toBe(channel);
  return fake.messages.get(channel)!.at(-1)!;
}
/** A Block Kit structure as one string, to search. */
const textOf = (blocks: unknown) => JSON.stringify(blocks);
/** The texts Slack parses for links and mentions: mrkdwn objects (plain_text, e.g. alt_text, is never parsed). */
function mrkdwnTexts(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(mrkdwnTexts);
  if (!value || typeof value !== 'object') return [];
  const o = value as Record<string, unknown>;
  return [...(o.type === 'mrkdwn' && typeof o.text === 'string' ? [o.text] : []), ...Object.values(o).flatMap(mrkdwnTexts)];
}

describe('Slack adapter over HTTP (real Bolt, loopback)', () => {
  it('starts through the fake Web API given as SLACK_API_URL and serves /healthz', async () => {
    expect(fake.callsTo('auth.test')[0]?.token).toBe('xoxb-fake');
    const res = await fetch(slack.url('/healthz'));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok');
  });

  it('answers url_verification with the challenge', async () => {
    const res = await sendToBot(url, SECRET, { json: { token: 'x', challenge: 'the-challenge-123', type: 'url_verification' } });
    expect(res.status).toBe(200);
    expect(res.text).toContain('the-challenge-123');
  });

  it('posts a public /papers today into the channel (acked empty), and :two: on it bookmarks the second paper', async () => {
    const channel = slashCommand.channel_id!;
    const before = fake.callsTo('chat.postMessage').length;
    const res = await sendToBot(url, SECRET, command('today'));
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    const message = await postedMessage(channel, before + 1);
    const blocks = message.blocks as { type: string }[];
    expect(blocks[0]!.type).toBe('header');
    expect(textOf(blocks)).toContain(top.title.replace(/\s+/g, ' ').slice(0, 30));
    if (top.thumbnailUrl) expect(textOf(blocks)).toContain(top.thumbnailUrl);
    expect(fake.responses.some((r) => r.id === 'today')).toBe(false);

    // The answer's second paper, as Slack links its title: `*<https://huggingface.co/papers/ID|title>*`.
    const linked = [
      ...mrkdwnTexts(blocks)
        .join('\n')
        .matchAll(/^\*(?:\d+\. )?<https:\/\/huggingface\.co\/papers\/([^|]+)\|/gm),
    ].map((m) => m[1]);
    expect(linked.length).toBeGreaterThan(2);
    const second = linked[1];
    await vi.waitFor(async () => expect(await store.posts.find('slack', channel, message.ts)).not.toBeNull());
    const confirmations = fake.callsTo('chat.postEphemeral').length;
    await sendToBot(url, SECRET, reaction({ user: 'UKEYCAP', reaction: 'two', channel, ts: message.ts }));
    const [confirm] = (await fake.waitForCalls('chat.postEphemeral', confirmations + 1)).slice(confirmations);
    expect(String(confirm!.body.text)).toMatch(/Bookmarked/);
    expect((await store.bookmarks.list('slack', 'UKEYCAP')).map((b) => b.paper.id)).toEqual([second]);
  });

  it('acks a public command before it runs and posts the answer when it is ready', async () => {
    let release!: () => void;
    gate = new Promise((resolve) => (release = resolve));
    const before = fake.callsTo('chat.postMessage').length;
    const res = await sendToBot(url, SECRET, command('today', { channel_id: 'CSLOW' }));
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    release();
    const message = await postedMessage('CSLOW', before + 1);
    expect(textOf(message.blocks)).toContain(top.title.replace(/\s+/g, ' ').slice(0, 30));
    await vi.waitFor(async () => expect(await store.posts.find('slack', 'CSLOW', message.ts)).not.toBeNull());
    expect(await store.posts.find('slack', 'CSLOW', message.ts)).toMatchObject({ kind: 'answer', paperIds: expect.arrayContaining([top.id]) });
  });

  it('answers through response_url, still public, where the bot may not post (not_in_channel)', async () => {
    fake.failNext('chat.postMessage', 'not_in_channel');
    const res = await sendToBot(url, SECRET, command('today', { channel_id: 'CNOTMEMBER', response_url: fake.responseUrl('not-member') }));
    expect(res.text).toBe('');
    const answer = await fake.nextResponse();
    expect(answer.id).toBe('not-member');
    expect(answer.body.response_type).toBe('in_channel');
    expect(textOf(answer.body.blocks)).toContain(top.title.replace(/\s+/g, ' ').slice(0, 30));
    expect(fake.messages.get('CNOTMEMBER')).toBeUndefined();
  });

  it('answers bad command text privately with what is accepted', async () => {
    const res = await sendToBot(url, SECRET, command('frobnicate'));
    const body = JSON.parse(res.text) as { response_type: string; text: string };
    expect(body.response_type).toBe('ephemeral');
    expect(body.text).toMatch(/Unknown command "frobnicate"/);
  });

  it('escapes a title containing <!channel> so it never pings', async () => {
    const before = fake.callsTo('chat.postMessage').length;
    await sendToBot(url, SECRET, command(`paper ${evil.id}`, { channel_id: 'CEVILANSWER' }));
    const answer = await postedMessage('CEVILANSWER', before + 1);
    const parsed = [...mrkdwnTexts(answer.blocks), answer.text].join('\n');
    expect(parsed).toContain('Hey &lt;!channel&gt; look at &lt;@U123&gt; &amp; friends');
    expect(parsed).not.toMatch(/<[!@]/);

    const ts = (await slack.poster.post(
      { platform: 'slack', workspaceId: null, channelId: 'CEVIL' },
      digestPaperMessage({ rank: 1, paper: evil, score: 1, reason: 'top' }),
      'evil-1',
    ))!.messageId;
    const posted = fake.messages.get('CEVIL')!.find((m) => m.ts === ts)!;
    const postedText = [...mrkdwnTexts(posted.blocks), posted.text].join('\n');
    expect(postedText).toContain('&lt;!channel&gt;');
    expect(postedText).not.toMatch(/<[!@]/);
  });

  it('bookmarks on a signed reaction_added, confirms with chat.postEphemeral, and unbookmarks on reaction_removed', async () => {
    const { channel, ts } = reactionAdded.event.item;
    await store.posts.record({ platform: 'slack', channelId: channel, messageId: ts, paperIds: [top.id], kind: 'digest', deliveryId: null, postedAt: NOW });
    const before = fake.callsTo('chat.postEphemeral').length;

    // The bot's own reaction is ignored; the user's, sent after it, is the only one confirmed.
    expect((await sendToBot(url, SECRET, reaction({ user: fake.bot.userId }))).status).toBe(200);
    expect((await sendToBot(url, SECRET, reaction({}))).status).toBe(200);
    const [confirm] = (await fake.waitForCalls('chat.postEphemeral', before + 1)).slice(before);
    expect(confirm!.body).toMatchObject({ channel, user: 'U123ABC456' });
    expect(String(confirm!.body.text)).toMatch(/Bookmarked/);
    expect(confirm!.token).toBe('xoxb-fake');
    expect((await store.bookmarks.list('slack', 'U123ABC456')).map((b) => b.paper.id)).toEqual([top.id]);
    expect(await store.bookmarks.list('slack', fake.bot.userId)).toEqual([]);

    await sendToBot(url, SECRET, reaction({ type: 'reaction_removed' }));
    const [removed] = (await fake.waitForCalls('chat.postEphemeral', before + 2)).slice(before + 1);
    expect(String(removed!.body.text)).toMatch(/Removed/);
    expect(await store.bookmarks.list('slack', 'U123ABC456')).toEqual([]);
  });

  it('rejects a bad signature and a timestamp older than 5 minutes with 401, storing nothing', async () => {
    const { channel } = reactionAdded.event.item;
    await store.posts.record({
      platform: 'slack',
      channelId: channel,
      messageId: '1400000000.000001',
      paperIds: [top.id],
      kind: 'digest',
      deliveryId: null,
      postedAt: NOW,
    });
    const forged = await sendToBot(url, SECRET, reaction({ user: 'UFORGED', ts: '1400000000.000001' }), { signature: `v0=${'0'.repeat(64)}` });
    expect(forged.status).toBe(401);
    const wrongSecret = await sendToBot(url, 'not-the-secret', reaction({ user: 'UFORGED', ts: '1400000000.000001' }));
    expect(wrongSecret.status).toBe(401);
    const stale = await sendToBot(url, SECRET, reaction({ user: 'USTALE', ts: '1400000000.000001' }), { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(stale.status).toBe(401);
    const staleSubscribe = await sendToBot(url, SECRET, command('subscribe time 09:00'), { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(staleSubscribe.status).toBe(401);

    expect(await store.bookmarks.list('slack', 'UFORGED')).toEqual([]);
    expect(await store.bookmarks.list('slack', 'USTALE')).toEqual([]);
    expect(await store.subscriptions.list({ platform: 'slack' })).toEqual([]);
  });

  it('lets anyone subscribe by default', async () => {
    const res = await sendToBot(url, SECRET, command('subscribe time 09:00 tz Europe/Berlin top 3', { channel_id: 'CSUB' }));
    expect(res.status).toBe(200);
    // A public answer is acked before the command runs (transport.ts): the subscription follows the ack.
    await vi.waitFor(async () =>
      expect(await store.subscriptions.get('slack:CSUB')).toMatchObject({
        time: '09:00',
        timezone: 'Europe/Berlin',
        top: 3,
        workspaceId: slashCommand.team_id,
      }),
    );
  });
});

describe('Slack digest poster', () => {
  const target = { platform: 'slack' as const, workspaceId: null, channelId: 'CDIGEST' };

  it('tags each message with its key and does not post a key twice, even after a restart', async () => {
    const first = await slack.poster.post(target, textReply('header', 'public'), 'sub@2025-10-15#0');
    const again = await slack.poster.post(target, textReply('header', 'public'), 'sub@2025-10-15#0');
    expect(again).toEqual({ ...first, found: true });
    // A new poster (a restarted process) finds the earlier message in the channel's history.
    const fresh = createSlackPoster({ services, log: createLogger({ level: 'silent' }) }, slackAdapter.settingsOf(config)!);
    expect(await fresh.post(target, textReply('header', 'public'), 'sub@2025-10-15#0')).toEqual({ ...first, found: true });
    const messages = fake.messages.get('CDIGEST')!;
    expect(messages).toHaveLength(1);
    expect(messages[0]!.metadata).toEqual({ event_type: 'papers_digest', event_payload: { key: 'sub@2025-10-15#0' } });
    expect(fake.callsTo('conversations.history').at(-1)!.body.include_all_metadata).toBe('true');
  });

  it('reports a missing, archived or closed channel as a permanent PostError', async () => {
    for (const code of ['channel_not_found', 'is_archived', 'not_in_channel']) {
      fake.failNext('conversations.history', code);
      const err = await slack.poster.post({ ...target, channelId: `C_${code}` }, textReply('x', 'public'), 'k').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PostError);
      expect(err).toMatchObject({ permanent: true, message: expect.stringContaining(code) });
    }
    fake.failNext('chat.postMessage', 'ratelimited');
    const transient = await slack.poster.post({ ...target, channelId: 'CTRANSIENT' }, textReply('x', 'public'), 'k').catch((e: unknown) => e);
    expect(transient).toMatchObject({ permanent: false });
  });
});
