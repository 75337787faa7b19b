import BetterSqlite3 from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sqliteDialect } from '../../src/store/sqlite-dialect';

interface Db {
  t: { n: number };
}

describe('the SQLite dialect: one connection, callers served in turn', () => {
  let db: Kysely<Db>;
  beforeEach(async () => {
    db = new Kysely<Db>({ dialect: sqliteDialect(new BetterSqlite3(':memory:')) });
    await sql`create table t (n integer not null)`.execute(db);
  });
  afterEach(() => db.destroy());

  it('runs concurrent queries one at a time, in the order they asked', async () => {
    await Promise.all(Array.from({ length: 300 }, (_, n) => db.insertInto('t').values({ n }).execute()));
    const rows = await db.selectFrom('t').select('n').orderBy(sql`rowid`).execute();
    expect(rows.map((r) => r.n)).toEqual(Array.from({ length: 300 }, (_, n) => n));
  });

  it('keeps a transaction to itself while others wait, and passes the turn on after a rollback', async () => {
    const failing = db.transaction().execute(async (tx) => {
      await tx.insertInto('t').values({ n: 1 }).execute();
      // Callers queued meanwhile must neither see this row nor run inside this transaction.
      await new Promise((resolve) => setTimeout(resolve, 20));
      throw new Error('rolled back');
    });
    const seen = db
      .selectFrom('t')
      .select((eb) => eb.fn.countAll<number>().as('rows'))
      .executeTakeFirstOrThrow();
    const later = db.insertInto('t').values({ n: 2 }).execute();
    await expect(failing).rejects.toThrow('rolled back');
    expect((await seen).rows).toBe(0);
    await later;
    expect(await db.selectFrom('t').select('n').execute()).toEqual([{ n: 2 }]);
  });

  it('reuses a prepared statement for the same SQL', async () => {
    const sqlite = new BetterSqlite3(':memory:');
    let prepared = 0;
    const prepare = sqlite.prepare.bind(sqlite);
    sqlite.prepare = ((source: string) => {
      prepared++;
      return prepare(source);
    }) as typeof sqlite.prepare;
    const counting = new Kysely<Db>({ dialect: sqliteDialect(sqlite) });
    await sql`create table t (n integer not null)`.execute(counting);
    for (let n = 0; n < 5; n++) await counting.insertInto('t').values({ n }).execute();
    expect(prepared).toBe(2);
    await counting.destroy();
  });
});
