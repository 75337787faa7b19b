import type { Platform } from '../chat/command';
import type { Reply } from '../chat/reply';
import type { Delivery, PersonalFeed } from '../store/types';
import { errorMessage } from '../errors';
import { followReason } from '../follows/follow';
import { createFollowIndex, type PaperMatch } from '../follows/match';
import { claimDelivery } from '../schedule/claims';
import { deliveryIdOf } from '../schedule/delivery';
import type { DeliveryRunOptions } from '../schedule/fanout';
import { localDateTime } from '../schedule/time';
import { directTarget, failDirect, resumeMatches, sendDirect } from './direct';

/**
 * Alerts: when the latest list has papers matching a person's follows that were never sent to
 * them (and listed no earlier than the day they last set their feed), one direct message with all of them (a list with a Save menu, never one message per paper),
 * at most one an hour, and none between 22:00 and 08:00 in their zone: those wait, unsent, for the
 * first run after (the scheduler runs alerts after every refresh that changed the papers, and at
 * every sweep). Each alert is claimed per (person, UTC hour) with the channels' claim machinery,
 * so replicas send it once, and its papers are marked sent before it goes, as a digest's are.
 */

const HOUR_MS = 60 * 60_000;
const QUIET_FROM = '22:00';
const QUIET_UNTIL = '08:00';

export function alertKey(platform: Platform, userId: string): string {
  return `alert:${platform}:${userId}`;
}

export type AlertRunOptions = DeliveryRunOptions;

export interface AlertReport {
  platform: Platform;
  userId: string;
  outcome: 'sent' | 'held' | 'nothing-new' | 'already-sent' | 'paused' | 'failed';
  papers: number;
  detail?: string;
}

/** Whether the person's clock shows 22:00 to 07:59. */
export function inQuietHours(now: Date, zone: string): boolean {
  const { time } = localDateTime(now, zone);
  return time >= QUIET_FROM || time < QUIET_UNTIL;
}

export async function sendAlerts(opts: AlertRunOptions): Promise<{ users: AlertReport[] }> {
  const feeds = await opts.store.personal.active('alerts');
  if (feeds.length === 0) return { users: [] };
  const listDate = await opts.store.papers.latestListDate();
  if (!listDate) return { users: [] };
  const papers = await opts.store.papers.listedBetween(listDate, listDate);
  // One pass over the list for everyone: each person's follows in one index.
  const index = createFollowIndex<string>();
  for (const platform of new Set(feeds.map((f) => f.platform))) {
    const ofPlatform = feeds.filter((f) => f.platform === platform).map((f) => f.userId);
    for (const [userId, follows] of await opts.store.follows.listEach(platform, ofPlatform)) index.add(alertKey(platform, userId), follows);
  }
  const matches = index.match(papers);
  // The run's hour, and everyone's alerts of it and of the hour before, read at once (alertOne).
  const now = opts.now();
  const hours = { now: hourOf(now), before: hourOf(new Date(now.getTime() - HOUR_MS)) };
  const recent = await opts.store.deliveries.getMany(feeds.flatMap((f) => Object.values(hours).map((h) => deliveryIdOf(alertKey(f.platform, f.userId), h))));
  const users: AlertReport[] = [];
  for (const feed of feeds) {
    // Even with nothing new matched: an alert cut short earlier is finished (alertOne).
    const matched = matches.get(alertKey(feed.platform, feed.userId)) ?? [];
    try {
      users.push(await alertOne(opts, feed, matched, { hours, recent }));
    } catch (err) {
      opts.log.error({ platform: feed.platform, userId: feed.userId, err: errorMessage(err) }, 'alert failed unexpectedly');
      users.push({ platform: feed.platform, userId: feed.userId, outcome: 'failed', papers: 0, detail: errorMessage(err) });
    }
  }
  return { users };
}

function alertMessage(items: PaperMatch[]): Reply {
  const text = items.length === 1 ? 'New on Hugging Face Daily Papers, matching what you follow:' : `${items.length} new papers matching what you follow:`;
  return {
    blocks: [
      { kind: 'text', text },
      { kind: 'papers', items: items.map((m, i) => ({ rank: i + 1, paper: m.paper, reason: followReason(m.follows) })), picker: 'save' },
    ],
    visibility: 'public',
    fallback: `${text} ${items.map((m) => m.paper.title).join('; ')}`,
  };
}

