import { sql, type Kysely, type Transaction, type UpdateQueryBuilder, type UpdateResult, type WhereInterface } from 'kysely';
import type { Paper } from '../model/paper';
import type { Platform } from '../chat/command';
import { subscriptionId } from '../subscriptions/id';
import { migrateToLatest } from './migrations';
import { encodeTerms } from '../search/document';
import { SyncedIndex, type IndexCursor, type TermRow } from '../search/index-sync';
import { searchPapers as rankedSearch } from '../search/search';
import type { TermIndex } from '../search/term-index';
import { deliveryFromRow, mergeSeenPaper, paperColumns, paperFromRow, paperToRow, subscriptionFromRow } from './rows';
import type { Connection } from './connect';
import type { Database } from './tables';
import type {
  Bookmark,
  ClaimOwner,
  ClaimRequest,
  ClaimResult,
  Delivery,
  PaperUpsertResult,
  PostRecord,
  Store,
  Subscription,
  SubscriptionInput,
} from './types';

/** Ids per `where id in (…)`, well under SQLite's and PostgreSQL's parameter limits. */
const ID_CHUNK = 500;
/** The meta row counting paper writes (Store.papersRevision). */
const PAPERS_REVISION_KEY = 'papers_revision';
/** Papers per multi-row insert: 22 columns each, again well under both limits. */
const INSERT_CHUNK = 200;

type Db = Kysely<Database>;
type DeliveryUpdate = UpdateQueryBuilder<Database, 'deliveries', 'deliveries', UpdateResult>;

/** The Store over kysely. Every statement is written once and runs on both dialects. */
export class KyselyStore implements Store {
  readonly dialect: 'sqlite' | 'postgres';
  readonly #db: Db;
  readonly #schema: string | undefined;
  #pendingPosts: { post: PostRecord; resolve: () => void; reject: (err: unknown) => void }[] = [];
  readonly #searchIndex = new SyncedIndex((after, limit) => this.#termsAfter(after, limit));

  constructor(conn: Connection) {
    this.#db = conn.db;
    this.dialect = conn.dialect;
    this.#schema = conn.schema;
  }

