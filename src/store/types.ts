import type { Paper } from '../model/paper';
import type { Platform } from '../chat/command';
import type { RankMode } from '../rank/modes';
import type { MigrationStep } from './migrate';
import type { Cadence, WeekDay } from '../model/cadence';
import type { Follow } from '../follows/follow';

/**
 * Everything the bot remembers: one repository per kind of record, all over one connection and one
 * write lock (src/store/db.ts), composed by openStore (src/store/open.ts). One implementation
 * (kysely) over two dialects: SQLite (embedded default) and PostgreSQL (several replicas). Every
 * method is safe to call concurrently from several processes; the exactly-once guarantees rest on
 * deliveries.claim.
 */
export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  readonly papers: PaperRepository;
  readonly search: SearchRepository;
  readonly subscriptions: SubscriptionRepository;
  readonly deliveries: DeliveryRepository;
  readonly posts: PostRepository;
  readonly bookmarks: BookmarkRepository;
  readonly installations: InstallationRepository;
  readonly threads: ThreadRepository;
  readonly replays: ReplayRepository;
  readonly follows: FollowRepository;
  readonly personal: PersonalRepository;
  readonly meta: MetaRepository;
  /** Applies pending migrations; refuses (ConfigError) a database newer than the code. */
  /** onStep hears each pending migration start and end. */
  migrate(onStep?: (step: MigrationStep) => void): Promise<{ from: number; to: number }>;
  /** Resolves once the database answers a trivial query (readiness); rejects when it does not. */
  ping(): Promise<void>;
  /** Connections checked out of the pool now; null on SQLite, which has none. */
  connectionsInUse(): number | null;
  /** Writes what is still queued (posts awaiting their group commit), then closes the connection. */
  close(): Promise<void>;
}

// papers and their search index

export interface PaperUpsertResult {
  inserted: number;
  updated: number;
  unchanged: number;
}

export interface PaperRepository {
  /** Insert new papers, update changed ones in place (upvotes, richer fields). Never duplicates. */
  upsert(papers: Paper[], seenAt: Date): Promise<PaperUpsertResult>;
  get(id: string): Promise<Paper | null>;
  /** The papers with these ids, in the order asked for; unknown ids are left out. */
  getMany(ids: string[]): Promise<Paper[]>;
  /** The most recent listedOn date (≤ onOrBefore when given) with a paper from a Daily Papers listing (an arXiv feed's day is not one). */
  latestListDate(onOrBefore?: string): Promise<string | null>;
  /** Papers whose listedOn is in [from, to] (inclusive). */
  listedBetween(from: string, to: string): Promise<Paper[]>;
  /** Papers in any of these arXiv categories published, or listed, in [from, to] (inclusive). */
  inCategories(categories: string[], from: string, to: string): Promise<Paper[]>;
  count(): Promise<number>;
  /**
   * A number that changes with every write that changes a stored paper (new papers, new upvotes,
   * richer fields), by any replica: one cheap read, so answers derived from the papers can be
   * cached until it moves.
   */
  revision(): Promise<number>;
}

/** A paper the full-text engine matched, and its score there (higher is better). */
export interface SearchHit {
  id: string;
  score: number;
}

/** Search on the database's own full-text engine (migration 0007); nothing is held in the process. */
export interface SearchRepository {
  /**
   * Papers matching a query in the search language (src/search/query: words, "phrases",
   * -excluded), best first by the engine's ranking (title above keywords and AI summary above the
   * abstract), ties by id.
   */
  find(query: string, limit: number): Promise<Paper[]>;
  /**
   * "More like this": papers holding any of these words (in any form), scored by the summed weights
   * of the words they hold, best first, ties by id, leaving out `except`. Each word contributes
   * its most recent few hundred holders (any few hundred on PostgreSQL), so the work is bounded.
   */
  matchAny(words: { word: string; weight: number }[], limit: number, except: string[]): Promise<SearchHit[]>;
  /** How many papers hold each word in any form the engine brings together, and how many papers there are. */
  documentFrequencies(words: string[]): Promise<{ docCount: number; docFreq: Map<string, number> }>;
}

