import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discordAdapter } from '../../adapters/discord/index';
import { loadBotConfig } from '../../adapters/index';
import { hostAdapter, type HostedAdapter } from '../helpers/host';
import type { Services } from '../../src/chat/command';
import { createLogger } from '../../src/log';
import type { Store } from '../../src/store/types';
import { commands } from '../../commands/index';
import { bundledPapers } from '../commands/services';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord';
import { openTestStore } from '../helpers/stores';
import { drillLine } from './report';

/**
 * Drill: every subcommand through the real discord.js client against the loopback fake, from a DM
 * (no guild, no member) and from a guild member without Manage Channels. Each gets an answer; the
 * member changes no subscription.
 */

const now = new Date('2025-10-16T10:00:00Z');
const NO_PERMISSIONS = 1n << 11n; // Send Messages only
const DM_CHANNEL = '920000000000000001';

let fake: FakeDiscord;
let store: Store;
let cleanup: () => Promise<void>;
let adapter: HostedAdapter;

beforeAll(async () => {
  fake = await startFakeDiscord();
  ({ store, cleanup } = await openTestStore('sqlite'));
  await store.papers.upsert(bundledPapers(), now);
  const config = loadBotConfig({ DISCORD_TOKEN: 'drill-discord-token', DISCORD_APPLICATION_ID: fake.applicationId, DISCORD_API_URL: fake.apiUrl });
  const log = createLogger({ level: 'silent' });
  const services: Services = { store, config, log, now: () => now, sourceStatus: () => ({ lastSuccessAt: now, lastError: null, note: null }) };
  adapter = await hostAdapter(discordAdapter, services);
});

afterAll(async () => {
  await adapter?.stop();
  await fake?.close();
  await cleanup?.();
});

/** Typical options per subcommand, so each runs its real path rather than a usage error. */
const OPTIONS: Record<string, Record<string, string | number | boolean>> = {
  search: { query: 'video diffusion' },
  paper: { id: '2510.11696' },
  similar: { id: '2510.11696' },
  subscribe: { time: '10:00', tz: 'Europe/Berlin', top: 3 },
};

/** The text of the interaction's answer (callback, or the edit of a deferred one). */
async function answerOf(token: string): Promise<{ text: string; ephemeral: boolean }> {
  const callback = await fake.waitForRequest((r) => r.path.endsWith(`/${token}/callback`));
  const ephemeral = ((callback.body?.data?.flags ?? 0) & 64) === 64;
  if (callback.body.type === 4) return { text: JSON.stringify(callback.body.data), ephemeral };
  const edit = await fake.waitForRequest((r) => r.method === 'PATCH' && r.path.includes(`/${token}/messages/@original`));
  return { text: JSON.stringify(edit.body), ephemeral };
}

describe('drill discord-dm-and-permissions', () => {
  it('every subcommand from a DM and from a member without Manage Channels is answered; the member changes no subscription', async () => {
    let answered = 0;
    let refused = 0;
    for (const spec of commands) {
      const options = spec.name in OPTIONS ? OPTIONS[spec.name]! : {};
      const dm = fake.sendCommand(spec.name, options, { userId: '555555555555555555', channelId: DM_CHANNEL, dm: true });
      expect((await answerOf(dm.token)).text, `DM ${spec.name}`).not.toMatch(/failed unexpectedly|Something went wrong/);
      answered++;
      // A DM is the user's own channel: subscribing it is allowed, and stored with no guild.
      if (spec.name === 'subscribe')
        expect(await store.subscriptions.get(`discord:${DM_CHANNEL}`)).toMatchObject({ workspaceId: null, time: '10:00', timezone: 'Europe/Berlin' });

      const before = JSON.stringify(await store.subscriptions.list());
      const member = fake.sendCommand(spec.name, options, { userId: '666666666666666666', permissions: NO_PERMISSIONS });
      const answer = await answerOf(member.token);
      expect(answer.text, `member ${spec.name}`).not.toMatch(/failed unexpectedly|Something went wrong/);
      answered++;
      expect(JSON.stringify(await store.subscriptions.list()), `member ${spec.name}`).toBe(before);
      if (/Only people who may manage this channel/.test(answer.text)) {
        expect(answer.ephemeral).toBe(true);
        refused++;
      }
    }
    expect(refused).toBe(2); // subscribe and unsubscribe
    drillLine(
      'discord-dm-and-permissions',
      `${commands.length} subcommands x (DM without guild, member without Manage Channels) = ${answered} interactions answered, ${refused} channel changes refused privately, 0 crashes`,
    );
  }, 60_000);
});
