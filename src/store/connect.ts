import { closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { Kysely } from 'kysely';
import { SchemaPostgresDialect } from './postgres-dialect';
import type { Logger } from 'pino';
import { ConfigError, errorMessage } from '../errors';
import { backgroundCheckpoints } from './checkpointer';
import type { DatabaseTarget } from './database-url';
import { sqliteDialect } from './sqlite-dialect';
import type { Database } from './tables';

export interface Connection {
  db: Kysely<Database>;
  dialect: 'sqlite' | 'postgres';
  /** The PostgreSQL schema every table lives in; undefined on SQLite. */
  schema: string | undefined;
  /** Connections checked out of the pool now; absent where there is no pool (SQLite's one handle). */
  connectionsInUse?: () => number;
}

/** How long opening waits for another process's write lock on the SQLite file (see the open check below). */
const SQLITE_OPEN_BUSY_TIMEOUT_MS = 5_000;
const PG_CONNECT_TIMEOUT_MS = 5_000;

/** Opens the database and checks it can be used, or throws ConfigError with one line saying why. */
export async function connect(target: DatabaseTarget, log?: Logger, opts: { lockWaitMs?: number } = {}): Promise<Connection> {
  return target.kind === 'sqlite' ? connectSqlite(target.path, opts.lockWaitMs) : connectPostgres(target, log);
}

function connectSqlite(file: string, lockWaitMs?: number): Connection {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
  } catch (err) {
    throw new ConfigError(`cannot create the directory for the SQLite database ${file}: ${systemReason(err)}`);
  }
  let sqlite: BetterSqlite3.Database | undefined;
  try {
    // It holds workspaces' tokens: readable by its owner only. SQLite gives its -wal and -shm files
    // the database file's mode; an existing file keeps the mode its operator chose.
    closeSync(openSync(file, 'a', 0o600));
    sqlite = new BetterSqlite3(file);
    sqlite.pragma(`busy_timeout = ${SQLITE_OPEN_BUSY_TIMEOUT_MS}`);
    // WAL: readers never block the writer, and a committed transaction survives a killed process.
    sqlite.pragma('journal_mode = WAL');
    // In WAL mode, NORMAL syncs the log at checkpoints instead of at every commit: a commit stays
    // durable across a killed or crashed process, and only a power loss or OS crash can undo the
    // last ones (never corrupting the file). FULL's fsync per commit blocked the event loop ~0.35 ms
    // each here, a third of the time a 500-channel fan-out took to start its last channel. README.md
    // ("How it fits together") tells operators.
    sqlite.pragma('synchronous = NORMAL');
    // Checkpoints happen on a worker thread (checkpointer.ts); SQLite's own, inside a commit, only
    // if that one falls behind by 10,000 pages (40 MB).
    sqlite.pragma('wal_autocheckpoint = 10000');
    // Fail now, not at the first bookmark, when the file or its directory is read-only.
    sqlite.exec('BEGIN IMMEDIATE; ROLLBACK');
    // From now on a locked database is waited for by the dialect, asynchronously (sqlite-dialect.ts):
    // SQLite's busy handler sleeps inside the call, freezing every answer in flight for as long.
    sqlite.pragma('busy_timeout = 0');
  } catch (err) {
    sqlite?.close();
    throw new ConfigError(`cannot open the SQLite database ${file}: ${systemReason(err)}`);
  }
  const checkpoints = backgroundCheckpoints(file);
  return {
    db: new Kysely<Database>({ dialect: sqliteDialect(sqlite, { lockWaitMs, beforeClose: () => checkpoints.stop() }) }),
    dialect: 'sqlite',
    schema: undefined,
  };
}

async function connectPostgres(target: Extract<DatabaseTarget, { kind: 'postgres' }>, log?: Logger): Promise<Connection> {
  const pool = new pg.Pool({
    connectionString: target.connectionString,
    connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS,
    // Every pooled connection starts in the chosen schema (a startup parameter, so no extra round trip).
    ...(target.schema ? { options: `-c search_path=${target.schema}` } : {}),
  });
  // An idle connection dropped by the server must not crash the process; the pool replaces it.
  pool.on('error', (err) => log?.warn({ err: errorMessage(err) }, 'postgres connection lost'));
  // So must one dropped while checked out (between the queries of a transaction): its query fails,
  // and the client's own 'error' event would otherwise be an uncaught exception.
  pool.on('connect', (client) => client.on('error', (err) => log?.warn({ err: errorMessage(err) }, 'postgres connection lost while in use')));
  try {
    if (target.schema) await createSchema(pool, target.schema);
    const { rows } = await pool.query<{ schema: string | null }>('select current_schema() as schema');
    const schema = rows[0]?.schema;
    if (!schema) throw new Error('no schema on the search_path exists (add ?schema=NAME to DATABASE_URL)');
    return {
      db: new Kysely<Database>({ dialect: new SchemaPostgresDialect({ pool }, schema) }),
      dialect: 'postgres',
      schema,
      connectionsInUse: () => pool.totalCount - pool.idleCount,
    };
  } catch (err) {
    await pool.end().catch(() => {});
    throw new ConfigError(`cannot use PostgreSQL at ${target.where}: ${systemReason(err)}`);
  }
}

async function createSchema(pool: pg.Pool, schema: string): Promise<void> {
  try {
    await pool.query(`create schema if not exists "${schema}"`);
  } catch (err) {
    // Two processes creating the same schema at once: "if not exists" can still collide; the loser is fine.
    if ((err as { code?: string }).code !== '23505') throw err;
  }
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET']);

/** One line for a person: the OS/driver reason without a stack or nested causes. */
function systemReason(err: unknown): string {
  // Node reports a refused connection to every address of a host as an AggregateError.
  if (err instanceof AggregateError && err.errors.length) return systemReason(err.errors[0]);
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && UNREACHABLE.has(code)) return `host unreachable (${code})`;
  if (code === 'EACCES' || code === 'EROFS') return 'permission denied';
  if (code === 'ENOTDIR' || code === 'EEXIST') return 'a part of the path is a file, not a directory';
  return (errorMessage(err).split('\n')[0] || String(code ?? 'unknown error')).trim();
}
