import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/schema';
import type { SourceStatus } from '../chat/command';
import { PostError, type DigestPoster, type PostTarget } from '../chat/poster';
import type { ThreadOpener } from '../chat/threads';
import type { Reply } from '../chat/reply';
import type { RankedPaper } from '../model/paper';
import type { ClaimOwner, Delivery, Store, Subscription } from '../store/types';
import { errorMessage } from '../errors';
import { modeRanking, selectDigest, windowLabel, type DigestSelection, type ListWindow } from '../digest/select';
import { weekStart, weeklyWindow } from '../model/cadence';
import { settingsKey } from '../digest/selection-cache';
import { digestHeader, digestPaperMessage, emptyDigestNote } from '../digest/messages';
import { rank, topicsMatched } from '../rank/rank';
import { openThreadOnce } from '../chat/threads';
import { claimDelivery, startHeartbeat, type Heartbeat } from './claims';
import { addDays } from '../model/dates';
import { occurrenceOn } from './time';
import type { StoreWork } from './store-slots';

/** Sends of one message before a transient failure fails the delivery (it is retried at a later run). */
const POST_ATTEMPTS = 3;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface DeliveryContext {
  store: Store;
  config: AppConfig;
  log: Logger;
  now: () => Date;
  owner: ClaimOwner;
  sourceStatus?: () => SourceStatus;
  /** First wait before re-sending after a transient error; doubles each time. */
  retryDelayMs: number;
  /**
   * Runs a step's store work in one of the fan-out's bounded slots. Sends run outside them, so a
   * channel waiting on its platform's rate limit holds no slot.
   */
  storeWork: StoreWork;
  /** The instant this run ranks at: channels with the same settings then share one ranking (plans). */
  rankAt: Date;
  /** Selections of this run by what decides them; a fan-out would otherwise rank the same list per channel. */
  plans: Map<string, Promise<DigestSelection>>;
  /** The messages of each shared selection, built once: the same Reply objects are then rendered once per platform. */
  messages: WeakMap<RankedPaper[], Outgoing[]>;
}

export type DeliveryOutcome =
  | 'posted'
  /** Nothing new for this channel: nothing was posted (or only the one-line note). */
  | 'empty'
  | 'already-posted'
  /** Another live process owns today's delivery, or gave it up after its attempts. */
  | 'claimed-elsewhere'
  | 'failed'
  | 'skipped'
  | 'dry-run';

export interface PlannedPaper {
  id: string;
  title: string;
  reason: string;
}

export interface DeliveryReport {
  subscriptionId: string;
  date: string;
  outcome: DeliveryOutcome;
  /** Messages sent by this run. */
  messages: number;
  /** Messages of a resumed delivery found already in the channel (an earlier run sent them): not sent again. */
  found?: number;
  detail?: string;
  /** Failed because the channel is gone or closed to us: retrying today will not help. */
  permanent?: boolean;
  /** Dry runs: what the channel would get, and what was left out and why. */
  plan?: { listDate: string | null; papers: PlannedPaper[]; excluded: PlannedPaper[] };
}

/** A message of the day's post with its idempotency suffix and the papers it carries. */
interface Outgoing {
  part: string;
  reply: Reply;
  paperIds: string[];
}

export function deliveryIdOf(subscriptionId: string, date: string): string {
  return `${subscriptionId}@${date}`;
}

function targetOf(sub: Subscription): PostTarget {
  return { platform: sub.platform, workspaceId: sub.workspaceId, channelId: sub.channelId, ...(sub.publish ? { publish: true } : {}) };
}

/** True when the source's last refresh failed, so the data may be older than it should be. */
function staleness(ctx: DeliveryContext): { lastRefreshedAt: Date | null } | null {
  const status = ctx.sourceStatus?.();
  return status && status.lastError !== null ? { lastRefreshedAt: status.lastSuccessAt } : null;
}

/**
 * The instant a day's post is ranked at: the run's, or for a past date (`papers post-daily --date`)
 * the end of that day in the subscription's zone, so ages in the reasons ("listed today") and
 * recency weights are those of that day, not of the day the command runs.
 */