// subscriptions

export type { RankMode };

export interface SubscriptionSettings {
  /** How often it posts; every day when absent. */
  every?: Cadence;
  /** The day of a weekly post; Monday when absent. */
  weekDay?: WeekDay;
  /** `HH:MM`, local to timezone. */
  time: string;
  /** IANA zone, e.g. `Europe/Berlin`. */
  timezone: string;
  /** Papers per post, 1..10. */
  top: number;
  /** Keywords that boost; `-keyword` excludes. */
  topics: string[];
  minUpvotes: number;
  rank: RankMode;
  /** arXiv categories whose new papers join this channel's candidates (`cs.LG`); none when absent or empty. */
  arxiv?: string[];
  /** Open a discussion thread on every paper of the daily post; off when absent. */
  threads?: boolean;
  /** Publish (crosspost) each message of the daily post to following servers, where the channel can; off when absent. */
  publish?: boolean;
}

export interface Subscription extends SubscriptionSettings {
  /** `${platform}:${channelId}`: one subscription per channel. */
  id: string;
  every: Cadence;
  weekDay: WeekDay;
  arxiv: string[];
  threads: boolean;
  publish: boolean;
  platform: Platform;
  /** Discord guild id / Slack team id; null for console. */
  workspaceId: string | null;
  channelId: string;
  enabled: boolean;
  /** Where it was declared: by `/papers subscribe` or in a config file. */
  origin: 'command' | 'config';
  createdBy: string;
  updatedAt: Date;
  /** Consecutive permanent posting failures, and the last one; reset by a success. */
  failures: number;
  lastError: string | null;
  /** Why the scheduler disabled it (shown by `/papers settings`), else null. */
  disabledReason: string | null;
}

export interface SubscriptionInput extends SubscriptionSettings {
  platform: Platform;
  workspaceId: string | null;
  channelId: string;
  origin: 'command' | 'config';
  createdBy: string;
}

export interface SubscriptionRepository {
  upsert(input: SubscriptionInput): Promise<Subscription>;
  get(id: string): Promise<Subscription | null>;
  list(filter?: { enabledOnly?: boolean; platform?: Platform }): Promise<Subscription[]>;
  delete(id: string): Promise<boolean>;
  /** Records a posting failure; permanent ones count towards disabling. */
  recordFailure(id: string, error: string, disableAfter: number): Promise<Subscription>;
  recordSuccess(id: string): Promise<void>;
  /** Disables every enabled subscription of a workspace with `reason` (the app was uninstalled); how many. */
  pauseWorkspace(platform: Platform, workspaceId: string, reason: string): Promise<number>;
  /** Enables again the workspace's subscriptions that pauseWorkspace disabled with this `reason`; how many. */
  resumeWorkspace(platform: Platform, workspaceId: string, reason: string): Promise<number>;
  /**
   * A short text that changes with every write that adds, changes, deletes or disables a
   * subscription, by any replica: one cheap read, so the scheduler notices new times within
   * seconds without listing them all.
   */
  changeStamp(): Promise<string>;
}

// deliveries (exactly-once daily posting)

export interface ClaimOwner {
  host: string;
  pid: number;
}

export type DeliveryState = 'claimed' | 'posted' | 'failed';

export interface Delivery {
  /** `${subscriptionId}@${date}`. */
  id: string;
  subscriptionId: string;
  /** The subscription's local date. */
  date: string;
  state: DeliveryState;
  attempts: number;
  lastError: string | null;
  owner: ClaimOwner | null;
  heartbeatAt: Date | null;
  /** The papers this delivery posts, fixed when first planned so a resumed run posts the same list. */
  plan: string[] | null;
  /**
   * The message a run was about to send, recorded before the send: if it is not among the posts, an
   * earlier run may have sent it unrecorded. Null when nothing was sent yet (or by an older version).
   */
  sending: { key: string; at: Date } | null;
  updatedAt: Date;
}

