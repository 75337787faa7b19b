import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBotConfig } from '../../adapters/index';
import { slackAdapter } from '../../adapters/slack/index';
import { hostAdapter, type HostedAdapter } from '../helpers/host';
import { storeInstallations } from '../../adapters/slack/installations';
import { secretBoxOf } from '../../src/store/secret-box';
import { TEST_SECRET_KEY } from '../helpers/stores';
import { textReply } from '../../src/chat/reply';
import { createLogger } from '../../src/log';
import { parseListing } from '../../src/parse/index';
import type { Store } from '../../src/store/types';
import { readFixture } from '../helpers/fixtures';
import { openTestStore } from '../helpers/stores';
import { sendToBot, startFakeSlack, type FakeSlack } from '../fakes/slack';

/** Many workspaces: installations live in our store, and each workspace is answered with its own token. */

const SECRET = 'oauth-signing-secret-abcdef';
const NOW = new Date('2025-10-15T08:00:00Z');
const reactionAdded = JSON.parse(readFixture('platform/slack-reaction-added.json')) as {
  team_id: string;
  event: { user: string; reaction: string; item: { channel: string; ts: string } };
};
const TEAM = reactionAdded.team_id;

let fake: FakeSlack;
let store: Store;
let cleanup: () => Promise<void>;
let slack: HostedAdapter;

beforeAll(async () => {
  fake = await startFakeSlack();
  ({ store, cleanup } = await openTestStore('sqlite'));
  const env = {
    SLACK_CLIENT_ID: '111.222',
    SLACK_CLIENT_SECRET: 'client-secret-xyz',
    SLACK_STATE_SECRET: 'state-secret-xyz',
    PAPERS_SECRET_KEY: TEST_SECRET_KEY,
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: fake.apiUrl,
  };
  const config = loadBotConfig(env, '/nonexistent');
  const log = createLogger({ level: 'silent' });
  const services = { store, config, log, now: () => NOW, sourceStatus: () => ({ lastSuccessAt: NOW, lastError: null, note: null }) };
  slack = await hostAdapter(slackAdapter, services);
  await storeInstallations(store, secretBoxOf(config)).storeInstallation({
    team: { id: TEAM, name: 'Team A' },
    enterprise: undefined,
    user: { id: 'UINSTALLER', token: undefined, scopes: undefined },
    bot: { id: 'BTEAMA', userId: 'UBOTTEAMA', token: 'xoxb-team-a', scopes: ['chat:write'] },
    isEnterpriseInstall: false,
  });
  const paper = parseListing(readFixture('hf-api/daily_papers-2025-10-14.json')).papers[0]!;
  await store.papers.upsert([paper], NOW);
  await store.posts.record({
    platform: 'slack',
    channelId: reactionAdded.event.item.channel,
    messageId: reactionAdded.event.item.ts,
    paperIds: [paper.id],
    kind: 'digest',
    deliveryId: null,
    postedAt: NOW,
  });
});

afterAll(async () => {
  await slack?.stop();
  await fake?.close();
  await cleanup?.();
});

describe('Slack OAuth mode', () => {
  it('serves the install page', async () => {
    const res = await fetch(slack.url('/slack/install'));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('client_id=111.222');
  });

  it("answers a workspace's reaction with that workspace's installed token", async () => {
    const res = await sendToBot(slack.url('/slack/events'), SECRET, {
      json: { ...reactionAdded, event: { ...reactionAdded.event, reaction: 'bookmark' } },
    });
    expect(res.status).toBe(200);
    const [confirm] = await fake.waitForCalls('chat.postEphemeral');
    expect(confirm!.token).toBe('xoxb-team-a');
    expect(await store.bookmarks.list('slack', reactionAdded.event.user)).toHaveLength(1);
  });

  it('posts digests with the installed token, and fails permanently for a workspace without one', async () => {
    await slack.poster.post({ platform: 'slack', workspaceId: TEAM, channelId: 'CA' }, textReply('hello', 'public'), 'k1');
    expect(fake.callsTo('chat.postMessage').at(-1)!.token).toBe('xoxb-team-a');
    const err = await slack.poster
      .post({ platform: 'slack', workspaceId: 'TUNKNOWN', channelId: 'CB' }, textReply('hello', 'public'), 'k2')
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ permanent: true, message: expect.stringContaining('not installed') });
  });
});
