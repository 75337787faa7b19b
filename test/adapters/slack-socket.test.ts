import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadBotConfig } from '../../adapters/index';
import { slackAdapter } from '../../adapters/slack/index';
import { hostAdapter, type HostedAdapter } from '../helpers/host';
import { createLogger } from '../../src/log';
import { parseListing } from '../../src/parse/index';
import type { Store } from '../../src/store/types';
import { readFixture } from '../helpers/fixtures';
import { openTestStore } from '../helpers/stores';
import { startFakeSlack, type FakeSlack } from '../fakes/slack';

/**
 * Socket Mode: the real Bolt app opens its websocket through apps.connections.open on the fake
 * (SLACK_API_URL), never slack.com, and answers envelopes sent over it.
 */

const NOW = new Date('2025-10-15T08:00:00Z');
const APP_TOKEN = 'xapp-1-A0FAKE-0123-socket';
const papers = parseListing(readFixture('hf-api/daily_papers-2025-10-14.json')).papers;
const slashCommand = Object.fromEntries(new URLSearchParams(readFixture('platform/slack-slash-command.txt')));
const reactionAdded = JSON.parse(readFixture('platform/slack-reaction-added.json')) as {
  event: { item: { channel: string; ts: string } };
};

let fake: FakeSlack;
let store: Store;
let cleanup: () => Promise<void>;
let slack: HostedAdapter;

beforeAll(async () => {
  fake = await startFakeSlack();
  ({ store, cleanup } = await openTestStore('sqlite'));
  await store.papers.upsert(papers, NOW);
  const env = { SLACK_BOT_TOKEN: 'xoxb-socket', SLACK_APP_TOKEN: APP_TOKEN, SLACK_API_URL: fake.apiUrl };
  const config = loadBotConfig(env, '/nonexistent');
  const log = createLogger({ level: 'silent' });
  const services = { store, config, log, now: () => NOW, sourceStatus: () => ({ lastSuccessAt: NOW, lastError: null, note: null }) };
  slack = await hostAdapter(slackAdapter, services);
});

afterAll(async () => {
  await slack?.stop();
  await fake?.close();
  await cleanup?.();
});

const command = (text: string, channel: string) => ({
  ...slashCommand,
  command: '/papers',
  text,
  channel_id: channel,
  response_url: fake.responseUrl(text),
});

describe('Slack adapter in Socket Mode (real Bolt, loopback websocket)', () => {
  it('opens its connection with the app token through SLACK_API_URL and serves nothing on the HTTP port but /healthz', async () => {
    expect(fake.callsTo('apps.connections.open').map((c) => c.token)).toEqual([APP_TOKEN]);
    expect(fake.socketClients()).toBe(1);
    expect((await fetch(slack.url('/healthz'))).status).toBe(200);
    expect((await fetch(slack.url('/slack/events'), { method: 'POST', body: '{}' })).status).toBe(404);
    expect((await fetch(slack.url('/slack/install'))).status).toBe(404);
  });

  it('answers /papers today in the channel and bookmarks a paper from a reaction on it', async () => {
    const ack = await fake.sendEnvelope('slash_commands', command('today', 'CSOCKET'));
    expect(ack).toEqual({});
    const [post] = await fake.waitForCalls('chat.postMessage');
    expect(post!.token).toBe('xoxb-socket');
    const message = fake.messages.get('CSOCKET')!.at(-1)!;
    // The answer's first paper, as Slack links its title: `<https://huggingface.co/papers/ID|title>`.
    const first = /<https:\/\/huggingface\.co\/papers\/([^|]+)\|/.exec(JSON.stringify(message.blocks))?.[1];
    expect(papers.map((p) => p.id)).toContain(first);
    await vi.waitFor(async () => expect(await store.posts.find('slack', 'CSOCKET', message.ts)).not.toBeNull());

    const eventAck = await fake.sendEnvelope('events_api', {
      ...reactionAdded,
      event: { ...reactionAdded.event, user: 'USOCKET', reaction: 'one', item: { ...reactionAdded.event.item, channel: 'CSOCKET', ts: message.ts } },
    });
    expect(eventAck).toEqual({});
    const [confirm] = await fake.waitForCalls('chat.postEphemeral');
    expect(confirm!.body).toMatchObject({ channel: 'CSOCKET', user: 'USOCKET' });
    expect((await store.bookmarks.list('slack', 'USOCKET')).map((b) => b.paper.id)).toEqual([first]);
  });

  it('answers a private reply in the ack payload', async () => {
    const ack = await fake.sendEnvelope('slash_commands', command('frobnicate', 'CSOCKET'));
    expect(ack).toMatchObject({ response_type: 'ephemeral', text: expect.stringMatching(/Unknown command "frobnicate"/) });
  });
});