export interface ClaimRequest {
  subscriptionId: string;
  date: string;
  owner: ClaimOwner;
  now: Date;
  /** A claim whose heartbeat is older than this is taken over. */
  staleAfterMs: number;
  /** True when the claim's owner is known to be gone (same host, dead pid). */
  ownerIsGone: (owner: ClaimOwner) => boolean;
  /** A failed delivery is claimed again only while attempts < maxAttempts. */
  maxAttempts: number;
  /**
   * The plan to write with a fresh claim, and its first message about to be sent: one write
   * instead of two. A claim taken over keeps the plan it has.
   */
  plan?: { paperIds: string[]; sending: { key: string; at: Date } | null };
}

/** won: this caller now owns the delivery. Otherwise delivery is the current row (posted, or owned by a live claimer). */
export interface ClaimResult {
  won: boolean;
  delivery: Delivery;
  /** Won by creating the claim: nothing of this delivery can have been sent before. */
  fresh: boolean;
}

/** Exactly-once daily posting: each (subscription, local date) is claimed by one owner at a time. */
export interface DeliveryRepository {
  claim(req: ClaimRequest): Promise<ClaimResult>;
  /** Extends the claim, recording the message about to be sent (`sending`); false when it was lost to another owner. */
  heartbeat(id: string, owner: ClaimOwner, now: Date, sending?: string): Promise<boolean>;
  /** Whether the owner still holds the claim: heartbeat's answer, read-only. */
  holds(id: string, owner: ClaimOwner): Promise<boolean>;
  /** Fixes the plan, and records the first message about to be sent (`sending`). */
  setPlan(id: string, owner: ClaimOwner, paperIds: string[], sending?: { key: string; at: Date }): Promise<boolean>;
  finish(id: string, owner: ClaimOwner, outcome: { state: 'posted' } | { state: 'failed'; error: string }, now: Date): Promise<void>;
  get(id: string): Promise<Delivery | null>;
  /** Those of these deliveries that exist, by id, in a few queries for any number. */
  getMany(ids: string[]): Promise<Map<string, Delivery>>;
  /** Deletes every delivery of these subscription keys (a person's digests and alerts) and the records of the messages they sent; how many deliveries. */
  forget(subscriptionIds: string[]): Promise<number>;
}

// posts

/** A message the bot sent that carries papers, so a reaction on it resolves to a paper. */
export interface PostRecord {
  platform: Platform;
  channelId: string;
  /** Discord message id, Slack ts, console message number. */
  messageId: string;
  /** The papers in display order: keycap k means paperIds[k-1]. Empty for a digest header. */
  paperIds: string[];
  /** digest: part of a daily post (counts as "already posted"); answer: a reply to a command. */
  kind: 'digest' | 'answer';
  deliveryId: string | null;
  postedAt: Date;
}

export interface PostRepository {
  /** Resolves once the post is durable; recording the same message twice keeps the first record. */
  record(post: PostRecord): Promise<void>;
  find(platform: Platform, channelId: string, messageId: string): Promise<PostRecord | null>;
  /** Paper ids posted by digests (not command answers) in this channel since the given time. */
  paperIdsPostedInChannel(platform: Platform, channelId: string, since: Date): Promise<Set<string>>;
  forDelivery(deliveryId: string): Promise<PostRecord[]>;
}

// bookmarks

export interface Bookmark {
  paper: Paper;
  createdAt: Date;
  /** The message it was bookmarked from, if any. */
  messageId: string | null;
}

