import pLimit from 'p-limit';
import type { Platform } from '../chat/command';
import type { DigestPoster } from '../chat/poster';
import type { Reply } from '../chat/reply';
import type { Delivery, PersonalFeed } from '../store/types';
import { errorMessage } from '../errors';
import { digestPaperMessage } from '../digest/messages';
import { followReason } from '../follows/follow';
import { postsOn, weeklyWindow, type Schedule } from '../model/cadence';
import { windowLabel } from '../digest/select';
import { claimDelivery, startHeartbeat, type Heartbeat } from '../schedule/claims';
import { deliveryIdOf, type DeliveryOutcome, type PlannedPaper } from '../schedule/delivery';
import { sharedListReads, type DeliveryRunOptions } from '../schedule/fanout';
import { storeSlots, type StoreWork } from '../schedule/store-slots';
import { localDate, occurrenceOn } from '../schedule/time';
import { directTarget, failDirect, resumeMatches, sendDirect, type DirectMessage, type InTurn } from './direct';
import { selectPersonal, type PersonalPick } from './select';

/**
 * Personal digests: each person's papers by direct message at their local time, exactly once per
 * (person, date) with the channels' claim machinery (a claim with heartbeat, the plan fixed before
 * the first send, each message recorded as soon as it is sent, idempotent re-sends). A platform
 * that refuses the direct message pauses the person's delivery: one log line, no retries, and a
 * note the next time they use the bot (src/personal/pause-note.ts).
 */

/** The delivery and claim key of a person's feed: `me:` keeps it apart from channel subscriptions. */
export function personalKey(platform: Platform, userId: string): string {
  return `me:${platform}:${userId}`;
}

/** The days a person's digest posts on, as a channel's schedule. */
export function personalSchedule(feed: Pick<PersonalFeed, 'digest' | 'weekDay'>): Schedule {
  return { every: feed.digest === 'weekly' ? 'week' : 'day', weekDay: feed.weekDay };
}

/** Personal deliveries under way at once; as for channels, far more than the platforms serve together. */
const DELIVERIES_IN_FLIGHT = 1000;

export interface PersonalRunOptions extends DeliveryRunOptions {
  /** Only these people; default everyone whose digest is on and not paused. */
  users?: { platform: Platform; userId: string }[];
  /** Only people whose digest time today, in their zone, is at or before this (`papers post-daily --users`). */
  dueBy?: Date;
  /** The local date to deliver for; default each person's local date now. */
  date?: string;
  /** Report what each person would get and why each other paper is left out, without claiming or sending. */
  dryRun?: boolean;
}

export interface PersonalReport {
  platform: Platform;
  userId: string;
  date: string;
  outcome: DeliveryOutcome | 'paused';
  /** Messages sent by this run. */
  messages: number;
  detail?: string;
  /** A failure the platform will repeat (the conversation is gone): the scheduler stops retrying it, as for a channel. */
  permanent?: boolean;
  plan?: { listLabel: string | null; papers: PlannedPaper[]; excluded: PlannedPaper[] };
}

interface Ctx extends PersonalRunOptions {
  retryDelayMs: number;
  /**
   * The run's store steps, FANOUT_CONCURRENCY at a time, each ranked by its person's place in the
   * run: a person's next step goes before later people's first, so DMs start going out at once and
   * the platform's limit is used from the first second (src/schedule/store-slots.ts).
   */
  storeWork: StoreWork;
}

export async function postPersonalDigests(opts: PersonalRunOptions): Promise<{ users: PersonalReport[] }> {
  const ctx: Ctx = {
    ...opts,
    // Every person reads the same list days: read once per run.
    store: { ...opts.store, papers: sharedListReads(opts.store.papers) },
    retryDelayMs: opts.retryDelayMs ?? 1000,
    storeWork: storeSlots(opts.config.schedule.concurrency),
  };
  const feeds = opts.users
    ? (await Promise.all(opts.users.map((u) => opts.store.personal.get(u.platform, u.userId)))).filter((f): f is PersonalFeed => f !== null)
    : (await opts.store.personal.active('digest')).filter((f) => !opts.dueBy || isDue(f, opts.dueBy));
  const inFlight = pLimit(DELIVERIES_IN_FLIGHT);
  return { users: await Promise.all(feeds.map((feed, rank) => inFlight(() => runOne(ctx, feed, rank)))) };
}

