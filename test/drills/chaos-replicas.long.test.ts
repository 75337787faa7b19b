import { type ChildProcess, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nonceFor } from '../../adapters/discord/poster';
import { controlId, parseControlId } from '../../src/chat/controls';
import { openStore } from '../../src/store/open';
import type { Store } from '../../src/store/types';
import { DEFAULT_SETTINGS } from '../../src/subscriptions/settings';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord';
import { repoRoot } from '../helpers/fixtures';
import { freePort } from '../helpers/net';
import { seeded } from '../helpers/synthetic-papers';
import { storeKinds, testDatabase } from '../helpers/stores';
import { realPapers } from '../schedule/harness';
import { drillLine } from './report';

/**
 * Drill (long: `npm run drills:long`): three `papers start` replicas (scheduler on) and a
 * `papers post-daily` process (run again a second after it ends, by turns `--all` and `--users`, as
 * an operator's cron would) on one PostgreSQL store, against the fake Discord, while the daily
 * fan-out to 200 channels (200 servers, threads on), 30 people's digests by direct message and,
 * once a new list lands mid-drill, 30 people's alerts are all due at once. Once every replica is
 * up, every 0.2 to 2 s (fast-check seeds) one of the four processes is SIGKILLed at random, up or
 * still starting, and a replica is started again at once.
 *
 * Meanwhile people click Save on the posted papers and react 🔖 to them, each a person of their own:
 * - Clicks are Discord HTTP interactions, signed with the fake's Ed25519 key and posted to
 *   /discord/interactions of a replica chosen at random, the drill being the load balancer: a
 *   connection refused or reset before an answer goes to another replica, within Discord's 3 s.
 *   A copy that reaches a second replica after the first had taken it in is refused as a replay
 *   (the store remembers its signature), so such a click ends unanswered, as Discord shows one.
 * - Reactions come through the fake gateway. Each replica holds one shard of three
 *   (DISCORD_SHARDS=i-i/3), so a server's events go to exactly one live session and are handled
 *   once; a replica restarted identifies its shard again. A reaction for a shard whose replica is
 *   down is not dispatched (Discord keeps a dead session's events only for a resume, which a new
 *   process cannot do); one dispatched to a session killed before it wrote the bookmark is lost
 *   with it, and counted apart (RELIABILITY.md).
 *
 * Then everything runs to the end, and: every channel shows its header and papers once, each paper
 * message with one thread; every person's digest and alert is shown once; every click answered
 * "Saved" and every reaction dispatched to a session that lived on is exactly one bookmark.
 */

const SERVERS = Array.from({ length: 200 }, (_, i) => {
  const id = ((2_000_000n + BigInt(i)) << 22n).toString();
  return { id, channelId: (BigInt(id) + 1n).toString(), shard: (2_000_000 + i) % 3 };
});
const DIGEST_PEOPLE = Array.from({ length: 30 }, (_, i) => String(810_000_000_000_000_000n + BigInt(i)));
const ALERT_PEOPLE = Array.from({ length: 30 }, (_, i) => String(820_000_000_000_000_000n + BigInt(i)));
const FOLLOWED = ['reasoning', 'diffusion', 'reinforcement learning', 'agent', 'video'];
const TOP = 3;
const KILLS = 50;
const REPLICAS = 3;
/** The post-daily process is the last of the four. */
const POST_DAILY = REPLICAS;
/** Between two runs of post-daily, as a cron leaves (and to leave the CPU to the replicas). */
const POST_DAILY_PAUSE_MS = 1_000;
/** Discord gives an interaction 3 s for its first response. */
const INTERACTION_DEADLINE_MS = 3_000;

/**
 * The zone whose clock shows about noon now (Etc/GMT-k is UTC+k), so the posts are due at once on
 * today's date and alerts are outside the quiet hours (22:00 to 08:00), whenever the drill runs.
 */
function noonZone(now: Date): { zone: string; time: string } {
  const k = 12 - now.getUTCHours();
  const zone = k === 0 ? 'UTC' : `Etc/GMT${k > 0 ? '-' : '+'}${Math.abs(k)}`;
  // A minute ago on that clock: due, and within every catch-up window.
  const minute = now.getUTCMinutes() === 0 ? '11:59' : `12:${String(now.getUTCMinutes() - 1).padStart(2, '0')}`;
  return { zone, time: minute };
}