export interface BookmarkRepository {
  /** True when newly added; adding twice is harmless. */
  add(b: { platform: Platform; userId: string; paperId: string; messageId: string | null; at: Date }): Promise<boolean>;
  /** True when something was removed; removing twice is harmless. */
  remove(platform: Platform, userId: string, paperId: string): Promise<boolean>;
  /** Oldest first, so list numbers stay stable as new bookmarks arrive. */
  list(platform: Platform, userId: string): Promise<Bookmark[]>;
  /** Removes all of a person's bookmarks; how many there were. */
  removeAll(platform: Platform, userId: string): Promise<number>;
  /** The papers anyone bookmarked from a message the bot posted in this channel, each once, by id. */
  channelPapers(platform: Platform, channelId: string): Promise<Paper[]>;
}

// follows

export interface StoredFollow extends Follow {
  createdAt: Date;
}

/** What each person follows (src/follows): private to them, so every method takes the person. */
export interface FollowRepository {
  /**
   * Adds a follow unless the person already has it (the same words, whatever their case or accents)
   * or already has `max`, counted in the same transaction.
   */
  add(f: { platform: Platform; userId: string; follow: Follow; at: Date; max: number }): Promise<'added' | 'exists' | 'full'>;
  /** Oldest first, so list numbers stay stable as new follows arrive. */
  list(platform: Platform, userId: string): Promise<StoredFollow[]>;
  /** Each of these people's follows, as `list` gives them, in a few queries for any number of people. */
  listEach(platform: Platform, userIds: string[]): Promise<Map<string, StoredFollow[]>>;
  /** True when there was one to remove. */
  remove(platform: Platform, userId: string, follow: Follow): Promise<boolean>;
  /** How many were removed. */
  removeAll(platform: Platform, userId: string): Promise<number>;
}

// personal feeds

export type PersonalDigest = 'off' | 'daily' | 'weekly';

/** What a person set with `/papers me`. */
export interface PersonalSettings {
  digest: PersonalDigest;
  /** The day of a weekly digest. */
  weekDay: WeekDay;
  /** `HH:MM`, local to timezone. */
  time: string;
  timezone: string;
  /** Papers per digest, 1..10. */
  top: number;
  /** One direct message per refresh with new papers matching their follows. */
  alerts: boolean;
}

export interface PersonalFeed extends PersonalSettings {
  platform: Platform;
  userId: string;
  /** Where the bot knows them from (Discord server, Slack team); null on the console. */
  workspaceId: string | null;
  /** Why their direct messages are paused (the platform refused one), else null. */
  pausedReason: string | null;
  /** Whether they were told of the pause. */
  pauseNoted: boolean;
  lastAlertAt: Date | null;
  updatedAt: Date;
  /** Their direct-message conversation, kept once opened (PersonalRepository.setDirectChannel); null until then. */
  dmChannelId: string | null;
}

/** Each person's own feed: its settings, its pause, and every paper ever sent to them. */
export interface PersonalRepository {
  get(platform: Platform, userId: string): Promise<PersonalFeed | null>;
  /** Saves their settings; a person changing them also lifts a pause (they may have opened their DMs again). */
  set(f: { platform: Platform; userId: string; workspaceId: string | null; settings: PersonalSettings; now: Date }): Promise<PersonalFeed>;
  /** Feeds with a digest (or with alerts) on that are not paused. */
  active(what: 'digest' | 'alerts'): Promise<PersonalFeed[]>;
  /** Keeps their direct-message conversation, so no process opens it again. */
  setDirectChannel(platform: Platform, userId: string, channelId: string): Promise<void>;
  /** Pauses their delivery; false when it was paused already. */
  pause(platform: Platform, userId: string, reason: string): Promise<boolean>;
  /** The reason of a pause they were not told of yet, marking it told: each pause is told once. */
  takePauseNote(platform: Platform, userId: string): Promise<string | null>;
  /** Changes with every write of settings or pauses, by any replica (as SubscriptionRepository.changeStamp). */
  changeStamp(): Promise<string>;
  /** Of these papers, those never sent to them. */
  unsent(platform: Platform, userId: string, paperIds: string[]): Promise<string[]>;
  /** Records papers as sent (idempotent); only those not sent before are recorded. */
  markSent(s: { platform: Platform; userId: string; paperIds: string[]; via: 'digest' | 'alert'; at: Date }): Promise<void>;
  /** Records an alert sent now, for the at-most-one-an-hour rule. */
  alerted(platform: Platform, userId: string, at: Date): Promise<void>;
  /** Deletes their feed and what was sent to them; true when there was anything. */
  forget(platform: Platform, userId: string): Promise<boolean>;
}

