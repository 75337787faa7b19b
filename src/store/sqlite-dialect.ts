import type BetterSqlite3 from 'better-sqlite3';
import {
  type CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  SqliteDialect,
  type SqliteDatabase,
  type SqliteDialectConfig,
  type TransactionSettings,
} from 'kysely';

/** Distinct statements kept prepared; the bot runs a few dozen, plus `in (…)` lists of varying length. */
const STATEMENT_CACHE = 500;

/**
 * kysely's SQLite dialect over one better-sqlite3 connection, with three changes: statements are
 * prepared once, callers waiting for the connection are served in turn, and a statement that finds
 * the database locked by another process waits for it without blocking the event loop.
 */
export function sqliteDialect(sqlite: BetterSqlite3.Database, opts: { lockWaitMs?: number; beforeClose?: () => Promise<void> } = {}): SqliteDialect {
  return new TurnTakingSqliteDialect({ database: reusingStatements(sqlite) }, sqlite, opts.lockWaitMs ?? LOCK_WAIT_MS, opts.beforeClose);
}

/**
 * How long a statement waits for another process's write lock (`papers import` of a big file, a
 * `post-daily` beside the bot) before failing with SQLITE_BUSY. The wait is asynchronous, so the bot
 * keeps answering meanwhile; SQLite's own busy_timeout would freeze the whole process instead.
 */
export const LOCK_WAIT_MS = 10_000;

class TurnTakingSqliteDialect extends SqliteDialect {
  constructor(
    config: SqliteDialectConfig,
    private readonly sqlite: BetterSqlite3.Database,
    private readonly lockWaitMs: number,
    private readonly beforeClose?: () => Promise<void>,
  ) {
    super(config);
  }

  override createDriver(): Driver {
    return new TakingTurns(super.createDriver(), this.sqlite, this.lockWaitMs, this.beforeClose);
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
 * bot allocated in such a burst. Here only the next in line is woken. The inner driver's connection
 * is taken once, and turns are kept here, so a statement waiting for another process's lock can
 * give its turn away meanwhile (see LockWaiting).
 */
class TakingTurns implements Driver {
  readonly #inner: Driver;
  readonly #sqlite: BetterSqlite3.Database;
  readonly #lockWaitMs: number;
  readonly #beforeClose: (() => Promise<void>) | undefined;
  readonly #waiting: (() => void)[] = [];
  #busy = false;
  #connection: DatabaseConnection | undefined;

  constructor(inner: Driver, sqlite: BetterSqlite3.Database, lockWaitMs: number, beforeClose?: () => Promise<void>) {
    this.#inner = inner;
    this.#sqlite = sqlite;
    this.#lockWaitMs = lockWaitMs;
    this.#beforeClose = beforeClose;
  }

  async init(): Promise<void> {
    await this.#inner.init();
    // Held for good: the turns below decide who uses it.
    this.#connection = new LockWaiting(await this.#inner.acquireConnection(), this.#sqlite, this, this.#lockWaitMs);
  }

  /** Resolves when it is the caller's turn. */
  takeTurn(): Promise<void> {
    if (!this.#busy) {
      this.#busy = true;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  /** The turn passes straight to the next in line, so nobody can slip in between. */
  passTurn(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#busy = false;
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.takeTurn();
    return this.#connection!;
  }

  async releaseConnection(): Promise<void> {
    this.passTurn();
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

  async destroy(): Promise<void> {
    await this.#inner.releaseConnection(this.#connection!);
    await this.#beforeClose?.();
    return this.#inner.destroy();
  }
}

/** better-sqlite3's codes for "another connection holds the lock": SQLITE_BUSY and its extended forms. */
const isBusy = (err: unknown) => String((err as { code?: unknown }).code ?? '').startsWith('SQLITE_BUSY');

/**
 * The connection with busy_timeout 0: a statement that finds the database locked fails at once, and
 * is tried again after a short timer, up to lockWaitMs. Outside a transaction nothing is held, so the
 * turn is given to the next caller while it waits (a read needs no lock in WAL mode and goes ahead);
 * inside one (after BEGIN IMMEDIATE took the lock) SQLITE_BUSY cannot be waited out and is thrown.
 */
class LockWaiting implements DatabaseConnection {
  constructor(
    private readonly inner: DatabaseConnection,
    private readonly sqlite: BetterSqlite3.Database,
    private readonly turns: TakingTurns,
    private readonly lockWaitMs: number,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const deadline = Date.now() + this.lockWaitMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.inner.executeQuery<R>(query);
      } catch (err) {
        if (!isBusy(err) || this.sqlite.inTransaction || Date.now() >= deadline) throw err;
        this.turns.passTurn();
        // SQLite's own busy handler backs off alike: a few ms at first, then every 50 ms.
        await new Promise((resolve) => setTimeout(resolve, Math.min(2 ** attempt, 50)));
        await this.turns.takeTurn();
      }
    }
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}
