import { sql } from 'kysely';
import type { Logger } from 'pino';
import { connect } from './connect';
import { parseDatabaseUrl } from './database-url';
import { storeDb, type StoreDb } from './db';
import { migrateToLatest } from './migrate';
import { bookmarkRepository } from './repositories/bookmarks';
import { followRepository } from './repositories/follows';
import { personalRepository } from './repositories/personal';
import { deliveryRepository } from './repositories/deliveries';
import { installationRepository } from './repositories/installations';
import { metaRepository } from './repositories/meta';
import { paperRepository } from './repositories/papers';
import { postRepository } from './repositories/posts';
import { replayRepository } from './repositories/replays';
import { searchRepository } from './repositories/search';
import { subscriptionRepository } from './repositories/subscriptions';
import { threadRepository } from './repositories/threads';
import type { Store } from './types';

/**
 * Opens the store named by a DATABASE_URL (`sqlite:PATH`, a plain path, or `postgres://…`, where
 * `?schema=NAME` selects, and creates, a schema) and by default brings its schema up to date.
 * Throws ConfigError with one line for a bad URL, an unreachable host, an unwritable path, or a
 * database written by a newer papers-bot.
 */
export async function openStore(
  databaseUrl: string,
  /**
   * cwd: what a relative SQLite path is relative to (default process.cwd()); lockWaitMs: how long a
   * SQLite statement waits for another process's lock (default LOCK_WAIT_MS in sqlite-dialect.ts).
   */
  opts: { log?: Logger; migrate?: boolean; cwd?: string; lockWaitMs?: number } = {},
): Promise<Store> {
  const store = composeStore(storeDb(await connect(parseDatabaseUrl(databaseUrl, opts.cwd), opts.log, { lockWaitMs: opts.lockWaitMs })));
  if (opts.migrate ?? true) {
    try {
      const { from, to } = await store.migrate();
      if (from !== to) opts.log?.info({ from, to, dialect: store.dialect }, 'database migrated');
    } catch (err) {
      await store.close();
      throw err;
    }
  }
  return store;
}

/** The repositories over one database. Every statement is written once and runs on both dialects. */
function composeStore(db: StoreDb): Store {
  const papers = paperRepository(db);
  const { posts, commitPending: commitPendingPosts } = postRepository(db);
  const { deliveries, commitPending: commitPendingDeliveries } = deliveryRepository(db);
  return {
    dialect: db.dialect,
    papers,
    search: searchRepository(db, papers),
    subscriptions: subscriptionRepository(db),
    deliveries,
    posts,
    bookmarks: bookmarkRepository(db),
    installations: installationRepository(db),
    threads: threadRepository(db),
    replays: replayRepository(db),
    follows: followRepository(db),
    personal: personalRepository(db),
    meta: metaRepository(db),
    migrate: (onStep) => migrateToLatest(db.kysely, db.schema, onStep),
    async ping() {
      await sql`select 1`.execute(db.kysely);
    },
    connectionsInUse: () => db.connectionsInUse(),
    async close() {
      // Claims, heartbeats and posts waiting for their group commit are written, not dropped.
      await commitPendingDeliveries();
      await commitPendingPosts();
      await db.kysely.destroy();
    },
  };
}