/** A UTC hour as alert deliveries are keyed: `2025-10-15T09`. */
const hourOf = (at: Date) => at.toISOString().slice(0, 13);

/** What a run reads once for everyone. A run that goes past the hour keeps the hour it started in. */
interface AlertRun {
  hours: { now: string; before: string };
  /** The alert deliveries of `hours` that exist, by id. */
  recent: Map<string, Delivery>;
}

async function alertOne(opts: AlertRunOptions, feed: PersonalFeed, matched: PaperMatch[], { hours, recent }: AlertRun): Promise<AlertReport> {
  const { store, log } = opts;
  const now = opts.now();
  const base = { platform: feed.platform, userId: feed.userId };
  const unsent = new Set(
    await store.personal.unsent(
      feed.platform,
      feed.userId,
      matched.map((m) => m.paper.id),
    ),
  );
  // Papers listed before alerts were turned on are not news to them.
  const since = feed.updatedAt.toISOString().slice(0, 10);
  const fresh = matched.filter((m) => unsent.has(m.paper.id) && (m.paper.listedOn ?? '') >= since);
  const key = alertKey(feed.platform, feed.userId);
  // An alert of this hour that failed or was cut short is finished first, whatever is new; so is one
  // of the hour before cut short after its papers were fixed (they are marked sent, so nothing else
  // would send them), under its own hour.
  const current = recent.get(deliveryIdOf(key, hours.now)) ?? null;
  const previous = current === null ? (recent.get(deliveryIdOf(key, hours.before)) ?? null) : null;
  const unfinished =
    current !== null && current.state !== 'posted'
      ? hours.now
      : previous !== null && previous.state !== 'posted' && previous.plan !== null
        ? hours.before
        : null;
  if (unfinished === null) {
    if (fresh.length === 0) return { ...base, outcome: 'nothing-new', papers: 0 };
    if (inQuietHours(now, feed.timezone)) return { ...base, outcome: 'held', papers: fresh.length, detail: 'quiet hours' };
    if (feed.lastAlertAt && now.getTime() - feed.lastAlertAt.getTime() < HOUR_MS)
      return { ...base, outcome: 'held', papers: fresh.length, detail: 'an alert went out less than an hour ago' };
  }
  const poster = opts.posters.find((p) => p.platform === feed.platform);
  if (!poster) return { ...base, outcome: 'failed', papers: 0, detail: `no ${feed.platform} adapter is configured` };

  const { won, delivery } = await claimDelivery(opts, key, unfinished ?? hours.now, now);
  if (!won) return { ...base, outcome: 'already-sent', papers: 0 };
  const resumed = delivery.plan !== null;
  let items = fresh;
  if (delivery.plan) {
    // A crashed run fixed this alert's papers: send those, with the reasons their follows give now.
    items = await resumeMatches(store, feed, delivery.plan);
  } else {
    const ids = fresh.map((m) => m.paper.id);
    if (ids.length === 0) {
      await store.deliveries.finish(delivery.id, opts.owner, { state: 'posted' }, opts.now());
      return { ...base, outcome: 'nothing-new', papers: 0 };
    }
    if (!(await store.deliveries.setPlan(delivery.id, opts.owner, ids))) return { ...base, outcome: 'already-sent', papers: 0 };
    await store.personal.markSent({ platform: feed.platform, userId: feed.userId, paperIds: ids, via: 'alert', at: now });
  }
  try {
    const done = resumed && (await store.posts.forDelivery(delivery.id)).length > 0;
    if (!done) {
      const target = await directTarget(opts, poster, feed);
      const message = { key: 'list', reply: alertMessage(items), paperIds: items.map((m) => m.paper.id), kind: 'answer' as const };
      await sendDirect(opts, poster, target, message, { id: delivery.id, resumed });
    }
    await store.personal.alerted(feed.platform, feed.userId, now);
    await store.deliveries.finish(delivery.id, opts.owner, { state: 'posted' }, opts.now());
    log.info({ deliveryId: delivery.id, papers: items.length }, 'alert sent');
    return { ...base, outcome: 'sent', papers: items.length };
  } catch (err) {
    const { outcome, detail } = await failDirect(opts, feed, delivery.id, err, 'alert');
    return { ...base, outcome, papers: 0, detail };
  }
}