  migrate() {
    return migrateToLatest(this.#db, this.#schema);
  }

  async close() {
    // Posts waiting for their group commit are written, not dropped.
    await this.#commitPosts();
    await this.#db.destroy();
  }

  /**
   * Runs fn in a transaction that holds the write lock from its first statement. On SQLite a plain
   * BEGIN would take the lock only at the first write, and a read-then-write transaction could then
   * fail at once with SQLITE_BUSY when another process wrote in between; BEGIN IMMEDIATE waits instead.
   */
  async #write<T>(fn: (tx: Db | Transaction<Database>) => Promise<T>): Promise<T> {
    if (this.dialect === 'postgres') return this.#db.transaction().execute(fn);
    return this.#db.connection().execute(async (conn) => {
      await sql`begin immediate`.execute(conn);
      try {
        const result = await fn(conn);
        await sql`commit`.execute(conn);
        return result;
      } catch (err) {
        // After some errors (SQLITE_FULL, SQLITE_IOERR) SQLite has already rolled back; its "no
        // transaction is active" must not replace the error that says what went wrong.
        await sql`rollback`.execute(conn).catch(() => {});
        throw err;
      }
    });
  }

  // papers

  /**
   * Folds the batch in memory as if each paper were written in turn, then writes in bulk: one
   * insert per few hundred new papers, one update per changed paper. Paper writers go one at a time
   * (BEGIN IMMEDIATE on SQLite, a table lock on Postgres), which makes read-then-insert safe across
   * replicas and hands out search revisions in commit order, as the search index relies on.
   */
  async upsertPapers(papers: Paper[], seenAt: Date): Promise<PaperUpsertResult> {
    const result: PaperUpsertResult = { inserted: 0, updated: 0, unchanged: 0 };
    if (papers.length === 0) return result;
    return this.#write(async (tx) => {
      if (this.dialect === 'postgres') await sql`lock table papers in share row exclusive mode`.execute(tx);
      const stored = new Map<string, Paper>();
      for (const ids of chunks([...new Set(papers.map((p) => p.id))])) {
        const rows = await tx.selectFrom('papers').select(paperColumns).where('id', 'in', ids).execute();
        for (const row of rows) stored.set(row.id, paperFromRow(row));
      }
      const fresh = new Map<string, Paper>();
      const changed = new Map<string, Paper>();
      for (const seen of papers) {
        const old = fresh.get(seen.id) ?? changed.get(seen.id) ?? stored.get(seen.id);
        if (!old) {
          fresh.set(seen.id, seen);
          result.inserted++;
          continue;
        }
        const merged = mergeSeenPaper(old, seen);
        if (samePaper(merged, old)) {
          result.unchanged++;
          continue;
        }
        (fresh.has(seen.id) ? fresh : changed).set(seen.id, merged);
        result.updated++;
      }

      const retexted = [...changed.values()].filter((p) => !sameText(p, stored.get(p.id)!));
      const revision = fresh.size + retexted.length === 0 ? 0 : await nextSearchRevision(tx);
      for (const batch of chunks([...fresh.values()], INSERT_CHUNK)) {
        await tx
          .insertInto('papers')
          .values(batch.map((p) => ({ ...paperToRow(p, seenAt), search_terms: encodeTerms(p), search_revision: revision })))
          .execute();
      }
      for (const paper of changed.values()) {
        const { first_seen_at: _keep, ...row } = paperToRow(paper, seenAt);
        const search = retexted.includes(paper) ? { search_terms: encodeTerms(paper), search_revision: revision } : {};
        await tx.updateTable('papers').set({ ...row, ...search }).where('id', '=', paper.id).execute();
      }
      if (fresh.size + changed.size > 0) await bumpPapersRevision(tx);
      const sightings = new Map(papers.map((p) => [`${p.source} ${p.id}`, { paper_id: p.id, source: p.source, first_seen_at: seenAt.toISOString() }]));
      for (const batch of chunks([...sightings.values()])) {
        await tx
          .insertInto('paper_sightings')
          .values(batch)
          .onConflict((oc) => oc.columns(['paper_id', 'source']).doNothing())
          .execute();
      }
      return result;
    });
  }

  async getPaper(id: string): Promise<Paper | null> {
    const row = await this.#db.selectFrom('papers').select(paperColumns).where('id', '=', id).executeTakeFirst();
    return row ? paperFromRow(row) : null;
  }

  async getPapers(ids: string[]): Promise<Paper[]> {
    const found = new Map<string, Paper>();
    for (const chunk of chunks(ids)) {
      const rows = await this.#db.selectFrom('papers').select(paperColumns).where('id', 'in', chunk).execute();
      for (const row of rows) found.set(row.id, paperFromRow(row));
    }
    // In the order asked for, so callers can keep a ranking.
    return ids.flatMap((id) => found.get(id) ?? []);
  }

  async latestListDate(onOrBefore?: string): Promise<string | null> {
    let q = this.#db.selectFrom('papers').select((eb) => eb.fn.max('listed_on').as('latest')).where('listed_on', 'is not', null);
    if (onOrBefore) q = q.where('listed_on', '<=', onOrBefore);
    const row = await q.executeTakeFirst();
    return row?.latest ?? null;
  }

  async papersListedBetween(from: string, to: string): Promise<Paper[]> {
    const rows = await this.#db
      .selectFrom('papers')
      .select(paperColumns)
      .where('listed_on', '>=', from)
      .where('listed_on', '<=', to)
      .orderBy('listed_on', 'desc')
      .orderBy('upvotes', 'desc')
      .orderBy('id')
      .execute();
    return rows.map(paperFromRow);
  }

  /**
   * The window's papers that name categories, narrowed to the wanted ones here rather than in SQL:
   * matching inside the JSON list would take a different function on each dialect, and a two-day
   * window holds few papers.
   */
  async papersInCategories(categories: string[], from: string, to: string): Promise<Paper[]> {
    if (categories.length === 0) return [];
    const rows = await this.#db
      .selectFrom('papers')
      .select(paperColumns)
      .where('categories', 'is not', null)
      .where((eb) =>
        eb.or([
          eb.and([eb('published_at', '>=', from), eb('published_at', '<=', to)]),
          eb.and([eb('listed_on', '>=', from), eb('listed_on', '<=', to)]),
        ]),
      )
      .orderBy('published_at', 'desc')
      .orderBy('id')
      .execute();
    const wanted = new Set(categories);
    return rows.map(paperFromRow).filter((p) => p.categories?.some((c) => wanted.has(c)));
  }

  /** Ranked by src/search's in-process index, so both dialects agree. */
  async searchPapers(query: string, limit: number): Promise<Paper[]> {
    return (await rankedSearch(this, query, limit)).map((hit) => hit.paper);
  }

  searchIndex(): Promise<TermIndex> {
    return this.#searchIndex.current();
  }

  /** Row-value order on (search_revision, id) walks the index papers_search_revision. */
  async #termsAfter(after: IndexCursor, limit: number): Promise<TermRow[]> {
    const rows = await this.#db
      .selectFrom('papers')
      .select(['id', 'search_terms', 'search_revision'])
      .where(sql<boolean>`(search_revision, id) > (${after.revision}, ${after.id})`)
      .orderBy('search_revision')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ id: r.id, terms: r.search_terms ?? '', revision: Number(r.search_revision) }));
  }

  async papersRevision(): Promise<number> {
    return Number((await this.getMeta(PAPERS_REVISION_KEY)) ?? 0);
  }

  async countPapers(): Promise<number> {
    const row = await this.#db.selectFrom('papers').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    // PostgreSQL returns count(*) as a bigint string.
    return Number(row.n);
  }

  // subscriptions

  /**
   * A person subscribing again re-enables a channel the scheduler disabled; a config file declaring
   * the same settings again at start does not, or a gone channel would be retried on every restart.
   */
  async upsertSubscription(input: SubscriptionInput): Promise<Subscription> {
    const id = subscriptionId(input.platform, input.channelId);
    const now = new Date().toISOString();
    const settings = {
      workspace_id: input.workspaceId,
      time: input.time,
      timezone: input.timezone,
      top: input.top,
      topics: JSON.stringify(input.topics),
      min_upvotes: input.minUpvotes,
      rank: input.rank,
      arxiv: JSON.stringify(input.arxiv ?? []),
      origin: input.origin,
      created_by: input.createdBy,
    };
    return this.#write(async (tx) => {
      const old = await tx.selectFrom('subscriptions').selectAll().where('id', '=', id).executeTakeFirst();
      if (!old) {
        await tx
          .insertInto('subscriptions')
          .values({ id, platform: input.platform, channel_id: input.channelId, ...settings, enabled: 1, created_at: now, updated_at: now, failures: 0, last_error: null, disabled_reason: null })
          .execute();
      } else {
        const unchanged = (Object.keys(settings) as (keyof typeof settings)[]).every((k) => settings[k] === old[k]);
        const reenable = input.origin === 'command' || !unchanged;
        await tx
          .updateTable('subscriptions')
          .set({ ...settings, updated_at: now, ...(reenable ? { enabled: 1, failures: 0, last_error: null, disabled_reason: null } : {}) })
          .where('id', '=', id)
          .execute();
      }
      return subscriptionFromRow(await tx.selectFrom('subscriptions').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
    });
  }

  async getSubscription(id: string): Promise<Subscription | null> {
    const row = await this.#db.selectFrom('subscriptions').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? subscriptionFromRow(row) : null;
  }

  async listSubscriptions(filter: { enabledOnly?: boolean; platform?: Platform } = {}): Promise<Subscription[]> {
    let q = this.#db.selectFrom('subscriptions').selectAll().orderBy('id');
    if (filter.enabledOnly) q = q.where('enabled', '=', 1);
    if (filter.platform) q = q.where('platform', '=', filter.platform);
    return (await q.execute()).map(subscriptionFromRow);
  }

  async deleteSubscription(id: string): Promise<boolean> {
    const res = await this.#db.deleteFrom('subscriptions').where('id', '=', id).executeTakeFirst();
    return res.numDeletedRows > 0n;
  }

  async recordSubscriptionFailure(id: string, error: string, disableAfter: number): Promise<Subscription> {
    // One statement, so two replicas failing at once both count.
    const reached = sql<boolean>`failures + 1 >= ${disableAfter}`;
    await this.#db
      .updateTable('subscriptions')
      .set({
        failures: sql`failures + 1`,
        last_error: error,
        enabled: sql`case when ${reached} then 0 else enabled end`,
        disabled_reason: sql`case when ${reached} then ${`disabled after ${disableAfter} failed posts; last: ${error}`} else disabled_reason end`,
        updated_at: new Date().toISOString(),
      })
      .where('id', '=', id)
      .execute();
    const row = await this.#db.selectFrom('subscriptions').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new Error(`no subscription ${id}`);
    return subscriptionFromRow(row);
  }

  async recordSubscriptionSuccess(id: string): Promise<void> {
    await this.#db.updateTable('subscriptions').set({ failures: 0, last_error: null }).where('id', '=', id).execute();
  }

  // posts

  /** Recording the same message twice (a retried send) keeps the first record. */
  /**
   * Group commit: posts recorded in the same turn of the event loop share one transaction. A burst
   * of answers (200 `/papers today` at once) then costs a few commits instead of one each, and every
   * caller still resolves only once its post is durable.
   */
  recordPost(post: PostRecord): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#pendingPosts.push({ post, resolve, reject });
      if (this.#pendingPosts.length === 1) setImmediate(() => void this.#commitPosts());
    });
  }

  async #commitPosts(): Promise<void> {
    const batch = this.#pendingPosts;
    if (batch.length === 0) return;
    this.#pendingPosts = [];
    try {
      await this.#write((tx) => this.#insertPosts(tx, batch.map((b) => b.post)));
      for (const b of batch) b.resolve();
    } catch (err) {
      for (const b of batch) b.reject(err);
    }
  }

  /** Inserts posts not recorded yet (a re-recorded message keeps its first record) and their papers. */
  async #insertPosts(tx: Db | Transaction<Database>, posts: PostRecord[]): Promise<void> {
    const keyOf = (p: { platform: string; channel_id: string; message_id: string }) => `${p.platform} ${p.channel_id} ${p.message_id}`;
    const rows = new Map<string, { row: { platform: Platform; channel_id: string; message_id: string }; post: PostRecord }>();
    for (const post of posts) {
      const row = { platform: post.platform, channel_id: post.channelId, message_id: post.messageId };
      if (!rows.has(keyOf(row))) rows.set(keyOf(row), { row, post });
    }
    for (const batch of chunks([...rows.values()], INSERT_CHUNK)) {
      const added = await tx
        .insertInto('posts')
        .values(batch.map(({ row, post }) => ({ ...row, kind: post.kind, delivery_id: post.deliveryId, posted_at: post.postedAt.toISOString() })))
        .onConflict((oc) => oc.columns(['platform', 'channel_id', 'message_id']).doNothing())
        .returning(['platform', 'channel_id', 'message_id'])
        .execute();
      const papers = added.flatMap((key) => rows.get(keyOf(key))!.post.paperIds.map((paper_id, i) => ({ ...key, position: i + 1, paper_id })));
      for (const part of chunks(papers, INSERT_CHUNK)) await tx.insertInto('post_papers').values(part).execute();
    }
  }

  async findPost(platform: Platform, channelId: string, messageId: string): Promise<PostRecord | null> {
    const row = await this.#db
      .selectFrom('posts')
      .selectAll()
      .where('platform', '=', platform)
      .where('channel_id', '=', channelId)
      .where('message_id', '=', messageId)
      .executeTakeFirst();
    if (!row) return null;
    return (await this.#withPaperIds([row]))[0]!;
  }

  async paperIdsPostedInChannel(platform: Platform, channelId: string, since: Date): Promise<Set<string>> {
    const rows = await this.#db
      .selectFrom('post_papers as pp')
      .innerJoin('posts as p', (j) =>
        j.onRef('p.platform', '=', 'pp.platform').onRef('p.channel_id', '=', 'pp.channel_id').onRef('p.message_id', '=', 'pp.message_id'),
      )
      .select('pp.paper_id')
      .distinct()
      .where('p.platform', '=', platform)
      .where('p.channel_id', '=', channelId)
      .where('p.kind', '=', 'digest')
      .where('p.posted_at', '>=', since.toISOString())
      .execute();
    return new Set(rows.map((r) => r.paper_id));
  }

  async postsForDelivery(deliveryId: string): Promise<PostRecord[]> {
    const rows = await this.#db.selectFrom('posts').selectAll().where('delivery_id', '=', deliveryId).orderBy('posted_at').orderBy('message_id').execute();
    return this.#withPaperIds(rows);
  }

  async #withPaperIds(rows: { platform: string; channel_id: string; message_id: string; kind: string; delivery_id: string | null; posted_at: string }[]): Promise<PostRecord[]> {
    if (rows.length === 0) return [];
    const papers = await this.#db
      .selectFrom('post_papers')
      .select(['channel_id', 'message_id', 'paper_id'])
      .where('platform', '=', rows[0]!.platform)
      .where((eb) => eb.or(rows.map((r) => eb.and([eb('channel_id', '=', r.channel_id), eb('message_id', '=', r.message_id)]))))
      .orderBy('position')
      .execute();
    return rows.map((r) => ({
      platform: r.platform as Platform,
      channelId: r.channel_id,
      messageId: r.message_id,
      paperIds: papers.filter((p) => p.channel_id === r.channel_id && p.message_id === r.message_id).map((p) => p.paper_id),
      kind: r.kind as PostRecord['kind'],
      deliveryId: r.delivery_id,
      postedAt: new Date(r.posted_at),
    }));
  }

  // bookmarks

  async addBookmark(b: { platform: Platform; userId: string; paperId: string; messageId: string | null; at: Date }): Promise<boolean> {
    const added = await this.#db
      .insertInto('bookmarks')
      .values({ platform: b.platform, user_id: b.userId, paper_id: b.paperId, message_id: b.messageId, created_at: b.at.toISOString() })
      .onConflict((oc) => oc.columns(['platform', 'user_id', 'paper_id']).doNothing())
      .returning('paper_id')
      .executeTakeFirst();
    return added !== undefined;
  }

  async removeBookmark(platform: Platform, userId: string, paperId: string): Promise<boolean> {
    const res = await this.#db
      .deleteFrom('bookmarks')
      .where('platform', '=', platform)
      .where('user_id', '=', userId)
      .where('paper_id', '=', paperId)
      .executeTakeFirst();
    return res.numDeletedRows > 0n;
  }

  async listBookmarks(platform: Platform, userId: string): Promise<Bookmark[]> {
    const rows = await this.#db
      .selectFrom('bookmarks as b')
      .innerJoin('papers', 'papers.id', 'b.paper_id')
      .select(paperColumns.map((c) => `papers.${c}` as const))
      .select(['b.created_at as bookmarked_at', 'b.message_id as bookmarked_from'])
      .where('b.platform', '=', platform)
      .where('b.user_id', '=', userId)
      .orderBy('b.created_at')
      .orderBy('b.paper_id')
      .execute();
    return rows.map((r) => ({ paper: paperFromRow(r), createdAt: new Date(r.bookmarked_at), messageId: r.bookmarked_from }));
  }

  /**
   * Papers people bookmarked from messages the bot posted in this channel (digests and answers),
   * each once, by id. Bookmarks keep the message, and posts know its channel.
   */
  async channelBookmarkedPapers(platform: Platform, channelId: string): Promise<Paper[]> {
    const rows = await this.#db
      .selectFrom('bookmarks as b')
      .innerJoin('posts as p', (j) => j.onRef('p.platform', '=', 'b.platform').onRef('p.message_id', '=', 'b.message_id'))
      .innerJoin('papers', 'papers.id', 'b.paper_id')
      .select(paperColumns.map((c) => `papers.${c}` as const))
      .distinct()
      .where('b.platform', '=', platform)
      .where('p.channel_id', '=', channelId)
      .orderBy('papers.id')
      .execute();
    return rows.map(paperFromRow);
  }

  // deliveries

  /**
   * Insert-or-nothing decides a fresh claim; a taken claim changes hands only by a compare-and-set
   * on the row as it was read (state, attempts, heartbeat), so of two claimers exactly one wins on
   * either dialect, whatever the interleaving.
   */
  async claimDelivery(req: ClaimRequest): Promise<ClaimResult> {
    const id = `${req.subscriptionId}@${req.date}`;
    const now = req.now.toISOString();
    const claim = { state: 'claimed', owner_host: req.owner.host, owner_pid: req.owner.pid, heartbeat_at: now, updated_at: now };
    const inserted = await this.#db
      .insertInto('deliveries')
      .values({ id, subscription_id: req.subscriptionId, date: req.date, attempts: 1, last_error: null, plan: null, ...claim })
      .onConflict((oc) => oc.doNothing())
      .returningAll()
      .executeTakeFirst();
    if (inserted) return { won: true, delivery: deliveryFromRow(inserted) };

    const current = deliveryFromRow(await this.#db.selectFrom('deliveries').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
    if (!mayTakeOver(current, req)) return { won: false, delivery: current };

    const taken = await this.#db
      .updateTable('deliveries')
      .set({ ...claim, attempts: current.attempts + 1 })
      .where('id', '=', id)
      .where('state', '=', current.state)
      .where('attempts', '=', current.attempts)
      .where('heartbeat_at', current.heartbeatAt ? '=' : 'is', current.heartbeatAt?.toISOString() ?? null)
      .returningAll()
      .executeTakeFirst();
    if (taken) return { won: true, delivery: deliveryFromRow(taken) };
    return { won: false, delivery: (await this.getDelivery(id))! };
  }

  async heartbeatDelivery(id: string, owner: ClaimOwner, now: Date): Promise<boolean> {
    const res = await this.#ownedClaim(this.#db.updateTable('deliveries').set({ heartbeat_at: now.toISOString() }), id, owner).executeTakeFirst();
    return res.numUpdatedRows > 0n;
  }

  async setDeliveryPlan(id: string, owner: ClaimOwner, paperIds: string[]): Promise<boolean> {
    const res = await this.#ownedClaim(this.#db.updateTable('deliveries').set({ plan: JSON.stringify(paperIds) }), id, owner).executeTakeFirst();
    return res.numUpdatedRows > 0n;
  }

  /** Does nothing when the claim was lost: the new owner finishes the delivery. */
  async finishDelivery(id: string, owner: ClaimOwner, outcome: { state: 'posted' } | { state: 'failed'; error: string }, now: Date): Promise<void> {
    await this.#ownedClaim(
      this.#db.updateTable('deliveries').set({ state: outcome.state, last_error: outcome.state === 'failed' ? outcome.error : null, updated_at: now.toISOString() }),
      id,
      owner,
    ).execute();
  }

  /** Narrows an update to a claim this owner still holds. */
  /** The one definition of holding a claim, for the reads and writes that need it. */
  #ownedClaim<Q extends WhereInterface<Database, 'deliveries'>>(q: Q, id: string, owner: ClaimOwner): Q {
    return q.where('id', '=', id).where('state', '=', 'claimed').where('owner_host', '=', owner.host).where('owner_pid', '=', owner.pid) as Q;
  }

  async holdsDelivery(id: string, owner: ClaimOwner): Promise<boolean> {
    return (await this.#ownedClaim(this.#db.selectFrom('deliveries').select('id'), id, owner).executeTakeFirst()) !== undefined;
  }

  async getDelivery(id: string): Promise<Delivery | null> {
    const row = await this.#db.selectFrom('deliveries').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? deliveryFromRow(row) : null;
  }

  // meta

  async getMeta(key: string): Promise<string | null> {
    const row = await this.#db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst();
    return row?.value ?? null;
  }

  async setMeta(key: string, value: string | null): Promise<void> {
    if (value === null) {
      await this.#db.deleteFrom('meta').where('key', '=', key).execute();
      return;
    }
    await this.#db
      .insertInto('meta')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute();
  }
}

