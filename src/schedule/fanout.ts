import pLimit from 'p-limit';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/schema';
import type { SourceStatus } from '../chat/command';
import type { DigestPoster } from '../chat/poster';
import type { ClaimOwner, PaperRepository, Store, Subscription } from '../store/types';
import { errorMessage } from '../errors';
import { localDate } from './time';
import { describeSchedule, postsOn } from '../model/cadence';
import { deliver, dryRunDelivery, type DeliveryContext, type DeliveryReport } from './delivery';
import { storeSlots } from './store-slots';

export type { DeliveryReport } from './delivery';

/** What every delivery run needs: channel posts, personal digests and alerts alike. */
export interface DeliveryRunOptions {
  store: Store;
  /** One per connected platform; a delivery whose platform has none is skipped. */
  posters: DigestPoster[];
  config: AppConfig;
  log: Logger;
  now: () => Date;
  owner: ClaimOwner;
  /** First wait before re-sending after a transient error (default 1 s); doubles each retry. */
  retryDelayMs?: number;
}

export interface PostDailyOptions extends DeliveryRunOptions {
  /** Only these subscriptions (enabled or not); default every enabled one. */
  subscriptionIds?: string[];
  /** The local date to post for; default each subscription's local date now. */
  date?: string;
  /** Report what each channel would get, without claiming or posting. */
  dryRun?: boolean;
  /** Lets the header say the data is stale while the source is down. */
  sourceStatus?: () => SourceStatus;
}

/**
 * Deliveries under way at once, each holding a claim kept fresh by a heartbeat. Far more than the
 * platforms can serve together (Discord's 50 requests/s need ~50 channels, since one channel takes
 * 5 s for its 6 messages; one process sends a few hundred Slack messages/s at most), so it costs no
 * throughput; it bounds the claims and heartbeat writes of a run with 10,000 channels due at once,
 * and leaves the rest to other replicas.
 */
const DELIVERIES_IN_FLIGHT = 1000;

export interface PostDailyReport {
  channels: DeliveryReport[];
}

/**
 * The daily fan-out: each subscription's post for its date, exactly once. The channels' deliveries
 * start together (up to DELIVERIES_IN_FLIGHT); their store work (claim, plan, recording each message, heartbeat) runs at most
 * FANOUT_CONCURRENCY steps at a time, and their sends go straight to the posters, whose platform
 * pacing (discord.js's route buckets and global limit, the Slack poster's per-channel pace) decides
 * when each request goes out. So a channel waiting on its own limit holds up no other channel.
 * A failing channel is reported, never thrown.
 */
export async function postDaily(opts: PostDailyOptions): Promise<PostDailyReport> {
  const subs = await subscriptionsFor(opts);
  const ctx: DeliveryContext = {
    store: { ...opts.store, papers: sharedListReads(opts.store.papers) },
    config: opts.config,
    log: opts.log,
    now: opts.now,
    owner: opts.owner,
    sourceStatus: opts.sourceStatus,
    retryDelayMs: opts.retryDelayMs ?? 1000,
    storeWork: storeSlots(opts.config.schedule.concurrency),
    rankAt: opts.now(),
    plans: new Map(),
    messages: new WeakMap(),
  };
  // Each run starts the channels in an order of its own, so replicas started together split the
  // work instead of contending for the same claims in the same order. Reports keep the given order.
  const inFlight = pLimit(DELIVERIES_IN_FLIGHT);
  const channels: DeliveryReport[] = new Array(subs.length);
  await Promise.all(
    shuffledIndexes(subs.length).map((i) =>
      inFlight(async () => {
        channels[i] = await runOne(ctx, opts, subs[i]!);
      }),
    ),
  );
  return { channels };
}

/**
 * The papers as one run's deliveries see them: the day's list is read once and shared by every
 * channel (it is the same for all; reading and mapping it per channel was a large part of a
 * fan-out's CPU), so one run also ranks every channel from the same list; personal digests share it
 * the same way. Failed reads are retried.
 */
export function sharedListReads(papers: PaperRepository): PaperRepository {
  const reads = new Map<string, Promise<unknown>>();
  function once<T>(key: string, read: () => Promise<T>): Promise<T> {
    const known = reads.get(key) as Promise<T> | undefined;
    if (known) return known;
    const fresh = read();
    reads.set(key, fresh);
    fresh.catch(() => reads.delete(key));
    return fresh;
  }
  return {
    ...papers,
    latestListDate: (onOrBefore) => once(`latest ${onOrBefore}`, () => papers.latestListDate(onOrBefore)),
    listedBetween: (from, to) => once(`listed ${from} ${to}`, () => papers.listedBetween(from, to)),
  };
}

/** 0..n-1 in random order (Fisher–Yates). */
function shuffledIndexes(n: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

async function subscriptionsFor(opts: PostDailyOptions): Promise<Subscription[]> {
  if (!opts.subscriptionIds) return opts.store.subscriptions.list({ enabledOnly: true });
  const found = await Promise.all(opts.subscriptionIds.map((id) => opts.store.subscriptions.get(id)));
  return found.filter((s): s is Subscription => s !== null);
}

async function runOne(ctx: DeliveryContext, opts: PostDailyOptions, sub: Subscription): Promise<DeliveryReport> {
  const date = opts.date ?? localDate(opts.now(), sub.timezone);
  const skipped = (detail: string): DeliveryReport => ({ subscriptionId: sub.id, date, outcome: 'skipped', messages: 0, detail });
  try {
    if (!postsOn(sub, date)) return skipped(`not a posting day: it posts ${describeSchedule(sub)}`);
    if (opts.dryRun) return await dryRunDelivery(ctx, sub, date);
    if (!sub.enabled) return skipped(`disabled: ${sub.disabledReason ?? 'by its owner'}`);
    const poster = opts.posters.find((p) => p.platform === sub.platform);
    if (!poster) return skipped(`no ${sub.platform} adapter is configured`);
    return await deliver(ctx, sub, date, poster);
  } catch (err) {
    // A store or programming error: logged, and the other channels carry on.
    opts.log.error({ subscriptionId: sub.id, date, err: errorMessage(err) }, 'daily digest failed unexpectedly');
    return { subscriptionId: sub.id, date, outcome: 'failed', messages: 0, detail: errorMessage(err) };
  }
}
