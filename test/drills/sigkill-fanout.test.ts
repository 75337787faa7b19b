import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nonceFor } from '../../adapters/discord/poster';
import { addDays } from '../../src/model/dates';
import { openStore } from '../../src/store/open';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord';
import { repoRoot } from '../helpers/fixtures';
import { testDatabase } from '../helpers/stores';
import { LIST_DATE, realPapers } from '../schedule/harness';
import { drillLine } from './report';
import { DEFAULT_SETTINGS } from '../../src/subscriptions/settings';

/**
 * Drill: SIGKILL at random points of daily fan-outs, channels' posts and people's digests by direct
 * message. Each seed is one day's fan-out that is killed,
 * either just before a random store call (any write can be the last) or while the fake Discord
 * handles a random message create (sent, but the poster never hears back). The next process is
 * the restart: it finishes the killed day, then runs (and crashes) the next seed's day. In the end
 * every channel and every person's DMs must show each day's header and planned papers exactly once.
 * Each day has a list of its own (the real papers under fresh ids), so every person's digest has
 * papers every day: a paper is sent to a person once ever.
 */

const SEEDS = 50;
const CHANNELS = ['900000000000000001', '900000000000000002', '900000000000000003'];
const PEOPLE = ['800000000000000001', '800000000000000002', '800000000000000003'];
const TOP = 3;
const dayOf = (i: number) => addDays(LIST_DATE, i);

type Kill = { at: 'store-op'; n: number } | { at: 'message'; n: number };

const isCreate = (r: { method: string; path: string }) => r.method === 'POST' && /^\/channels\/\d+\/messages$/.test(r.path);

/** One process: finish `previousDay`, then run `day` and die where `kill` says. Returns whether it was killed and its store calls. */
async function runChild(url: string, fake: FakeDiscord, previousDay: string | null, day: string | null, kill: Kill | null) {
  const storeOp = kill?.at === 'store-op' ? kill.n : 0;
  const args = [path.join(repoRoot, 'test/drills/fanout-child.ts'), url, fake.apiUrl, previousDay ?? '-', day ?? '-', String(storeOp)];
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    // Creates of the restart part were all answered before `start` was written, so counting from here sees only `day`.
    if (kill?.at === 'message' && out.includes('start\n') && fake.requests.push === Array.prototype.push) {
      let creates = 0;
      fake.requests.push = (...items) => {
        creates += items.filter(isCreate).length;
        if (creates >= kill.n) child.kill('SIGKILL');
        return Array.prototype.push.apply(fake.requests, items);
      };
    }
  });
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  fake.requests.push = Array.prototype.push;
  if (code !== 0 && signal !== 'SIGKILL') throw new Error(`fan-out child failed (${code}): ${err}`);
  const ops = /ops (\d+)/.exec(out)?.[1];
  return { killed: signal === 'SIGKILL', ops: ops ? Number(ops) : null };
}

async function seedStore(url: string): Promise<void> {
  const store = await openStore(url);
  for (let i = 0; i <= SEEDS + 1; i++) {
    const day = dayOf(i);
    await store.papers.upsert(
      realPapers.map((p) => (i === 0 ? p : { ...p, id: `${p.id}-${i}`, arxivId: null, listedOn: day })),
      new Date(`${day}T08:00:00Z`),
    );
  }
  for (const [i, userId] of PEOPLE.entries()) {
    await store.follows.add({
      platform: 'discord',
      userId,
      follow: { kind: 'topic', value: ['reinforcement learning', 'diffusion', 'reasoning'][i]! },
      at: new Date(),
      max: 25,
    });
    const settings = { digest: 'daily' as const, weekDay: 'mon' as const, time: '09:00', timezone: 'UTC', top: TOP, alerts: false };
    await store.personal.set({ platform: 'discord', userId, workspaceId: '1', settings, now: new Date() });
  }
  for (const channelId of CHANNELS)
    await store.subscriptions.upsert({
      platform: 'discord',
      workspaceId: '1',
      channelId,
      ...DEFAULT_SETTINGS,
      top: TOP,
      origin: 'command',
      createdBy: 'drill',
    });
  await store.close();
}