async function seed(store: Store, fake: FakeDiscord, zone: string, time: string): Promise<void> {
  await store.papers.upsert(realPapers, new Date('2025-10-14T08:00:00Z'));
  for (const s of SERVERS)
    await store.subscriptions.upsert({
      platform: 'discord',
      workspaceId: s.id,
      channelId: s.channelId,
      ...DEFAULT_SETTINGS,
      time,
      timezone: zone,
      top: TOP,
      threads: true,
      origin: 'command',
      createdBy: 'drill',
    });
  const people = [...DIGEST_PEOPLE.map((u) => ({ u, digest: true })), ...ALERT_PEOPLE.map((u) => ({ u, digest: false }))];
  for (const [i, { u, digest }] of people.entries()) {
    await store.follows.add({ platform: 'discord', userId: u, follow: { kind: 'topic', value: FOLLOWED[i % FOLLOWED.length]! }, at: new Date(), max: 25 });
    const settings = { digest: digest ? ('daily' as const) : ('off' as const), weekDay: 'mon' as const, time, timezone: zone, top: TOP, alerts: !digest };
    await store.personal.set({ platform: 'discord', userId: u, workspaceId: fake.guildId, settings, now: new Date() });
  }
}

/** Today's list, as a refresh by any replica would store it: the real papers under ids of their own, listed today. */
function newList(today: string) {
  return realPapers.map((p) => ({ ...p, id: `${p.id}-new`, arxivId: null, listedOn: today }));
}

interface Click {
  userId: string;
  paperId: string;
  token: string;
  /**
   * What the load balancer saw: an answer; a 401 for a copy a replica had taken in before dying;
   * another status; no replica taking the connection within the deadline; or one holding it past it.
   */
  outcome: 'answered' | 'replay-refused' | 'error' | 'refused' | 'late';
  attempts: number;
}

interface Reaction {
  userId: string;
  paperId: string;
  /** The replica process that held the shard when it was dispatched. */
  holder: ChildProcess;
  /** Settled by a kill of the holder before the bookmark was written. */
  lostWithSession: boolean;
}

