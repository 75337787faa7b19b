import type { Logger } from 'pino';
import { connect } from './connect';
import { parseDatabaseUrl } from './database-url';
import { KyselyStore } from './kysely-store';
import type { Store } from './types';

/**
 * Opens the store named by a DATABASE_URL (`sqlite:PATH`, a plain path, or `postgres://…`, where
 * `?schema=NAME` selects, and creates, a schema) and by default brings its schema up to date.
 * Throws ConfigError with one line for a bad URL, an unreachable host, an unwritable path, or a
 * database written by a newer papers-bot.
 */
export async function openStore(
  databaseUrl: string,
  /** cwd: what a relative SQLite path is relative to (default process.cwd()). */
  opts: { log?: Logger; migrate?: boolean; cwd?: string } = {},
): Promise<Store> {
  const conn = await connect(parseDatabaseUrl(databaseUrl, opts.cwd), opts.log);
  const store = new KyselyStore(conn);
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
