import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { connect, type Connection } from '../../src/store/connect';
import { parseDatabaseUrl } from '../../src/store/database-url';
import { openStore } from '../../src/store/open';
import type { Store } from '../../src/store/types';

export type StoreKind = 'sqlite' | 'postgres';

export const testDatabaseUrl = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const inCi = process.env.CI === 'true';

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: testDatabaseUrl, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * The kinds of store every storage-backed suite runs against. Locally, without PostgreSQL, the
 * Postgres half is skipped with a visible warning; in CI it stays, so an unreachable server fails.
 */
/**
 * Under `npm run mutate` (vitest.mutate.config.ts) only SQLite: each mutant reruns the tests that
 * reach it, and a Postgres schema per test costs several times a SQLite file. The repositories'
 * statements are the same on both dialects, so a mutant the SQLite half misses is counted as
 * surviving, never as killed.
 */
const mutating = process.env.PAPERS_MUTATE === '1';
export const storeKinds: StoreKind[] = mutating ? ['sqlite'] : inCi || (await postgresReachable()) ? ['sqlite', 'postgres'] : ['sqlite'];
if (!mutating && !storeKinds.includes('postgres'))
  console.warn(`\n*** PostgreSQL at ${testDatabaseUrl} is unreachable: Postgres store tests are SKIPPED (they run in CI) ***\n`);

/** A fresh schema name, so parallel runs and suites never see each other's rows. */
export function freshSchemaName(): string {
  return `t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

/** A URL for a new empty database of this kind, and how to throw it away. */
export function testDatabase(kind: StoreKind): { url: string; cleanup(): Promise<void> } {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'papers-store-'));
    return { url: `sqlite:${path.join(dir, 'papers.db')}`, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const schema = freshSchemaName();
  const url = new URL(testDatabaseUrl);
  url.searchParams.set('schema', schema);
  return {
    url: url.toString(),
    cleanup: async () => {
      const client = new pg.Client({ connectionString: testDatabaseUrl });
      await client.connect();
      try {
        await client.query(`drop schema if exists "${schema}" cascade`);
      } finally {
        await client.end();
      }
    },
  };
}

/** An open, migrated store on a new empty database: SQLite in a temp file, Postgres in a fresh schema. */
export async function openTestStore(kind: StoreKind): Promise<{ store: Store; url: string; cleanup(): Promise<void> }> {
  const db = testDatabase(kind);
  const store = await openStore(db.url);
  let closed = false;
  return {
    store,
    url: db.url,
    cleanup: async () => {
      if (!closed) await store.close();
      closed = true;
      await db.cleanup();
    },
  };
}

/**
 * A raw connection to a test database beside its store (no migrations run), for reading or
 * changing tables the store does not expose; closed when `use` settles.
 */
export async function withConnection<T>(url: string, use: (conn: Connection) => Promise<T>): Promise<T> {
  const conn = await connect(parseDatabaseUrl(url));
  try {
    return await use(conn);
  } finally {
    await conn.db.destroy();
  }
}

/** A PAPERS_SECRET_KEY for tests (32 bytes, base64); never a real one. */
export const TEST_SECRET_KEY = Buffer.alloc(32, 7).toString('base64');
