import { sql, type Kysely, type WhereInterface } from 'kysely';
import type { Platform } from '../chat/command';
import { migrateToLatest } from './migrate';
import { deliveryRepository } from './repositories/deliveries';
import { installationRepository } from './repositories/installations';
import { bookmarkRepository } from './repositories/bookmarks';
import { metaRepository } from './repositories/meta';
import { paperRepository } from './repositories/papers';
import { postRepository } from './repositories/posts';
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
  readonly posts;
  readonly #commitPendingPosts;

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
    ({ posts: this.posts, commitPending: this.#commitPendingPosts } = postRepository(this.#shared));
  }

  migrate() {
    return migrateToLatest(this.#db, this.#schema);
  }

  async close() {
    // Posts waiting for their group commit are written, not dropped.
    await this.#commitPendingPosts();
    await this.#db.destroy();
  }
}