function rankedAt(ctx: DeliveryContext, sub: Subscription, date: string): Date {
  const endOfDay = new Date(occurrenceOn(addDays(date, 1), '00:00', sub.timezone).getTime() - 1);
  return endOfDay < ctx.rankAt ? endOfDay : ctx.rankAt;
}

/**
 * What the channel gets on `date`: ranked with its settings, minus papers posted there recently.
 * Only the posted papers that are on the day's list can change the selection, so channels with the
 * same settings and none of those share one ranking in a run. Rankings that depend on more than
 * the list (a channel's bookmarks, its arXiv categories) are made per channel.
 */
async function planDigest(ctx: DeliveryContext, sub: Subscription, date: string): Promise<DigestSelection> {
  const since = new Date(ctx.now().getTime() - ctx.config.schedule.skipPostedDays * DAY_MS);
  const posted = await ctx.store.posts.paperIdsPostedInChannel(sub.platform, sub.channelId, since);
  const now = rankedAt(ctx, sub, date);
  const window = windowOf(sub, date);
  if (sub.rank === 'channel' || sub.arxiv.length > 0) return selectDigest(ctx.store, sub, { now, onOrBefore: date, window, skipIds: posted });
  const listDate = window ? null : await ctx.store.papers.latestListDate(date);
  const from = window?.from ?? listDate;
  const listed = from ? await ctx.store.papers.listedBetween(from, window?.to ?? from) : [];
  const skipIds = new Set(listed.filter((p) => posted.has(p.id)).map((p) => p.id));
  const key = JSON.stringify([settingsKey(sub), date, window, now.getTime(), [...skipIds].sort()]);
  let plan = ctx.plans.get(key);
  if (!plan) {
    plan = selectDigest(ctx.store, sub, { now, onOrBefore: date, window, skipIds });
    ctx.plans.set(key, plan);
    plan.catch(() => ctx.plans.delete(key));
  }
  return plan;
}

/** The seven list days a weekly post on `date` chooses from; undefined (the latest list) for a daily one. */
function windowOf(sub: Subscription, date: string): ListWindow | undefined {
  return sub.every === 'week' ? weeklyWindow(date) : undefined;
}

/**
 * A weekly post already made this week, on another day (its day was changed since): the claim is
 * per day, and this keeps it to one post a week.
 */
async function postedThisWeek(ctx: DeliveryContext, sub: Subscription, date: string): Promise<string | null> {
  const monday = weekStart(date);
  for (let d = 0; d < 7; d++) {
    const day = addDays(monday, d);
    if (day === date) continue;
    if ((await ctx.store.deliveries.get(deliveryIdOf(sub.id, day)))?.state === 'posted') return day;
  }
  return null;
}

/** The papers of a plan fixed by an earlier (crashed) run, in the planned order, with fresh reasons. */
async function resumePlan(ctx: DeliveryContext, sub: Subscription, date: string, plan: string[]): Promise<RankedPaper[]> {
  const papers = await ctx.store.papers.getMany(plan);
  const reasons = new Map(rank(papers, { now: rankedAt(ctx, sub, date), ...modeRanking(sub) }).map((r) => [r.paper.id, r]));
  const byId = new Map(papers.map((p) => [p.id, p]));
  return plan.flatMap((id, i) => {
    const paper = byId.get(id);
    return paper ? [{ rank: i + 1, paper, score: reasons.get(id)?.score ?? 0, reason: reasons.get(id)?.reason ?? '' }] : [];
  });
}

/** A shared ranking is shared only by channels with the same ranking settings, topics included, so its messages can be too. */
function messagesFor(ctx: DeliveryContext, sub: Subscription, ranked: RankedPaper[], listDate: string | null): Outgoing[] {
  let messages = ctx.messages.get(ranked);
  if (!messages) ctx.messages.set(ranked, (messages = buildMessages(ctx, sub, ranked, listDate)));
  return messages;
}

function buildMessages(ctx: DeliveryContext, sub: Subscription, ranked: RankedPaper[], listDate: string | null): Outgoing[] {
  if (ranked.length === 0) {
    return ctx.config.schedule.emptyDigest === 'note' ? [{ part: 'header', reply: emptyDigestNote(listDate), paperIds: [] }] : [];
  }
  const header = digestHeader({ listDate: listDate ?? ranked[0]!.paper.listedOn ?? 'latest', count: ranked.length, stale: staleness(ctx) });
  return [
    { part: 'header', reply: header, paperIds: [] },
    ...ranked.map((r) => ({ part: r.paper.id, reply: digestPaperMessage(r, topicsMatched(r.paper, sub.topics)), paperIds: [r.paper.id] })),
  ];
}