function isDue(feed: PersonalFeed, at: Date): boolean {
  return occurrenceOn(localDate(at, feed.timezone), feed.time, feed.timezone) <= at;
}

async function runOne(ctx: Ctx, feed: PersonalFeed, rank: number): Promise<PersonalReport> {
  const date = ctx.date ?? localDate(ctx.now(), feed.timezone);
  const base = { platform: feed.platform, userId: feed.userId, date, messages: 0 };
  const skipped = (detail: string): PersonalReport => ({ ...base, outcome: 'skipped', detail });
  try {
    if (feed.digest === 'off') return skipped('their digest is off');
    if (!postsOn(personalSchedule(feed), date)) return skipped('not their digest day');
    if (ctx.dryRun) return await dryRun(ctx, feed, date);
    if (feed.pausedReason) return { ...base, outcome: 'paused', detail: feed.pausedReason };
    const poster = ctx.posters.find((p) => p.platform === feed.platform);
    if (!poster) return skipped(`no ${feed.platform} adapter is configured`);
    return await deliver(ctx, feed, date, poster, rank);
  } catch (err) {
    ctx.log.error({ platform: feed.platform, userId: feed.userId, date, err: errorMessage(err) }, 'personal digest failed unexpectedly');
    return { ...base, outcome: 'failed', detail: errorMessage(err) };
  }
}

const planned = (p: PersonalPick['paper'], reason: string): PlannedPaper => ({ id: p.id, title: p.title, reason });

async function dryRun(ctx: Ctx, feed: PersonalFeed, date: string): Promise<PersonalReport> {
  const base = { platform: feed.platform, userId: feed.userId, date, messages: 0 };
  const existing = await ctx.store.deliveries.get(deliveryIdOf(personalKey(feed.platform, feed.userId), date));
  if (existing?.state === 'posted') return { ...base, outcome: 'already-posted' };
  const sel = await selectPersonal(ctx.store, feed, date);
  return {
    ...base,
    outcome: 'dry-run',
    ...(feed.pausedReason ? { detail: `paused: ${feed.pausedReason}` } : {}),
    plan: {
      listLabel: sel.listLabel,
      papers: sel.picked.map((p) => planned(p.paper, p.reason)),
      excluded: sel.excluded.map((e) => planned(e.paper, e.why)),
    },
  };
}

async function deliver(ctx: Ctx, feed: PersonalFeed, date: string, poster: DigestPoster, rank: number): Promise<PersonalReport> {
  const base = { platform: feed.platform, userId: feed.userId, date };
  const inTurn: InTurn = (work) => ctx.storeWork(work, rank);
  const { won, delivery } = await inTurn(() => claimDelivery(ctx, personalKey(feed.platform, feed.userId), date, ctx.now()));
  if (!won) return { ...base, outcome: delivery.state === 'posted' ? 'already-posted' : 'claimed-elsewhere', messages: 0 };
  const heartbeat = startHeartbeat({ ...ctx, deliveryId: delivery.id, staleAfterMs: ctx.config.schedule.claimStaleMs });
  let sent = 0;
  try {
    const outcome = await sendClaimed(ctx, feed, delivery, poster, { heartbeat, inTurn }, () => sent++);
    return { ...base, outcome, messages: sent };
  } catch (err) {
    const failure = await failDirect(ctx, feed, delivery.id, err, 'personal digest', inTurn);
    return { ...base, ...failure, messages: sent };
  } finally {
    heartbeat.stop();
  }
}

