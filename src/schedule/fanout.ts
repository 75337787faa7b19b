import pLimit from 'p-limit';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/schema';
import type { SourceStatus } from '../chat/command';
import type { DigestPoster } from '../chat/poster';
import type { ClaimOwner, Store, Subscription } from '../store/types';
import { errorMessage } from '../errors';
import { localDate } from './time';
import { deliver, dryRunDelivery, type DeliveryContext, type DeliveryReport } from './delivery';

export type { DeliveryReport } from './delivery';

export interface PostDailyOptions {
  store: Store;
  /** One per connected platform; a subscription whose platform has none is skipped. */
  posters: DigestPoster[];
  config: AppConfig;
  log: Logger;
  now: () => Date;
  owner: ClaimOwner;
  /** Only these subscriptions (enabled or not); default every enabled one. */
  subscriptionIds?: string[];
  /** The local date to post for; default each subscription's local date now. */
  date?: string;
  /** Report what each channel would get, without claiming or posting. */
  dryRun?: boolean;
  /** Lets the header say the data is stale while the source is down. */
  sourceStatus?: () => SourceStatus;
  /** First wait before re-sending after a transient error (default 1 s); doubles each retry. */
  retryDelayMs?: number;
}

export interface PostDailyReport {
  channels: DeliveryReport[];
}

/**
 * The daily fan-out: each subscription's post for its date, exactly once, a bounded number of
 * channels at a time. Platform libraries pace their own rate limits; this adds no bursts beyond
 * FANOUT_CONCURRENCY channels in flight. A failing channel is reported, never thrown.
 */
export async function postDaily(opts: PostDailyOptions): Promise<PostDailyReport> {
  const subs = await subscriptionsFor(opts);
  const ctx: DeliveryContext = {
    store: opts.store,
    config: opts.config,
    log: opts.log,
    now: opts.now,
    owner: opts.owner,
    sourceStatus: opts.sourceStatus,
    retryDelayMs: opts.retryDelayMs ?? 1000,
  };
  const limit = pLimit(opts.config.schedule.concurrency);
  const channels = await limit.map(subs, (sub) => runOne(ctx, opts, sub));
  return { channels };
}

async function subscriptionsFor(opts: PostDailyOptions): Promise<Subscription[]> {
  if (!opts.subscriptionIds) return opts.store.listSubscriptions({ enabledOnly: true });
  const found = await Promise.all(opts.subscriptionIds.map((id) => opts.store.getSubscription(id)));
  return found.filter((s): s is Subscription => s !== null);
}

async function runOne(ctx: DeliveryContext, opts: PostDailyOptions, sub: Subscription): Promise<DeliveryReport> {
  const date = opts.date ?? localDate(opts.now(), sub.timezone);
  const skipped = (detail: string): DeliveryReport => ({ subscriptionId: sub.id, date, outcome: 'skipped', messages: 0, detail });
  try {
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