/**
 * Sends one message. `earlier`: an earlier run recorded it as about to be sent (since when), or
 * 'unknown' (a delivery planned by an older version, which recorded nothing): it may be there already.
 */
export async function postWithRetry(
  ctx: Pick<DeliveryContext, 'log' | 'retryDelayMs' | 'now'>,
  poster: DigestPoster,
  target: PostTarget,
  reply: Reply,
  key: string,
  earlier: Date | 'unknown' | null,
) {
  const firstAt = ctx.now();
  for (let attempt = 1; ; attempt++) {
    try {
      // A failed send may have landed anyway, so only a first send nobody recorded before is surely new.
      const maybeSentBefore = earlier !== null || attempt > 1;
      const since = earlier === 'unknown' ? undefined : (earlier ?? firstAt);
      return await poster.post(target, reply, key, { maybeSentBefore, ...(maybeSentBefore && since ? { since } : {}) });
    } catch (err) {
      const transient = !(err instanceof PostError && err.permanent);
      if (!transient || attempt >= POST_ATTEMPTS) throw err;
      ctx.log.warn({ key, attempt, err: errorMessage(err) }, 'digest message failed; retrying');
      await sleep(ctx.retryDelayMs * 2 ** (attempt - 1));
    }
  }
}

/** What a dry run reports: the plan, without claiming or posting anything. */
export async function dryRunDelivery(ctx: DeliveryContext, sub: Subscription, date: string): Promise<DeliveryReport> {
  const base = { subscriptionId: sub.id, date, messages: 0 };
  const existing = await ctx.storeWork(() => ctx.store.deliveries.get(deliveryIdOf(sub.id, date)));
  if (existing?.state === 'posted') return { ...base, outcome: 'already-posted' };
  const sel = await ctx.storeWork(() => planDigest(ctx, sub, date));
  const show = (p: { id: string; title: string }, reason: string) => ({ id: p.id, title: p.title, reason });
  return {
    ...base,
    outcome: 'dry-run',
    plan: {
      listDate: sel.listDate,
      papers: sel.ranked.map((r) => show(r.paper, r.reason)),
      excluded: sel.excluded.map((e) => show(e.paper, e.why)),
    },
  };
}

/**
 * The day's post for one channel, exactly once: claim (subscription, date), fix the plan, post
 * the header and each paper not yet posted, recording each message right after it is sent.
 * Never throws: a failure is reported and recorded, so one channel can't block the others.
 */
export async function deliver(ctx: DeliveryContext, sub: Subscription, date: string, poster: DigestPoster): Promise<DeliveryReport> {
  const base = { subscriptionId: sub.id, date };
  if (staleness(ctx) && ctx.config.schedule.staleDigest === 'skip') {
    const detail = 'the paper source is down (STALE_DIGEST=skip)';
    ctx.log.warn({ subscriptionId: sub.id, date, lastError: ctx.sourceStatus?.().lastError }, `daily digest skipped: ${detail}`);
    return { ...base, outcome: 'skipped', messages: 0, detail };
  }
  // Only a weekly post reads the store here; a daily one does not wait for a store slot for nothing.
  const postedOn = sub.every === 'week' ? await ctx.storeWork(() => postedThisWeek(ctx, sub, date)) : null;
  if (postedOn) return { ...base, outcome: 'already-posted', messages: 0, detail: `posted this week on ${postedOn}` };
  // Planned before the claim, so that a fresh claim is written with its plan: a fan-out's channels
  // each make one write fewer before their first message.
  const plan = await ctx.storeWork(() => planDigest(ctx, sub, date));
  const planned = plannedMessages(ctx, sub, deliveryIdOf(sub.id, date), plan);
  const { won, delivery, fresh } = await ctx.storeWork(() => claimDelivery(ctx, sub.id, date, ctx.now(), planned.claimed));
  if (!won) {
    return { ...base, outcome: delivery.state === 'posted' ? 'already-posted' : 'claimed-elsewhere', messages: 0 };
  }

  const heartbeat = startHeartbeat({ ...ctx, deliveryId: delivery.id, staleAfterMs: ctx.config.schedule.claimStaleMs });
  let sent = 0;
  let found = 0;
  const counted = (earlier: boolean) => (earlier ? found++ : sent++);
  try {
    const outcome = await postClaimed(ctx, sub, delivery, poster, heartbeat, counted, fresh ? planned.pending : null);
    return { ...base, outcome, messages: sent, ...(found ? { found } : {}) };
  } catch (err) {
    const permanent = err instanceof PostError && err.permanent;
    return {
      ...base,
      outcome: 'failed',
      messages: sent,
      ...(found ? { found } : {}),
      permanent,
      detail: await ctx.storeWork(() => recordFailure(ctx, sub, delivery, err)),
    };
  } finally {
    heartbeat.stop();
  }
}

