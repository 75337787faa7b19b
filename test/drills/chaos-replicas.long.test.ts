import { type ChildProcess, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open';
import { DEFAULT_SETTINGS } from '../../src/subscriptions/settings';
import { startFakeDiscord } from '../fakes/discord';
import { repoRoot } from '../helpers/fixtures';
import { storeKinds, testDatabase } from '../helpers/stores';
import { LIST_DATE, realPapers } from '../schedule/harness';
import { drillLine } from './report';

/**
 * Drill (long: `npm run drills:long`): three `papers post-daily --all` processes at once on one
 * PostgreSQL store, posting a 200-channel daily fan-out with threads on to the fake Discord, one of
 * them SIGKILLed at random every 0.2 to 1.2 s and started again, 50 times; then they run to the
 * end. Every channel must show its header and papers once, each paper message with its thread.
 */

const CHANNELS = Array.from({ length: 200 }, (_, i) => String(910_000_000_000_000_000n + BigInt(i)));
const TOP = 3;
const KILLS = 50;

describe.skipIf(!storeKinds.includes('postgres'))('drill chaos-replicas', () => {
  it(
    '3 replicas posting, one SIGKILLed at random >= 50 times: 0 duplicates, 0 missing, every thread opened',
    async () => {
      const fake = await startFakeDiscord({ channelIds: CHANNELS });
      const db = testDatabase('postgres');
      const store = await openStore(db.url);
      await store.papers.upsert(realPapers, new Date('2025-10-14T08:00:00Z'));
      for (const channelId of CHANNELS)
        await store.subscriptions.upsert({
          platform: 'discord',
          workspaceId: fake.guildId,
          channelId,
          ...DEFAULT_SETTINGS,
          top: TOP,
          threads: true,
          origin: 'command',
          createdBy: 'drill',
        });
      const env = {
        PATH: process.env.PATH ?? '',
        DATABASE_URL: db.url,
        HF_BASE_URL: 'http://127.0.0.1:9',
        DISCORD_TOKEN: 'chaos-token',
        DISCORD_APPLICATION_ID: fake.applicationId,
        DISCORD_API_URL: fake.apiUrl,
        LOG_LEVEL: 'error',
      };
      const exits: (number | null)[] = [];
      const start = (): ChildProcess => {
        const child = spawn(process.execPath, ['bin/papers.mjs', 'post-daily', '--all', '--date', LIST_DATE], { cwd: repoRoot, env, stdio: 'ignore' });
        child.on('exit', (code) => exits.push(code));
        return child;
      };
      const replicas = [start(), start(), start()];
      const pick = fc.sample(fc.integer({ min: 0, max: 2 }), { numRuns: KILLS, seed: 2121 });
      const waits = fc.sample(fc.integer({ min: 200, max: 1200 }), { numRuns: KILLS, seed: 2122 });
      try {
        for (let k = 0; k < KILLS; k++) {
          await sleep(waits[k]!);
          const i = pick[k]!;
          replicas[i]!.kill('SIGKILL');
          replicas[i] = start();
        }
        // Then to the end: the replicas still running finish, and one more run at a time takes what is left.
        const exited = (r: ChildProcess) =>
          r.exitCode !== null || r.signalCode !== null ? Promise.resolve() : new Promise((resolve) => r.on('exit', resolve));
        await Promise.all(replicas.map(exited));
        const allPosted = async () =>
          (await Promise.all(CHANNELS.map((c) => store.deliveries.get(`discord:${c}@${LIST_DATE}`)))).every((d) => d?.state === 'posted');
        for (let round = 0; round < 5 && !(await allPosted()); round++) await exited(start());

        const messages = [...fake.messages.values()];
        let duplicates = 0;
        let missing = 0;
        for (const channelId of CHANNELS) {
          const inChannel = messages.filter((m) => m.channel_id === channelId);
          const keys = inChannel.map((m) => String(m.nonce));
          duplicates += keys.length - new Set(keys).size;
          missing += Math.max(0, TOP + 1 - new Set(keys).size);
          // A thread started from a message has the message's id, and Discord refuses a second one (160004).
          const threads = [...fake.threads.values()].filter((t) => t.parent_id === channelId);
          missing += Math.max(0, TOP - threads.length);
        }
        const states = await Promise.all(CHANNELS.map((c) => store.deliveries.get(`discord:${c}@${LIST_DATE}`).then((d) => d?.state)));
        expect(states.filter((s) => s !== 'posted')).toEqual([]);
        expect({ duplicates, missing }).toEqual({ duplicates: 0, missing: 0 });
        drillLine(
          'chaos-replicas',
          `3 post-daily replicas on PostgreSQL, ${KILLS} SIGKILLs, ${exits.length} exits; ${CHANNELS.length} channels x ${TOP + 1} messages with threads: ${messages.length} messages, ${fake.threads.size} threads, 0 duplicates, 0 missing (each paper message with its thread)`,
        );
      } finally {
        for (const r of replicas) r.kill('SIGKILL');
        await store.close();
        await db.cleanup();
        await fake.close();
      }
    },
    15 * 60_000,
  );
});
