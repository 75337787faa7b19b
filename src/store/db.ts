import { sql, type Kysely, type Transaction } from 'kysely';
import type { Connection } from './connect';
import type { Database } from './tables';

/** What a statement runs on: the database, or a transaction in it. */
export type Executor = Kysely<Database> | Transaction<Database>;

/** The database every repository of a store shares: one connection (pool), one write lock. */
export interface StoreDb {
  readonly kysely: Kysely<Database>;
  readonly dialect: 'sqlite' | 'postgres';
  /** The PostgreSQL schema every table lives in; undefined on SQLite. */
  readonly schema: string | undefined;
  /**
   * Runs fn in a transaction that holds the write lock from its first statement. On SQLite a plain
   * BEGIN would take the lock only at the first write, and a read-then-write transaction could then
   * fail at once with SQLITE_BUSY when another process wrote in between; BEGIN IMMEDIATE waits instead.
   */
  write<T>(fn: (tx: Executor) => Promise<T>): Promise<T>;
  /** Connections checked out of the pool now; null on SQLite. */
  connectionsInUse(): number | null;
}

export function storeDb(conn: Connection): StoreDb {
  const { db, dialect } = conn;
  return {
    kysely: db,
    dialect,
    schema: conn.schema,
    connectionsInUse: () => conn.connectionsInUse?.() ?? null,
    write(fn) {
      if (dialect === 'postgres') return db.transaction().execute(fn);
      return db.connection().execute(async (tx) => {
        await sql`begin immediate`.execute(tx);
        try {
          const result = await fn(tx);
          await sql`commit`.execute(tx);
          return result;
        } catch (err) {
          // After some errors (SQLITE_FULL, SQLITE_IOERR) SQLite has already rolled back; its "no
          // transaction is active" must not replace the error that says what went wrong.
          await sql`rollback`.execute(tx).catch(() => {});
          throw err;
        }
      });
    },
  };
}

/** Ids per `where id in (…)`, well under SQLite's and PostgreSQL's parameter limits. */
const ID_CHUNK = 500;
/** Rows per multi-row insert: a paper's 22 columns each (the widest row), again well under both limits. */
export const INSERT_CHUNK = 200;

export function chunks<T>(items: T[], size = ID_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
