import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { discordAdapter } from '../../adapters/discord/index';
import { loadBotConfig } from '../../adapters/index';
import { slackAdapter } from '../../adapters/slack/index';
import type { Platform, Services } from '../../src/chat/command';
import { createLogger } from '../../src/log';
import type { Store } from '../../src/store/types';
import { bundledPapers } from '../commands/services';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord';
import { sendToBot, startFakeSlack, type FakeSlack } from '../fakes/slack';
import { readFixture } from '../helpers/fixtures';
import { hostAdapter, type HostedAdapter } from '../helpers/host';
import { openStore } from '../../src/store/open';
import { testDatabase } from '../helpers/stores';
import { sqliteFingerprint } from './store-dump';
import { drillLine } from './report';

/**
 * Drill: forged clicks. Component ids (Discord custom_id) and block action ids (Slack action_id)
 * tampered every way a client can: another user's bookmark (Remove, Save with the owner's id
 * appended), a paper that does not exist, another version of the id scheme, garbage, unicode and
 * 10 kB strings, generated with fast-check (fixed seed). Each click goes through the real discord.js
 * and Bolt against the loopback fakes. Every one is answered, privately, and nothing anyone owns
 * changes: bookmarks, subscriptions, deliveries, papers.
 */

const NOW = new Date('2025-10-15T08:00:00Z');
const SECRET = 'forged-clicks-signing-secret';
const OWNER = '80351110224678999';
const CLICKER = '80351110224671234';
const papers = bundledPapers().slice(0, 3);
const OWNED_TABLES = ['bookmarks', 'subscriptions', 'deliveries', 'papers', 'installations'];

/** The forged ids: hand-picked cases, then generated ones. */
function forgedIds(): string[] {
  const targeted = papers.flatMap((p) => [
    `p1:remove:${p.id}`,
    `p1:remove:${p.id}:${OWNER}`,
    `p1:save:${p.id}:${OWNER}`,
    `p0:remove:${p.id}`,
    `p2:save:${p.id}`,
    `p999:remove:${p.id}`,
    `p1:delete:${p.id}`,
  ]);
  const other = ['p1:save:2510.99999', 'p1:remove:2510.99999', 'p1:abstract:0000.00000', 'p1:save:', 'p1:save', 'p1:remove', 'p1:', 'p1'];
  const huge = ['x'.repeat(10_240), `p1:save:${'9'.repeat(10_240)}`, `p1:remove:${papers[0]!.id}${' '.repeat(10_000)}`];
  const generated = fc.sample(
    fc.oneof(
      fc.string({ maxLength: 120 }),
      fc.string({ unit: 'binary', maxLength: 60 }),
      fc
        .tuple(fc.constantFrom('p1:save:', 'p1:remove:', 'p1:similar:', 'p1:discuss:', 'p0:', 'p1:'), fc.string({ unit: 'grapheme', maxLength: 80 }))
        .map(([a, b]) => a + b),
    ),
    { numRuns: 40, seed: 21 },
  );
  // Neither platform carries an empty id; NUL is refused by Discord's API and Slack's JSON alike.
  return [...targeted, ...other, ...huge, ...generated].filter((id) => id.length > 0 && !id.includes('\u0000'));
}

let store: Store;
let url: string;
let cleanup: () => Promise<void>;
let services: Omit<Services, 'config'>;

beforeAll(async () => {
  const db = testDatabase('sqlite');
  url = db.url;
  cleanup = db.cleanup;
  store = await openStore(db.url);
  await store.papers.upsert(bundledPapers(), NOW);
  for (const platform of ['discord', 'slack'] as Platform[])
    for (const p of papers) await store.bookmarks.add({ platform, userId: OWNER, paperId: p.id, messageId: null, at: NOW });
  services = { store, log: createLogger({ level: 'silent' }), now: () => NOW, sourceStatus: () => ({ lastSuccessAt: NOW, lastError: null, note: null }) };
});

afterAll(async () => {
  await store?.close();
  await cleanup?.();
});