describe.skipIf(!storeKinds.includes('postgres'))('drill chaos-replicas', () => {
  it(
    '3 `papers start` replicas + post-daily, one SIGKILLed at random >= 50 times: 0 duplicates, 0 missing; clicks and reactions recorded once',
    async () => {
      const started = Date.now();
      const fake = await startFakeDiscord({ channelIds: [], extraGuilds: SERVERS, maxConcurrency: 16 });
      const db = testDatabase('postgres');
      const store = await openStore(db.url);
      const { zone, time } = noonZone(new Date());
      const today = new Date().toISOString().slice(0, 10);
      await seed(store, fake, zone, time);
      const ports = await Promise.all(Array.from({ length: REPLICAS }, () => freePort()));
      const shared = {
        PATH: process.env.PATH ?? '',
        DATABASE_URL: db.url,
        HF_BASE_URL: 'http://127.0.0.1:9',
        DISCORD_TOKEN: 'chaos-token',
        DISCORD_APPLICATION_ID: fake.applicationId,
        DISCORD_API_URL: fake.apiUrl,
        LOG_LEVEL: 'error',
      };
      const logs: string[] = [];
      let stopping = false;
      let exits = 0;
      let postDailyRuns = 0;
      const procs: ChildProcess[] = [];
      const spawnOne = (slot: number): ChildProcess => {
        const args = slot === POST_DAILY ? ['post-daily', postDailyRuns++ % 2 === 0 ? '--all' : '--users'] : ['start'];
        const env =
          slot === POST_DAILY
            ? shared
            : {
                ...shared,
                HOST: '127.0.0.1',
                PORT: String(ports[slot]),
                DISCORD_INTERACTIONS: 'http',
                DISCORD_PUBLIC_KEY: fake.publicKeyHex,
                DISCORD_SHARDS: `${slot}-${slot}/${REPLICAS}`,
              };
        const child = spawn(process.execPath, ['bin/papers.mjs', ...args], { cwd: repoRoot, env, stdio: ['ignore', 'ignore', 'pipe'] });
        child.stderr!.on('data', (d: Buffer) => {
          logs.push(`[${slot}] ${String(d)}`);
          if (logs.length > 200) logs.shift();
        });
        child.on('exit', () => {
          exits += 1;
          // The operator's cron runs post-daily again; a replica is restarted only by the drill.
          if (slot === POST_DAILY && procs[slot] === child && !stopping) setTimeout(() => !stopping && (procs[slot] = spawnOne(slot)), POST_DAILY_PAUSE_MS);
        });
        return child;
      };
      for (let slot = 0; slot <= POST_DAILY; slot++) procs[slot] = spawnOne(slot);
      const exited = (c: ChildProcess) =>
        c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => c.once('exit', () => resolve()));

      // --- people clicking Save and reacting 🔖 -------------------------------------------------
      const clicks: Click[] = [];
      const reactions: Reaction[] = [];
      let notDispatched = 0;
      let people = 0;
      const random = seeded(2123);
      const serverOf = new Map(SERVERS.map((s) => [s.channelId, s]));
      /** A paper message a channel on these shards shows and the store has recorded: what a person reacts on. */
      async function postedPaperMessage(onShards: number[]): Promise<{ channelId: string; messageId: string; paperId: string; shard: number } | null> {
        const shown = [...fake.messages.values()].filter(
          (m) => serverOf.has(m.channel_id) && m.nonce !== undefined && m.components.length > 0 && onShards.includes(serverOf.get(m.channel_id)!.shard),
        );
        for (let tries = 0; tries < 5 && shown.length > 0; tries++) {
          const m = shown[Math.floor(random() * shown.length)]!;
          const server = serverOf.get(m.channel_id)!;
          const post = await store.posts.find('discord', m.channel_id, m.id);
          if (post?.paperIds.length === 1) return { channelId: m.channel_id, messageId: m.id, paperId: post.paperIds[0]!, shard: server.shard };
        }
        return null;
      }

      function shownSaveButton(): { messageId: string; paperId: string } | null {
        const shown = [...fake.messages.values()].filter((m) => serverOf.has(m.channel_id) && m.nonce !== undefined && m.components.length > 0);
        if (shown.length === 0) return null;
        const m = shown[Math.floor(random() * shown.length)]!;
        const save = m.components
          .flatMap((row) => row.components as { custom_id?: string }[])
          .map((c) => (c.custom_id ? parseControlId(c.custom_id) : null))
          .find((c) => c?.kind === 'current' && c.action === 'save' && c.paperId !== null);
        return save?.paperId ? { messageId: m.id, paperId: save.paperId } : null;
      }

      async function click(target: { messageId: string; paperId: string }): Promise<void> {
        const userId = String(700_000_000_000_000_000n + BigInt(++people));
        const d = fake.clickPayload({ messageId: target.messageId, customId: controlId('save', target.paperId)!, userId });
        const body = JSON.stringify(d);
        const headers = fake.signedHeaders(body);
        const record: Click = { userId, paperId: target.paperId, token: d.token as string, outcome: 'refused', attempts: 0 };
        clicks.push(record);
        const deadline = Date.now() + INTERACTION_DEADLINE_MS;
        const first = Math.floor(random() * REPLICAS);
        while (Date.now() < deadline) {
          const slot = (first + record.attempts++) % REPLICAS;
          try {
            const res = await fetch(`http://127.0.0.1:${ports[slot]}/discord/interactions`, {
              method: 'POST',
              headers,
              body,
              signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())),
            });
            const text = await res.text();
            fake.recordHttpAnswer(d, res.status, text);
            record.outcome = res.status === 200 ? 'answered' : text === 'request already seen' ? 'replay-refused' : 'error';
            return;
          } catch (err) {
            // Past the deadline Discord has given up; a refused or reset connection goes to the next replica.
            if ((err as Error).name === 'TimeoutError') {
              record.outcome = 'late';
              return;
            }
            if (record.attempts % REPLICAS === 0) await sleep(50);
          }
        }
      }

      function react(target: { channelId: string; messageId: string; paperId: string; shard: number }): void {
        const userId = String(600_000_000_000_000_000n + BigInt(++people));
        const server = serverOf.get(target.channelId)!;
        let sent = 0;
        try {
          sent = fake.sendReaction('add', { userId, channelId: target.channelId, messageId: target.messageId, emoji: '🔖', guildId: server.id });
        } catch {
          // No gateway connection at all.
        }
        if (sent === 0) {
          notDispatched += 1;
          return;
        }
        reactions.push({ userId, paperId: target.paperId, holder: procs[target.shard]!, lostWithSession: false });
      }

      const hasBookmark = async (userId: string, paperId: string) =>
        (await store.bookmarks.list('discord', userId)).filter((b) => b.paper.id === paperId).length;

      /** After a replica died: its reactions without a bookmark by now will never get one. */
      async function settleKilled(killed: ChildProcess): Promise<void> {
        for (const r of reactions) if (r.holder === killed && !r.lostWithSession && (await hasBookmark(r.userId, r.paperId)) === 0) r.lostWithSession = true;
      }

      let acting = true;
      const inFlight = new Set<Promise<void>>();
      // A click every 100 ms on a paper message shown anywhere, read off its Save button.
      const clicking = (async () => {
        while (acting) {
          await sleep(100);
          const target = shownSaveButton();
          if (!target) continue;
          const p = click(target);
          inFlight.add(p);
          void p.finally(() => inFlight.delete(p));
        }
      })();
      // A reaction every 100 ms where the bot is online; a shard whose replica is down gets what raced its death.
      const reacting = (async () => {
        while (acting) {
          await sleep(100);
          const target = await postedPaperMessage(fake.shards().map(([shard]) => shard));
          if (target) react(target);
        }
      })();

      // --- the chaos ---------------------------------------------------------------------------
      const picks = fc.sample(fc.nat(), { numRuns: KILLS, seed: 2121 });
      const waits = fc.sample(fc.integer({ min: 200, max: 2_000 }), { numRuns: KILLS, seed: 2122 });
      const alive = (c: ChildProcess) => c.exitCode === null && c.signalCode === null;
      /** The processes up: a running post-daily, and the replicas whose shard is connected (their interactions served next). */
      const upNow = () => procs.flatMap((c, slot) => (alive(c) && (slot === POST_DAILY || fake.shards().some(([shard]) => shard === slot)) ? [slot] : []));
      let kills = 0;
      let listLanded = false;
      try {
        // The chaos starts on a running deployment: every replica up (a start takes 2 s on a quiet machine, 15 s on a loaded one).
        const upBy = Date.now() + 90_000;
        while (upNow().length < REPLICAS + 1 && Date.now() < upBy) await sleep(100);
        for (let k = 0; k < KILLS; k++) {
          await sleep(waits[k]!);
          if (!listLanded && k >= KILLS / 2) {
            // A refresh brings today's list mid-drill: alerts for the people who follow its topics.
            await store.papers.upsert(newList(today), new Date());
            listLanded = true;
          }
          // Any of the four, up or still starting; post-daily between two runs waits for its next.
          const slot = picks[k]! % (POST_DAILY + 1);
          while (!alive(procs[slot]!)) await sleep(50);
          const victim = procs[slot]!;
          // post-daily's exit handler starts its next run.
          victim.kill('SIGKILL');
          kills += 1;
          await exited(victim);
          if (slot === POST_DAILY) continue;
          // Until the fake sees the session closed, a reaction could still go to the dead one.
          while (fake.shards().some(([shard]) => shard === slot)) await sleep(10);
          await settleKilled(victim);
          procs[slot] = spawnOne(slot);
        }
        acting = false;
        await Promise.all([clicking, reacting]);
        await Promise.all([...inFlight]);

        // --- to the end: everything due posts, every alert goes ----------------------------------
        const alertDelivery = async (u: string) => {
          for (const hour of new Set([new Date(started).toISOString().slice(0, 13), new Date().toISOString().slice(0, 13)])) {
            const d = await store.deliveries.get(`alert:discord:${u}@${hour}`);
            if (d) return d;
          }
          return null;
        };
        const allDone = async () => {
          for (const s of SERVERS) if ((await store.deliveries.get(`discord:${s.channelId}@${today}`))?.state !== 'posted') return false;
          for (const u of DIGEST_PEOPLE) if ((await store.deliveries.get(`me:discord:${u}@${today}`))?.state !== 'posted') return false;
          for (const u of ALERT_PEOPLE) if ((await alertDelivery(u))?.state !== 'posted') return false;
          for (const r of reactions) if (!r.lostWithSession && (await hasBookmark(r.userId, r.paperId)) === 0) return false;
          return true;
        };
        const endBy = Date.now() + 120_000;
        while (!(await allDone()) && Date.now() < endBy) await sleep(1_000);
        stopping = true;
        for (const c of procs) c.kill('SIGTERM');
        await Promise.all(procs.map(exited));

        // --- the audit ---------------------------------------------------------------------------
        const shown = [...fake.messages.values()];
        const channels = { duplicates: 0, missing: 0 };
        const dms = { duplicates: 0, missing: 0 };
        let duplicateThreads = 0;
        let missingThreads = 0;
        /** Messages shown where `where` says against the idempotency keys expected there. */
        const audit = (tally: typeof channels, where: (m: (typeof shown)[number]) => boolean, expected: string[]) => {
          const nonces = shown.filter(where).map((m) => String(m.nonce));
          tally.duplicates += nonces.length - new Set(nonces).size + nonces.filter((n) => !expected.includes(n)).length;
          tally.missing += expected.filter((n) => !nonces.includes(n)).length;
        };
        for (const s of SERVERS) {
          const id = `discord:${s.channelId}@${today}`;
          const delivery = await store.deliveries.get(id);
          if (delivery?.state !== 'posted' || delivery.plan?.length !== TOP) channels.missing += 1;
          const parts = ['header', ...(delivery?.plan ?? [])];
          audit(
            channels,
            (m) => m.channel_id === s.channelId && m.interaction_metadata === undefined,
            parts.map((p) => nonceFor(`${id}:${p}`)),
          );
          // A paper message's thread has the message's id; Discord refuses a second one (160004).
          const paperMessages = new Set(
            shown.filter((m) => m.channel_id === s.channelId && parts.slice(1).some((p) => m.nonce === nonceFor(`${id}:${p}`))).map((m) => m.id),
          );
          const threads = [...fake.threads.values()].filter((t) => t.parent_id === s.channelId);
          duplicateThreads += threads.filter((t) => !paperMessages.has(t.id)).length;
          missingThreads += [...paperMessages].filter((m) => !fake.threads.has(m)).length;
        }
        const dmsOf = (u: string) => (m: (typeof shown)[number]) => fake.dmChannels.get(m.channel_id) === u;
        let digestMessages = 0;
        for (const u of DIGEST_PEOPLE) {
          const id = `me:discord:${u}@${today}`;
          const delivery = await store.deliveries.get(id);
          if (delivery?.state !== 'posted' || !delivery.plan?.length) dms.missing += 1;
          const expected = ['header', ...(delivery?.plan ?? [])].map((p) => nonceFor(`${id}:${p}`));
          digestMessages += expected.length;
          audit(dms, dmsOf(u), expected);
        }
        for (const u of ALERT_PEOPLE) {
          const delivery = await alertDelivery(u);
          if (delivery?.state !== 'posted' || !delivery.plan?.length) dms.missing += 1;
          audit(dms, dmsOf(u), delivery ? [nonceFor(`${delivery.id}:list`)] : []);
        }

        const answered = clicks.filter((c) => c.outcome === 'answered');
        const answers = answered.map((c) => fake.interactionReply(c.token)?.content ?? '');
        const saved = answered.filter((_, i) => answers[i]!.startsWith('Saved'));
        // An answer "Removed" means a second replica ran the same click (Save toggles).
        const toggledTwice = answers.filter((a) => a.startsWith('Removed')).length;
        const deferredUnfinished = answers.filter((a) => a === '').length;
        // Anything else (a generic failure) is a click the bot could not do.
        const otherAnswers = answers.filter((a) => a !== '' && !a.startsWith('Saved') && !a.startsWith('Removed'));
        let savedWithoutRow = 0;
        for (const c of saved) if ((await hasBookmark(c.userId, c.paperId)) !== 1) savedWithoutRow += 1;
        const unanswered = clicks.length - answered.length;
        let unansweredSaved = 0;
        for (const c of clicks) if (c.outcome !== 'answered' && (await hasBookmark(c.userId, c.paperId)) === 1) unansweredSaved += 1;

        const live = reactions.filter((r) => !r.lostWithSession);
        let reactionsWithoutRow = 0;
        for (const r of live) if ((await hasBookmark(r.userId, r.paperId)) !== 1) reactionsWithoutRow += 1;
        // Each reaction handled twice would confirm twice ("Bookmarked", then "already in your bookmarks").
        let reactionsHandledTwice = 0;
        for (const r of reactions) if (shown.filter(dmsOf(r.userId)).length > 1) reactionsHandledTwice += 1;

        const outcomes = (o: Click['outcome']) => clicks.filter((c) => c.outcome === o).length;
        const seconds = Math.round((Date.now() - started) / 1000);
        drillLine(
          'chaos-replicas',
          `3 papers start replicas (shards 0/3, 1/3, 2/3; HTTP interactions) + post-daily (${postDailyRuns} runs) on PostgreSQL, ${kills} SIGKILLs, ${exits} exits; ` +
            `${SERVERS.length} channels x ${TOP + 1} messages with threads, ${DIGEST_PEOPLE.length} digests (${digestMessages} DMs), ${ALERT_PEOPLE.length} alerts: ` +
            `channel messages ${channels.duplicates} duplicates, ${channels.missing} missing; ${fake.threads.size} threads, ${duplicateThreads} duplicate, ${missingThreads} missing; DMs ${dms.duplicates} duplicates, ${dms.missing} missing; ` +
            `${clicks.length} Save clicks: ${saved.length} answered Saved (${savedWithoutRow} without a bookmark, ${toggledTwice} run twice, ${otherAnswers.length} other answers, ${deferredUnfinished} deferred and cut off), ` +
            `${unanswered} unanswered within 3 s (${outcomes('refused')} no replica listening, ${outcomes('late')} late, ${outcomes('replay-refused')} refused as replays after a reset, ${outcomes('error')} errors; ${unansweredSaved} of them saved); ` +
            `${reactions.length} reactions dispatched: ${live.length - reactionsWithoutRow} recorded, ${reactionsWithoutRow} missing, ${reactions.length - live.length} lost with a killed session, ${reactionsHandledTwice} handled twice; ` +
            `${notDispatched} not dispatched (shard down); ${seconds} s`,
        );
        expect(kills).toBeGreaterThanOrEqual(50);
        expect({ channels, dms, duplicateThreads, missingThreads }).toEqual({
          channels: { duplicates: 0, missing: 0 },
          dms: { duplicates: 0, missing: 0 },
          duplicateThreads: 0,
          missingThreads: 0,
        });
        expect({ savedWithoutRow, toggledTwice, otherAnswers, reactionsWithoutRow, reactionsHandledTwice }).toEqual({
          savedWithoutRow: 0,
          toggledTwice: 0,
          otherAnswers: [],
          reactionsWithoutRow: 0,
          reactionsHandledTwice: 0,
        });
        // Both paths must have been exercised under the chaos; how much depends on the machine's load
        // (a replica starts in 2 s on a quiet machine, in 10 to 15 s at load 10 on 2 cores).
        expect(saved.length).toBeGreaterThanOrEqual(1);
        expect(live.length - reactionsWithoutRow).toBeGreaterThanOrEqual(1);
      } catch (err) {
        process.stderr.write(`last log lines:\n${logs.join('')}\n`);
        throw err;
      } finally {
        stopping = true;
        acting = false;
        for (const c of procs) c.kill('SIGKILL');
        await store.close();
        await db.cleanup();
        await fake.close();
      }
    },
    15 * 60_000,
  );
});