/** Per channel, every day's header and planned papers against what the fake shows: duplicates and missing. */
async function audit(url: string, fake: FakeDiscord, days: string[]): Promise<{ duplicates: number; missing: number; messages: number }> {
  const store = await openStore(url);
  let duplicates = 0;
  let missing = 0;
  let messages = 0;
  for (const channelId of CHANNELS) {
    const expected: string[] = [];
    for (const day of days) {
      const deliveryId = `discord:${channelId}@${day}`;
      const delivery = await store.deliveries.get(deliveryId);
      if (delivery?.state !== 'posted' || delivery.plan?.length !== TOP) missing += 1;
      expected.push(...['header', ...(delivery?.plan ?? [])].map((part) => nonceFor(`${deliveryId}:${part}`)));
    }
    const shown = [...fake.messages.values()].filter((m) => m.channel_id === channelId).map((m) => String(m.nonce));
    messages += shown.length;
    duplicates += shown.length - new Set(shown).size + shown.filter((n) => !expected.includes(n)).length;
    missing += expected.filter((n) => !shown.includes(n)).length;
  }
  for (const userId of PEOPLE) {
    const expected: string[] = [];
    for (const day of days) {
      const deliveryId = `me:discord:${userId}@${day}`;
      const delivery = await store.deliveries.get(deliveryId);
      if (delivery?.state !== 'posted' || delivery.plan?.length !== TOP) missing += 1;
      expected.push(...['header', ...(delivery?.plan ?? [])].map((part) => nonceFor(`${deliveryId}:${part}`)));
    }
    const shown = [...fake.messages.values()].filter((m) => fake.dmChannels.get(m.channel_id) === userId).map((m) => String(m.nonce));
    messages += shown.length;
    duplicates += shown.length - new Set(shown).size + shown.filter((n) => !expected.includes(n)).length;
    missing += expected.filter((n) => !shown.includes(n)).length;
  }
  await store.close();
  return { duplicates, missing, messages };
}

describe('drill sigkill-fanout', () => {
  it(`${SEEDS} seeds of SIGKILL mid fan-out, each followed by a restart: every channel and person gets each paper exactly once`, async () => {
    const db = testDatabase('sqlite');
    const fake = await startFakeDiscord({ channelIds: CHANNELS });
    try {
      await seedStore(db.url);
      // A clean day counts the store calls and messages of one fan-out, so kill points span all of it.
      const probe = await runChild(db.url, fake, null, dayOf(0), null);
      const perDay = { ops: probe.ops!, messages: fake.requests.filter(isCreate).length };
      expect(perDay.messages).toBe((CHANNELS.length + PEOPLE.length) * (TOP + 1));

      const kill = fc.oneof(
        fc.integer({ min: 1, max: perDay.ops }).map((n): Kill => ({ at: 'store-op', n })),
        fc.integer({ min: 1, max: perDay.messages }).map((n): Kill => ({ at: 'message', n })),
      );
      const kills = fc.sample(kill, { numRuns: SEEDS, seed: 11 });
      let killed = 0;
      for (const [i, k] of kills.entries()) if ((await runChild(db.url, fake, i === 0 ? null : dayOf(i), dayOf(i + 1), k)).killed) killed++;
      await runChild(db.url, fake, dayOf(SEEDS), null, null);

      const days = Array.from({ length: SEEDS + 1 }, (_, i) => dayOf(i));
      const result = await audit(db.url, fake, days);
      drillLine(
        'sigkill-fanout',
        `${SEEDS} seeds, ${killed} SIGKILLs (before store call 1..${perDay.ops} or during message create 1..${perDay.messages}), ${days.length} days x (${CHANNELS.length} channels + ${PEOPLE.length} personal digests by DM), ${result.messages} messages shown, ${result.duplicates} duplicates, ${result.missing} missing`,
      );
      expect({ duplicates: result.duplicates, missing: result.missing }).toEqual({ duplicates: 0, missing: 0 });
      expect(killed).toBeGreaterThanOrEqual(SEEDS * 0.9);
    } finally {
      await fake.close();
      await db.cleanup();
    }
  }, 1_500_000);
});