// discussion threads

export interface ThreadRecord {
  platform: Platform;
  channelId: string;
  /** The message the thread is on. */
  messageId: string;
  paperId: string;
  /** The thread's id once it is open (Discord thread channel, Slack reply ts); null while being opened. */
  threadId: string | null;
  claimedAt: Date;
  /** Who holds the claim; null for claims older than owners. */
  owner: ClaimOwner | null;
}

export type ThreadClaim =
  /** This caller opens the thread. takenOver: an abandoned claim was taken over, so a thread may exist already. */
  { won: true; takenOver: boolean; claimedAt: Date } | { won: false; thread: ThreadRecord };

/** One discussion thread per message, however many ask at once (src/chat/threads.ts). */
export interface ThreadRepository {
  /**
   * Claims the message's thread for `owner`: insert-or-nothing. A claim without a thread older than
   * staleAfterMs, or whose owner is gone (ownerIsGone, as for deliveries), changes hands by
   * compare-and-set, so of two claimers exactly one wins.
   */
  claim(c: {
    platform: Platform;
    channelId: string;
    messageId: string;
    paperId: string;
    now: Date;
    staleAfterMs: number;
    owner: ClaimOwner;
    ownerIsGone: (owner: ClaimOwner) => boolean;
  }): Promise<ThreadClaim>;
  /** Records the open thread; only the holder of the claim (by its time) can. */
  opened(o: { platform: Platform; channelId: string; messageId: string; threadId: string; claimedAt: Date; now: Date }): Promise<void>;
  /** Gives a claim back when its thread could not be opened, so a later attempt may try. */
  release(r: { platform: Platform; channelId: string; messageId: string; claimedAt: Date }): Promise<void>;
  find(platform: Platform, channelId: string, messageId: string): Promise<ThreadRecord | null>;
}

// installations and meta

/**
 * Each platform's installations (Slack OAuth: one per workspace, or per org), as opaque text per
 * (platform, key). Every access to them goes through this repository, so it is the one place that
 * would encrypt them.
 */
export interface InstallationRepository {
  get(platform: Platform, key: string): Promise<string | null>;
  /** Adds the installation or replaces the one under this key. */
  put(platform: Platform, key: string, value: string): Promise<void>;
  /** True when there was one to delete. */
  delete(platform: Platform, key: string): Promise<boolean>;
  /** Every stored installation, of every platform (a key rotation rewrites them all). */
  list(): Promise<{ platform: string; key: string; value: string }[]>;
  /**
   * Rewrites the storage so values replaced or deleted are gone from the files too (SQLite keeps old
   * pages in its free list and WAL, PostgreSQL old row versions until vacuumed). Slow on a big
   * database: for the one time installations stored in the clear were encrypted.
   */
  purgeOldVersions(): Promise<void>;
}

/** Small key/value state: the source's status, fetch validators, the console's message counter. */
export interface MetaRepository {
  get(key: string): Promise<string | null>;
  /** null deletes the key. */
  set(key: string, value: string | null): Promise<void>;
}

// replays (signed requests seen once)

/** Requests already seen, shared by every replica, so a replayed copy is refused wherever it lands. */
export interface ReplayRepository {
  /**
   * Remembers `key` until `expiresAt`; true the first time, false while it is remembered (a replay).
   * Expired keys are pruned now and then, and count as new.
   */
  remember(key: string, expiresAt: Date, now?: Date): Promise<boolean>;
}
