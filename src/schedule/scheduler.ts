import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/schema';
import type { SourceStatus } from '../chat/command';
import type { DigestPoster } from '../chat/poster';
import type { ClaimOwner, Store } from '../store/types';
import { errorMessage } from '../errors';
import type { DeliveryCounts } from '../metrics/metrics';
import { currentOwner } from './claims';
import { syncConfigSubscriptions } from './config-file';
import { deliveryIdOf, type DeliveryReport } from './delivery';
import { postDaily, type PostDailyReport } from './fanout';
import { addDays } from '../model/dates';
import { postsOn, type Schedule } from '../model/cadence';
import { personalKey, personalSchedule, postPersonalDigests, type PersonalReport } from '../personal/deliver';
import { sendAlerts } from '../personal/alerts';
import { isValidTimeZone, latestOccurrence, nextOccurrence, postingTimesOfDay } from './time';

export interface Clock {
  now(): Date;
}

export interface SchedulerOptions {
  store: Store;
  posters: DigestPoster[];
  config: AppConfig;
  log: Logger;
  clock: Clock;
  /** Default: this host and pid. */
  owner?: ClaimOwner;
  sourceStatus?: () => SourceStatus;
  /** First wait before re-sending after a transient error (default 1 s). */
  retryDelayMs?: number;
  /** When (cron, UTC) to retry failures and take over dead claims; default every 5 minutes. */
  sweepCron?: string;
  /** How often to look for changed subscriptions and posts due that no task has run (default 10 s). */
  watchMs?: number;
}

export interface Scheduler {
  /**
   * Syncs the subscriptions file, schedules the cron tasks, then catches up on missed posts: waited
   * for, or with `catchUp: 'background'` left running (stop() still waits for it), as `papers start`
   * does so that a replica is ready, and serves commands, while its first fan-out is under way.
   */
  start(opts?: { catchUp?: 'wait' | 'background' }): Promise<void>;
  /** Stops the cron tasks and waits for posts in flight. */
  stop(): Promise<void>;
  /** Posts for subscriptions and personal digests whose time passed less than CATCH_UP_HOURS ago and that have not posted. */
  catchUp(): Promise<ScheduleReport>;
  /** The deliveries this process knows to be due, posting and late (GET /metrics). */
  deliveries(): DeliveryCounts;
}

/**
 * Subscriptions and personal digests that post at the same local time in the same zone, each on
 * its own days. `id` is the delivery key: the subscription's id, or personalKey for a person.
 */
interface PostingGroup {
  time: string;
  zone: string;
  members: { id: string; schedule: Schedule; person?: { platform: string; userId: string } }[];
}

/** What one run posted: channels' daily posts and people's digests. */
export interface ScheduleReport extends PostDailyReport {
  users: PersonalReport[];
}

const SWEEP_CRON = '*/5 * * * *';
/** Due for longer than two sweeps: something keeps it from posting (a dead platform, a stuck claim). */
const LATE_MS = 10 * 60_000;
const HOUR_MS = 60 * 60_000;
const WATCH_MS = 10_000;
/**
 * What the watch posts without a sweep: times that passed this recently. A cron tick can come late
 * (a repeated hour on a fall-back day, a busy event loop), and a post must still leave within a minute.
 */
const WATCH_WINDOW_MS = 2 * 60_000;

/** Outcomes after which the day's delivery needs no more attention from this process. */
function groupBy<T>(map: Map<string, T[]>, key: string, item: T): void {
  const group = map.get(key);
  if (group) group.push(item);
  else map.set(key, [item]);
}

function settles(r: DeliveryReport | PersonalReport): boolean {
  if (r.outcome === 'posted' || r.outcome === 'empty' || r.outcome === 'already-posted' || r.outcome === 'paused') return true;
  return r.outcome === 'failed' && 'permanent' in r && r.permanent === true;
}