async function postClaimed(
  ctx: DeliveryContext,
  sub: Subscription,
  delivery: Delivery,
  poster: DigestPoster,
  heartbeat: Heartbeat,
  onSent: (found: boolean) => void,
  /** What a fresh claim was written with; otherwise the claim's own plan is resumed, or made now. */
  planned: Pending | null,
): Promise<DeliveryOutcome> {
  const pending = planned ?? (await ctx.storeWork(() => pendingMessages(ctx, sub, delivery)));
  if (pending === 'claimed-elsewhere') return pending;
  const target = targetOf(sub);
  for (const [i, msg] of pending.messages.entries()) {
    const key = keyOf(delivery.id, msg);
    // Each message is recorded as about to be sent before it is (with the heartbeat that confirms
    // the claim), so a resume knows the one message that may have gone out unrecorded. A fresh
    // plan's first message was recorded with the plan.
    const recorded = i === 0 && !pending.resumed;
    if (!recorded && !(await ctx.storeWork(() => heartbeat.beat(key)))) return 'claimed-elsewhere';
    const posted = await postWithRetry(ctx, poster, target, msg.reply, key, pending.maybeSent(key));
    // The channel takes no such message (a forum's header): nothing was shown, nothing to record.
    if (!posted) continue;
    onSent(posted.found === true);
    const record = { platform: sub.platform, paperIds: msg.paperIds, kind: 'digest' as const, postedAt: ctx.now() };
    await ctx.storeWork(async () => {
      await ctx.store.posts.record({ ...record, channelId: sub.channelId, messageId: posted.messageId, deliveryId: delivery.id });
      // A forum post lives in a thread of its own, where reactions on it are reported: recorded there too.
      if (posted.channelId && posted.channelId !== sub.channelId)
        await ctx.store.posts.record({ ...record, channelId: posted.channelId, messageId: posted.messageId, deliveryId: null });
    });
  }
  if (sub.threads && poster.threads) await openDigestThreads(ctx, sub, delivery, poster.threads);
  await ctx.storeWork(async () => {
    await ctx.store.deliveries.finish(delivery.id, ctx.owner, { state: 'posted' }, ctx.now());
    if (sub.failures > 0) await ctx.store.subscriptions.recordSuccess(sub.id);
  });
  ctx.log.info({ deliveryId: delivery.id, papers: pending.papers }, 'daily digest posted');
  return pending.papers === 0 ? 'empty' : 'posted';
}

/**
 * `threads on`: the discussion thread of every paper message of the day's post, each opened once
 * (src/chat/threads.ts), so a resumed delivery, a second run or a Discuss click at the same time
 * adds none. A thread the platform refuses (a missing permission) is logged, not a failed post.
 */
async function openDigestThreads(ctx: DeliveryContext, sub: Subscription, delivery: Delivery, opener: ThreadOpener): Promise<void> {
  const posts = await ctx.storeWork(() => ctx.store.posts.forDelivery(delivery.id));
  for (const post of posts) {
    if (post.paperIds.length !== 1) continue;
    const paper = await ctx.storeWork(() => ctx.store.papers.get(post.paperIds[0]!));
    if (!paper) continue;
    const site = { platform: sub.platform, workspaceId: sub.workspaceId, channelId: post.channelId, messageId: post.messageId };
    try {
      await openThreadOnce(ctx.store, opener, site, paper, { now: ctx.now });
    } catch (err) {
      ctx.log.warn({ deliveryId: delivery.id, messageId: post.messageId, err: errorMessage(err) }, 'could not open the discussion thread of a digest message');
    }
  }
}