function header(listLabel: string | null, count: number): Reply {
  const what = count === 1 ? '1 paper' : `${count} papers`;
  const text = `Your papers${listLabel ? ` of ${listLabel}` : ''}: ${what} matching what you follow`;
  // Public to the conversation it is sent to, which is theirs alone.
  return { blocks: [{ kind: 'text', text }], visibility: 'public', fallback: text };
}

async function sendClaimed(
  ctx: Ctx,
  feed: PersonalFeed,
  delivery: Delivery,
  poster: DigestPoster,
  { heartbeat, inTurn }: { heartbeat: Heartbeat; inTurn: InTurn },
  onSent: () => void,
): Promise<DeliveryOutcome> {
  const resumed = delivery.plan !== null;
  const plan = await inTurn(() => planOf(ctx, feed, delivery));
  if (plan === 'claimed-elsewhere') return plan;
  const { picks, listLabel } = plan;
  if (picks.length > 0) {
    const messages: DirectMessage[] = [
      { key: 'header', reply: header(listLabel, picks.length), paperIds: [], kind: 'digest' },
      ...picks.map((p, i) => ({
        key: p.paper.id,
        reply: digestPaperMessage({ rank: i + 1, paper: p.paper, score: 0, reason: p.reason }),
        paperIds: [p.paper.id],
        kind: 'digest' as const,
      })),
    ];
    const done = resumed ? new Set((await inTurn(() => ctx.store.posts.forDelivery(delivery.id))).map((p) => p.paperIds[0] ?? 'header')) : new Set<string>();
    const target = await directTarget(ctx, poster, feed, inTurn);
    for (const msg of messages) {
      if (done.has(msg.key)) continue;
      if (!(await inTurn(() => heartbeat.beat()))) return 'claimed-elsewhere';
      await sendDirect(ctx, poster, target, msg, { id: delivery.id, resumed }, inTurn);
      onSent();
    }
  }
  await inTurn(() => ctx.store.deliveries.finish(delivery.id, ctx.owner, { state: 'posted' }, ctx.now()));
  ctx.log.info({ deliveryId: delivery.id, papers: picks.length }, picks.length ? 'personal digest sent' : 'personal digest: nothing matched');
  return picks.length === 0 ? 'empty' : 'posted';
}

/**
 * The papers the delivery sends: the plan an earlier (crashed) run fixed, or a fresh selection,
 * fixed now as the plan before the first send.
 */
async function planOf(ctx: Ctx, feed: PersonalFeed, delivery: Delivery): Promise<{ picks: PersonalPick[]; listLabel: string | null } | 'claimed-elsewhere'> {
  if (delivery.plan) {
    const picks = await resumePicks(ctx, feed, delivery.plan);
    return { picks, listLabel: resumedLabel(feed, delivery.date, picks) };
  }
  const sel = await selectPersonal(ctx.store, feed, delivery.date);
  const ids = sel.picked.map((p) => p.paper.id);
  if (!(await ctx.store.deliveries.setPlan(delivery.id, ctx.owner, ids))) return 'claimed-elsewhere';
  // Sent, as far as alerts and later digests go, from the moment they are planned: a crash before
  // the sends resumes this plan, and nothing else may send them meanwhile.
  await ctx.store.personal.markSent({ platform: feed.platform, userId: feed.userId, paperIds: ids, via: 'digest', at: ctx.now() });
  return { picks: sel.picked, listLabel: sel.listLabel };
}

/** A plan fixed by an earlier (crashed) run, in its order, with the reasons their follows give now. */
async function resumePicks(ctx: Ctx, feed: PersonalFeed, plan: string[]): Promise<PersonalPick[]> {
  return (await resumeMatches(ctx.store, feed, plan)).map((m) => ({ ...m, reason: m.follows.length ? followReason(m.follows) : 'picked for you' }));
}

/** The header's list days for a resumed plan: the week's, or the day its papers were listed. */
function resumedLabel(feed: PersonalFeed, date: string, picks: PersonalPick[]): string | null {
  if (feed.digest === 'weekly') return windowLabel(weeklyWindow(date));
  return picks[0]?.paper.listedOn ?? null;
}