/**
 * node-cron wakes the scheduler at each subscription's local time: one task per distinct
 * (time, zone), with node-cron's timezone option. node-cron skips a time that a DST gap removes,
 * so each subscription also gets a task at the time the gap moves it to (see postingTimesOfDay).
 * On a fall-back day node-cron may fire at either of the two instants of a repeated time; the
 * watch (every 10 s) posts at the first if the tick comes later. The watch also reads the
 * subscriptions' change stamp, so a subscription created or changed by any replica is scheduled
 * within seconds, and its first post is not left to a sweep minutes later; and it runs the alerts
 * (src/personal/alerts.ts) when a refresh by any replica changed the papers. The sweep (every 5
 * minutes) retries failures, takes over the claims of dead replicas, and sends the alerts that
 * waited for the hour or for the morning. Every run posts only what
 * is due (time passed less than CATCH_UP_HOURS ago) and not yet delivered, and the claim in the
 * store makes each delivery happen once, however many ticks, watches, sweeps and replicas run it.
 */
export function createScheduler(opts: SchedulerOptions): Scheduler {
  const { store, config, log, clock } = opts;
  const owner = opts.owner ?? currentOwner();
  const tasks = new Map<string, ScheduledTask>();
  let sweepTask: ScheduledTask | null = null;
  /** Deliveries this process is posting now, so overlapping runs don't both start one. */
  const inFlight = new Set<string>();
  /** Deliveries known to be done, so repeated sweeps don't query them again. */
  const settled = new Set<string>();
  /** Deliveries found due and not yet settled, with when they became due (ms). */
  const dueSince = new Map<string, number>();
  /** Deliveries another live owner holds: left to the sweep, so the watch doesn't contend for them every few seconds. */
  const elsewhere = new Set<string>();
  /** The subscriptions as last read, and their change stamp then. */
  let groups: PostingGroup[] = [];
  let stamp: string | null = null;
  let watchTimer: NodeJS.Timeout | null = null;
  const running = new Set<Promise<unknown>>();
  let stopped = false;
  const catchUpMs = config.schedule.catchUpHours * HOUR_MS;

  const cronLogger = {
    info: (m: string) => log.debug({ source: 'node-cron' }, m),
    warn: (m: string) => log.warn({ source: 'node-cron' }, m),
    error: (m: string | Error, err?: Error) => log.error({ source: 'node-cron', err: errorMessage(err ?? m) }, String(m)),
    debug: (m: string | Error) => log.debug({ source: 'node-cron' }, String(m)),
  };

  function track<T>(p: Promise<T>): Promise<T> {
    running.add(p);
    void p.finally(() => running.delete(p)).catch(() => {});
    return p;
  }

  /**
   * Enabled subscriptions with a known zone, grouped by when they post. The zone maths (Intl
   * calls) is done per group: 10,000 subscriptions share a few hundred (time, zone) pairs.
   */
  async function postingGroups(): Promise<PostingGroup[]> {
    const groups = new Map<string, PostingGroup>();
    function join(time: string, zone: string, member: PostingGroup['members'][number]) {
      const key = `${time} ${zone}`;
      let group = groups.get(key);
      if (!group) {
        if (!isValidTimeZone(zone)) {
          log.warn({ id: member.id, timezone: zone }, 'unknown time zone; not scheduled');
          return;
        }
        groups.set(key, (group = { time, zone, members: [] }));
      }
      group.members.push(member);
    }
    for (const sub of await store.subscriptions.list({ enabledOnly: true })) join(sub.time, sub.timezone, { id: sub.id, schedule: sub });
    for (const feed of await store.personal.active('digest')) {
      const schedule = personalSchedule(feed);
      join(feed.time, feed.timezone, { id: personalKey(feed.platform, feed.userId), schedule, person: { platform: feed.platform, userId: feed.userId } });
    }
    return [...groups.values()];
  }

  /**
   * Runs deliveries taken in flight (`ids`), then records what their reports settle (done, or given
   * up for good: not tried again) and which another replica holds; they leave flight either way.
   */
  async function settle<R extends DeliveryReport | PersonalReport>(ids: string[], run: () => Promise<R[]>, idOf: (r: R) => string): Promise<R[]> {
    try {
      const reports = await run();
      for (const r of reports) {
        const id = idOf(r);
        if (settles(r)) {
          settled.add(id);
          dueSince.delete(id);
        }
        if (r.outcome === 'claimed-elsewhere') elsewhere.add(id);
        else elsewhere.delete(id);
      }
      return reports;
    } finally {
      for (const id of ids) inFlight.delete(id);
    }
  }

  /**
   * Posts every subscription (of `zone`, when given) whose latest time passed less than windowMs
   * ago and isn't done. `groups` saves reading the subscriptions again when the caller just did.
   */
  async function runDue(windowMs: number, zone?: string, groups?: PostingGroup[], skipElsewhere = false): Promise<ScheduleReport> {
    const now = clock.now();
    const byDate = new Map<string, string[]>();
    const peopleByDate = new Map<string, { platform: string; userId: string }[]>();
    for (const group of groups ?? (await postingGroups())) {
      if (zone && group.zone !== zone) continue;
      const { date, at } = latestOccurrence(group.time, group.zone, now);
      if (now.getTime() - at.getTime() >= windowMs) continue;
      for (const { id: key, schedule, person } of group.members) {
        if (!postsOn(schedule, date)) continue;
        const id = deliveryIdOf(key, date);
        if (settled.has(id)) continue;
        dueSince.set(id, at.getTime());
        if (inFlight.has(id) || (skipElsewhere && elsewhere.has(id))) continue;
        inFlight.add(id);
        if (person) groupBy(peopleByDate, date, person);
        else groupBy(byDate, date, key);
      }
    }
    const channels: DeliveryReport[] = [];
    for (const [date, subscriptionIds] of byDate) {
      const run = async () => (await postDaily({ ...opts, owner, now: () => clock.now(), subscriptionIds, date })).channels;
      channels.push(
        ...(await settle(
          subscriptionIds.map((key) => deliveryIdOf(key, date)),
          run,
          (r) => deliveryIdOf(r.subscriptionId, r.date),
        )),
      );
    }
    const users: PersonalReport[] = [];
    for (const [date, people] of peopleByDate) {
      const run = async () => (await postPersonalDigests({ ...opts, owner, now: () => clock.now(), users: people, date })).users;
      const ids = people.map((p) => deliveryIdOf(personalKey(p.platform, p.userId), date));
      users.push(...(await settle(ids, run, (r) => deliveryIdOf(personalKey(r.platform, r.userId), r.date))));
    }
    if (channels.length + users.length > 0) log.info({ zone: zone ?? 'all', channels: channels.length, users: users.length }, 'daily run finished');
    return { channels, users };
  }

  /** One node-cron task per distinct (time, zone) the enabled subscriptions post at. */
  async function syncTasks(groups: PostingGroup[]): Promise<void> {
    const now = clock.now();
    const wanted = new Map<string, { time: string; zone: string }>();
    for (const group of groups) {
      for (const time of postingTimesOfDay(group.time, group.zone, now)) wanted.set(`${time} ${group.zone}`, { time, zone: group.zone });
    }
    for (const [key, task] of tasks) {
      if (wanted.has(key)) continue;
      await task.destroy();
      tasks.delete(key);
    }
    for (const [key, { time, zone }] of wanted) {
      if (tasks.has(key)) continue;
      const [hh, mm] = time.split(':').map(Number);
      const tick = () => track(runDue(catchUpMs, zone)).catch((err: unknown) => log.error({ zone, err: errorMessage(err) }, 'daily tick failed'));
      tasks.set(key, cron.schedule(`${mm} ${hh} * * *`, tick, { name: `papers ${key}`, timezone: zone, logger: cronLogger }));
    }
    // Forget settled deliveries of past days.
    const oldest = addDays(now.toISOString().slice(0, 10), -2);
    for (const ids of [settled, elsewhere]) for (const id of ids) if (id.slice(id.lastIndexOf('@') + 1) < oldest) ids.delete(id);
    // A delivery past its catch-up window is no longer due: it will not be posted.
    for (const [id, at] of dueSince) if (now.getTime() - at >= catchUpMs) dueSince.delete(id);
  }

  const catchUp = () => track(runDue(catchUpMs));
  /** Moves with every write of a subscription or a personal digest's settings, by any replica. */
  const changeStamp = async () => `${await store.subscriptions.changeStamp()} ${await store.personal.changeStamp()}`;

  /** Reads the subscriptions and their stamp, and schedules a task for every time they post at; one reload at a time. */
  let reloading: Promise<void> = Promise.resolve();
  function reload(): Promise<void> {
    const run = async () => {
      const next = await changeStamp();
      groups = await postingGroups();
      stamp = next;
      await syncTasks(groups);
    };
    reloading = reloading.then(run, run);
    return reloading;
  }

  async function sweep(): Promise<void> {
    await reload();
    await track(runDue(catchUpMs, undefined, groups));
    await track(alerts());
  }

  /** The papers revision the last alerts run saw: a refresh by any replica that changes the papers moves it. */
  let alertedRevision: number | null = null;
  async function alerts(): Promise<void> {
    alertedRevision = await store.papers.revision();
    const { users } = await sendAlerts({ ...opts, owner, now: () => clock.now() });
    const sent = users.filter((u) => u.outcome === 'sent').length;
    if (sent > 0) log.info({ sent, held: users.filter((u) => u.outcome === 'held').length }, 'alerts sent');
  }

  /**
   * Every few seconds: changed subscriptions are scheduled, and what is due now posts at once
   * (the first post of a new subscription included); otherwise posts due in the last minutes that
   * no task ran are sent.
   */
  async function watch(): Promise<void> {
    if ((await changeStamp()) !== stamp) return sweep();
    await track(runDue(WATCH_WINDOW_MS, undefined, groups, true));
    if ((await store.papers.revision()) !== alertedRevision) await track(alerts());
  }
  let watching: Promise<void> | null = null;
  function watchTick(): void {
    if (stopped || watching) return;
    watching = track(watch())
      .catch((err: unknown) => log.error({ err: errorMessage(err) }, 'scheduler watch failed'))
      .finally(() => (watching = null));
  }

  return {
    async start({ catchUp = 'wait' } = {}) {
      if (config.subscriptionsFile) await syncConfigSubscriptions(store, config.subscriptionsFile, config.platforms, log);
      // One read of the subscriptions serves the cron tasks, the next-post log and the catch-up.
      await reload();
      watchTimer = setInterval(watchTick, opts.watchMs ?? WATCH_MS);
      watchTimer.unref();
      sweepTask = cron.schedule(
        opts.sweepCron ?? SWEEP_CRON,
        () => (stopped ? undefined : track(sweep()).catch((err: unknown) => log.error({ err: errorMessage(err) }, 'scheduler sweep failed'))),
        {
          name: 'papers sweep',
          timezone: 'UTC',
          noOverlap: true,
          logger: cronLogger,
        },
      );
      const now = clock.now();
      const next = groups.map((g) => nextOccurrence(g.time, g.zone, now)).sort((a, b) => a.getTime() - b.getTime())[0];
      log.info({ tasks: tasks.size, nextPostAt: next?.toISOString() ?? null }, 'scheduler started');
      const caughtUp = track(runDue(catchUpMs, undefined, groups));
      if (catchUp === 'wait') await caughtUp;
      else caughtUp.catch((err: unknown) => log.error({ err: errorMessage(err) }, 'scheduler catch-up failed'));
    },
    async stop() {
      stopped = true;
      if (watchTimer) clearInterval(watchTimer);
      await sweepTask?.destroy();
      for (const task of tasks.values()) await task.destroy();
      tasks.clear();
      await Promise.allSettled([...running]);
    },
    catchUp,
    deliveries() {
      const now = clock.now().getTime();
      let late = 0;
      for (const at of dueSince.values()) if (now - at > LATE_MS) late++;
      return { due: dueSince.size, inFlight: inFlight.size, late };
    },
  };
}