/** Whether a delivery someone else holds may be claimed now. */
function mayTakeOver(d: Delivery, req: ClaimRequest): boolean {
  if (d.state === 'posted') return false;
  if (d.state === 'failed') return d.attempts < req.maxAttempts;
  const stale = d.heartbeatAt === null || req.now.getTime() - d.heartbeatAt.getTime() > req.staleAfterMs;
  return stale || (d.owner !== null && req.ownerIsGone(d.owner));
}

/** Same stored content (the row without its timestamps), whatever the key order of the objects. */
function samePaper(a: Paper, b: Paper): boolean {
  const epoch = new Date(0);
  return JSON.stringify(paperToRow(a, epoch)) === JSON.stringify(paperToRow(b, epoch));
}

/** Whether the words the search index sees are the same. */
function sameText(a: Paper, b: Paper): boolean {
  return a.title === b.title && a.summary === b.summary && a.keywords.join('\n') === b.keywords.join('\n');
}

/** Counts paper writes in the same transaction as the write, so a reader never sees new papers with an old revision. */
async function bumpPapersRevision(tx: Db | Transaction<Database>): Promise<void> {
  await tx
    .insertInto('meta')
    .values({ key: PAPERS_REVISION_KEY, value: '1' })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: sql<string>`cast(cast(meta.value as bigint) + 1 as text)` }))
    .execute();
}

/** The revision for this write's search terms; the caller holds the papers write lock. */
async function nextSearchRevision(tx: Db | Transaction<Database>): Promise<number> {
  const row = await tx.selectFrom('papers').select((eb) => eb.fn.max('search_revision').as('latest')).executeTakeFirst();
  return Number(row?.latest ?? 0) + 1;
}

function chunks<T>(items: T[], size = ID_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