async function withUnchangedStore(platform: Platform, run: () => Promise<number>) {
  const before = sqliteFingerprint(url, OWNED_TABLES);
  const count = await run();
  expect(sqliteFingerprint(url, OWNED_TABLES)).toBe(before);
  expect(await store.bookmarks.list(platform, CLICKER)).toEqual([]);
  return count;
}

describe('forged clicks', () => {
  let fakeDiscord: FakeDiscord;
  let fakeSlack: FakeSlack;
  let discord: HostedAdapter;
  let slack: HostedAdapter;
  const counts = { discord: 0, slack: 0 };

  beforeAll(async () => {
    fakeDiscord = await startFakeDiscord();
    fakeSlack = await startFakeSlack();
    const dConfig = loadBotConfig({ DISCORD_TOKEN: 'forged-token', DISCORD_APPLICATION_ID: fakeDiscord.applicationId, DISCORD_API_URL: fakeDiscord.apiUrl });
    discord = await hostAdapter(discordAdapter, { ...services, config: dConfig });
    const sConfig = loadBotConfig({ SLACK_BOT_TOKEN: 'xoxb-forged', SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fakeSlack.apiUrl });
    slack = await hostAdapter(slackAdapter, { ...services, config: sConfig });
  });

  afterAll(async () => {
    await discord?.stop();
    await slack?.stop();
    await fakeDiscord?.close();
    await fakeSlack?.close();
    drillLine('forged-clicks', `${counts.discord} Discord component ids and ${counts.slack} Slack action ids forged: all answered privately, 0 rows changed`);
  });

  it('Discord: every forged custom_id is answered privately and changes nothing', async () => {
    counts.discord = await withUnchangedStore('discord', async () => {
      const ids = forgedIds();
      for (const customId of ids) {
        const { token } = fakeDiscord.sendClick({ messageId: '1300000000000000777', customId, userId: CLICKER });
        const callback = await fakeDiscord.waitForRequest((r) => r.path.endsWith(`/${token}/callback`), 8000);
        // An answer (4) or a deferral (5), private either way: the deferred edit stays ephemeral.
        expect([4, 5], customId.slice(0, 80)).toContain(callback.body.type);
        expect(callback.body.data?.flags & 64, customId.slice(0, 80)).toBe(64);
      }
      return ids.length;
    });
  });

  it('Slack: every forged action_id is answered privately and changes nothing', async () => {
    const blockActions = JSON.parse(readFixture('platform/slack-block-actions.json')) as Record<string, any>;
    const team = blockActions.team.id as string;
    counts.slack = await withUnchangedStore('slack', async () => {
      const ids = forgedIds();
      for (const [i, actionId] of ids.entries()) {
        const id = `forged-${i}`;
        const { response_url: _r, ...base } = blockActions;
        const payload = {
          ...base,
          user: { ...blockActions.user, id: CLICKER, team_id: team },
          container: { type: 'message', message_ts: '1700000000.000777', channel_id: 'CFORGED', is_ephemeral: false },
          channel: { id: 'CFORGED', name: 'papers' },
          message: { type: 'message', ts: '1700000000.000777', text: '' },
          response_url: fakeSlack.responseUrl(id),
          actions: [
            { type: 'button', block_id: 'b', action_ts: '1596530385.194939', action_id: actionId, value: actionId, text: { type: 'plain_text', text: 'x' } },
          ],
        };
        const ack = await sendToBot(slack.url('/slack/events'), SECRET, { form: { payload: JSON.stringify(payload) } });
        expect(ack.status, actionId.slice(0, 80)).toBe(200);
        const answer = await vi.waitFor(
          () => {
            const found = fakeSlack.responses.find((r) => r.id === id);
            if (!found) throw new Error('no answer yet');
            return found.body;
          },
          { timeout: 8000 },
        );
        expect(answer.response_type ?? 'ephemeral', actionId.slice(0, 80)).toBe('ephemeral');
        expect(answer.replace_original ?? false).toBe(false);
      }
      return ids.length;
    });
  });
});
