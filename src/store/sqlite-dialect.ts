import type BetterSqlite3 from 'better-sqlite3';
import { SqliteDialect, type DatabaseConnection, type Driver, type SqliteDatabase, type TransactionSettings } from 'kysely';

/** Distinct statements kept prepared; the bot runs a few dozen, plus `in (…)` lists of varying length. */
const STATEMENT_CACHE = 500;

/**
 * kysely's SQLite dialect over one better-sqlite3 connection, with two changes that matter under a
 * burst of commands: statements are prepared once, and callers waiting for the connection are
 * served in turn.
 */
export function sqliteDialect(sqlite: BetterSqlite3.Database): SqliteDialect {
  return new TurnTakingSqliteDialect({ database: reusingStatements(sqlite) });
}

class TurnTakingSqliteDialect extends SqliteDialect {
  override createDriver(): Driver {
    return new TakingTurns(super.createDriver());
  }
}

/**
 * kysely prepares every query anew, and preparing costs as much as running a small one. SQLite
 * statements can be run again and again, and kysely uses each to completion before the next (one
 * connection, behind its mutex), so each distinct SQL text is prepared once; the least recently
 * used are dropped beyond STATEMENT_CACHE.
 */
function reusingStatements(sqlite: BetterSqlite3.Database): SqliteDatabase {
  const prepared = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql) {
      let statement = prepared.get(sql);
      if (statement) prepared.delete(sql);
      else statement = sqlite.prepare(sql);
      prepared.set(sql, statement);
      if (prepared.size > STATEMENT_CACHE) prepared.delete(prepared.keys().next().value!);
      return statement;
    },
  };
}

/**
 * The SQLite driver with its one connection handed out first come, first served. kysely's own
 * mutex wakes every waiter at each release and all but one wait again: with the 400 queries of
 * 200 concurrent `/papers today`, that is ~80,000 wake-ups, measured as a tenth of everything the
 * bot allocated in such a burst. Here only the next in line is woken, and it is the only one ever
 * waiting on the inner mutex.
 */
class TakingTurns implements Driver {
  readonly #inner: Driver;
  readonly #waiting: (() => void)[] = [];
  #busy = false;

  constructor(inner: Driver) {
    this.#inner = inner;
  }

  init(): Promise<void> {
    return this.#inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    if (this.#busy) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#busy = true;
    return this.#inner.acquireConnection();
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    await this.#inner.releaseConnection(connection);
    // The turn passes straight to the next in line, so nobody can slip in between.
    const next = this.#waiting.shift();
    if (next) next();
    else this.#busy = false;
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.#inner.beginTransaction(connection, settings);
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#inner.commitTransaction(connection);
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#inner.rollbackTransaction(connection);
  }

  savepoint: Driver['savepoint'] = (...args) => this.#inner.savepoint!(...args);
  rollbackToSavepoint: Driver['rollbackToSavepoint'] = (...args) => this.#inner.rollbackToSavepoint!(...args);
  releaseSavepoint: Driver['releaseSavepoint'] = (...args) => this.#inner.releaseSavepoint!(...args);

  destroy(): Promise<void> {
    return this.#inner.destroy();
  }
}