/** The claimed delivery's plan (fixed now, or by an earlier run) and its messages not yet posted. */
/** A message's idempotency key: the same in every run of the delivery. */
const keyOf = (deliveryId: string, msg: Outgoing) => `${deliveryId}:${msg.part}`;

interface Pending {
  messages: Outgoing[];
  papers: number;
  resumed: boolean;
  /** Whether an earlier run may have sent this message unrecorded (since when), see postWithRetry. */
  maybeSent(key: string): Date | 'unknown' | null;
}

/** A fresh plan's messages, and the plan as a claim records it, with its first message as about to be sent. */
function plannedMessages(ctx: DeliveryContext, sub: Subscription, deliveryId: string, sel: DigestSelection) {
  const messages = messagesFor(ctx, sub, sel.ranked, sel.listDate);
  const first = messages[0] && { key: keyOf(deliveryId, messages[0]), at: ctx.now() };
  const pending: Pending = { messages, papers: sel.ranked.length, resumed: false, maybeSent: () => null };
  return { pending, claimed: { paperIds: sel.ranked.map((r) => r.paper.id), sending: first ?? null } };
}

/** The messages still to send for a claim taken over: its plan resumed, or (a claim without one) made and fixed now. */
async function pendingMessages(ctx: DeliveryContext, sub: Subscription, delivery: Delivery): Promise<Pending | 'claimed-elsewhere'> {
  if (!delivery.plan) {
    // The plan is fixed before the first send, so without one no earlier run sent anything.
    const { pending, claimed } = plannedMessages(ctx, sub, delivery.id, await planDigest(ctx, sub, delivery.date));
    if (!(await ctx.store.deliveries.setPlan(delivery.id, ctx.owner, claimed.paperIds, claimed.sending ?? undefined))) return 'claimed-elsewhere';
    return pending;
  }
  const ranked = await resumePlan(ctx, sub, delivery.date, delivery.plan);
  const window = windowOf(sub, delivery.date);
  const listDate = window ? windowLabel(window) : (ranked[0]?.paper.listedOn ?? null);
  const messages = messagesFor(ctx, sub, ranked, listDate);
  const done = new Set((await ctx.store.posts.forDelivery(delivery.id)).map((p) => (p.paperIds.length === 0 ? 'header' : p.paperIds[0]!)));
  // Messages go out one at a time, each recorded as about to be sent first: only that one may have
  // been sent without its post record. A plan from an older version recorded none: any may have.
  const { sending } = delivery;
  const maybeSent = (key: string) => (sending === null ? 'unknown' : sending.key === key ? sending.at : null);
  return { messages: messages.filter((m) => !done.has(m.part)), papers: ranked.length, resumed: true, maybeSent };
}

/** Marks the delivery failed; a permanent error counts towards disabling the subscription. */
async function recordFailure(ctx: DeliveryContext, sub: Subscription, delivery: Delivery, err: unknown): Promise<string> {
  const message = errorMessage(err);
  const permanent = err instanceof PostError && err.permanent;
  try {
    await ctx.store.deliveries.finish(delivery.id, ctx.owner, { state: 'failed', error: message }, ctx.now());
    if (!permanent) {
      ctx.log.warn({ deliveryId: delivery.id, err: message }, 'daily digest failed; a later run retries it');
      return message;
    }
    const updated = await ctx.store.subscriptions.recordFailure(sub.id, message, ctx.config.schedule.disableAfter);
    if (!updated.enabled) {
      ctx.log.warn({ subscriptionId: sub.id, failures: updated.failures, err: message }, 'subscription disabled after repeated permanent errors');
      return `${message} (subscription disabled after ${updated.failures} failures)`;
    }
    ctx.log.warn({ deliveryId: delivery.id, failures: updated.failures, err: message }, 'daily digest failed permanently');
  } catch (storeErr) {
    ctx.log.error({ deliveryId: delivery.id, err: errorMessage(storeErr) }, 'could not record a failed delivery');
  }
  return message;
}
