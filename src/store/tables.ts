/**
 * Row types of the tables, as kysely sees them. The same on SQLite and PostgreSQL: times are ISO
 * 8601 text (`Date#toISOString`, so they sort and compare as text), lists are JSON text, and flags
 * are 0/1 integers, because those are the types both dialects store and return alike.
 */

/** A paper's own fields (rows.ts maps them to Paper). */
export interface PaperColumns {
  id: string;
  arxiv_id: string | null;
  title: string;
  summary: string;
  ai_summary: string | null;
  /** JSON string[] */
  authors: string;
  author_count: number | null;
  organization: string | null;
  published_at: string;
  listed_on: string | null;
  upvotes: number;
  url: string | null;
  pdf_url: string | null;
  github_url: string | null;
  /** JSON string[] */
  keywords: string;
  thumbnail_url: string | null;
  source: string;
  /** JSON string[] of arXiv categories, primary first; null when the listings named none. */
  categories: string | null;
  first_seen_at: string;
  updated_at: string;
}

/** The columns the full-text engines add (migration 0007) are theirs alone: the store never writes them. */
export type PapersTable = PaperColumns;

/** When each source first showed a paper. */
export interface PaperSightingsTable {
  paper_id: string;
  source: string;
  first_seen_at: string;
}

export interface SubscriptionsTable {
  id: string;
  platform: string;
  workspace_id: string | null;
  channel_id: string;
  time: string;
  timezone: string;
  top: number;
  /** JSON string[] */
  topics: string;
  min_upvotes: number;
  rank: string;
  /** JSON string[] of arXiv categories whose papers join the channel's candidates. */
  arxiv: string;
  enabled: number;
  origin: string;
  created_by: string;
  created_at: string;
  updated_at: string;
  failures: number;
  last_error: string | null;
  disabled_reason: string | null;
  /** 0/1: open a discussion thread on every paper of the daily post. */
  threads: number;
  /** 0/1: publish (crosspost) each message of the daily post where the channel can. */
  publish: number;
  /** day | weekday | week */
  every: string;
  /** mon..sun: the day of a weekly post. */
  week_day: string;
}

export interface PostsTable {
  platform: string;
  channel_id: string;
  message_id: string;
  kind: string;
  delivery_id: string | null;
  posted_at: string;
  /** The papers the message carries, as a JSON array in display order (the first is keycap 1). */
  paper_ids: string;
}

export interface BookmarksTable {
  platform: string;
  user_id: string;
  paper_id: string;
  message_id: string | null;
  created_at: string;
}

/** The discussion thread of a message: claimed before it is opened, with its id once it is. */
export interface ThreadsTable {
  platform: string;
  channel_id: string;
  message_id: string;
  paper_id: string;
  thread_id: string | null;
  claimed_at: string;
  opened_at: string | null;
  /** Who holds the claim (null for claims made before migration 0021_a). */
  owner_host: string | null;
  owner_pid: number | null;
}

export interface DeliveriesTable {
  id: string;
  subscription_id: string;
  date: string;
  state: string;
  attempts: number;
  last_error: string | null;
  owner_host: string | null;
  owner_pid: number | null;
  heartbeat_at: string | null;
  /** JSON string[] or null */
  plan: string | null;
  /** The idempotency key of the message being sent (recorded before the send), and when. */
  sending_key: string | null;
  sending_at: string | null;
  updated_at: string;
}

export interface MetaTable {
  key: string;
  value: string;
}

/** A platform's installation (Slack OAuth: per workspace or org), as the platform's JSON. */
export interface InstallationsTable {
  platform: string;
  /** Names the installation within the platform, e.g. `team:T…` or `enterprise:E…`. */
  key: string;
  value: string;
  updated_at: string;
}

/** A signed request seen once (src/store/repositories/replays.ts). */
export interface ReplaysTable {
  /** Platform and signature, e.g. `slack:v0=…`. */
  key: string;
  /** ISO time after which the platform would refuse the request as too old anyway. */
  expires_at: string;
}

/** One thing a person follows (src/follows). */
export interface FollowsTable {
  platform: string;
  user_id: string;
  /** topic | author | org | arxiv */
  kind: string;
  /** What matching compares (followKey); unique per person and kind. */
  key: string;
  /** As typed. */
  value: string;
  created_at: string;
}

/** A person's own feed (src/personal). */
export interface PersonalFeedsTable {
  platform: string;
  user_id: string;
  workspace_id: string | null;
  /** off | daily | weekly */
  digest: string;
  week_day: string;
  time: string;
  timezone: string;
  top: number;
  /** 0/1 */
  alerts: number;
  /** Why delivery is paused (the platform refused a direct message); null when it is not. */
  paused_reason: string | null;
  /** 0/1: the person was told of the pause. */
  pause_noted: number;
  last_alert_at: string | null;
  updated_at: string;
  /** Their direct-message conversation once opened (Discord's DM channel id), else null. */
  dm_channel_id: string | null;
}

/** A paper sent to a person, by digest or alert: never again. */
export interface PersonalSentTable {
  platform: string;
  user_id: string;
  paper_id: string;
  /** digest | alert */
  via: string;
  sent_at: string;
}

/** How many papers hold each of the full-text engine's terms; the row '' counts the papers (migration 0007). */
export interface PaperTermsTable {
  term: string;
  docs: number;
}

export interface Database {
  papers: PapersTable;
  paper_terms: PaperTermsTable;
  paper_sightings: PaperSightingsTable;
  subscriptions: SubscriptionsTable;
  posts: PostsTable;
  bookmarks: BookmarksTable;
  deliveries: DeliveriesTable;
  meta: MetaTable;
  installations: InstallationsTable;
  threads: ThreadsTable;
  replays: ReplaysTable;
  follows: FollowsTable;
  personal_feeds: PersonalFeedsTable;
  personal_sent: PersonalSentTable;
}
