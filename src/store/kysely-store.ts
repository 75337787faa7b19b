import { sql, type Kysely, type WhereInterface } from 'kysely';
import type { Platform } from '../chat/command';
import { migrateToLatest } from './migrate';
import { deliveryRepository } from './repositories/deliveries';
import { installationRepository } from './repositories/installations';
import { bookmarkRepository } from './repositories/bookmarks';
import { metaRepository } from './repositories/meta';
import { paperRepository } from './repositories/papers';
import { searchRepository } from './repositories/search';
import { subscriptionRepository } from './repositories/subscriptions';
import { deliveryFromRow, subscriptionFromRow } from './rows';
import type { Connection } from './connect';
import { chunks, INSERT_CHUNK, storeDb, type Executor, type StoreDb } from './db';
import type { Database } from './tables';
import type {
  ClaimOwner,
  ClaimRequest,
  ClaimResult,
  Delivery,
  PostRecord,
  Store,
  Subscription,
  SubscriptionInput,
} from './types';

type Db = Kysely<Database>;

/** The Store over kysely. Every statement is written once and runs on both dialects. */
export class KyselyStore implements Store {
  readonly dialect: 'sqlite' | 'postgres';
  readonly #db: Db;
  readonly #schema: string | undefined;
  readonly #shared: StoreDb;
  readonly meta;
  readonly installations;
  readonly papers;
  readonly search;
  readonly bookmarks;
  readonly subscriptions;
  readonly deliveries;
  #pendingPosts: { post: PostRecord; resolve: () => void; reject: (err: unknown) => void }[] = [];

  constructor(conn: Connection) {
    this.#db = conn.db;
    this.dialect = conn.dialect;
    this.#schema = conn.schema;
    this.#shared = storeDb(conn);
    this.meta = metaRepository(this.#shared);
    this.installations = installationRepository(this.#shared);
    this.papers = paperRepository(this.#shared);
    this.search = searchRepository(this.#shared, this.papers);
    this.bookmarks = bookmarkRepository(this.#shared);
    this.subscriptions = subscriptionRepository(this.#shared);
    this.deliveries = deliveryRepository(this.#shared);
  }

  migrate() {
    return migrateToLatest(this.#db, this.#schema);
  }

  async close() {
    // Posts waiting for their group commit are written, not dropped.
    await this.#commitPosts();
    await this.#db.destroy();
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
      await this.#shared.write((tx) => this.#insertPosts(tx, batch.map((b) => b.post)));
      for (const b of batch) b.resolve();
    } catch (err) {
      for (const b of batch) b.reject(err);
    }
  }

  /** Inserts posts not recorded yet (a re-recorded message keeps its first record) and their papers. */
  async #insertPosts(tx: Executor, posts: PostRecord[]): Promise<void> {
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
}
