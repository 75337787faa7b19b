import { Kysely } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SchemaPostgresDialect } from '../../src/store/postgres-dialect';
import { freshSchemaName, storeKinds, testDatabaseUrl } from '../helpers/stores';

// kysely's own introspection reads every schema, and fails when another one is dropped meanwhile;
// the store's sees its own schema only, so the Migrator never trips over a neighbour.
describe.runIf(storeKinds.includes('postgres'))('PostgreSQL introspection scoped to the store schema', () => {
  const mine = freshSchemaName();
  const neighbour = freshSchemaName();
  const admin = new pg.Pool({ connectionString: testDatabaseUrl, max: 1 });
  let db: Kysely<unknown>;

  beforeAll(async () => {
    await admin.query(`create schema "${mine}"; create table "${mine}".papers (id text primary key, n serial, note text)`);
    await admin.query(`create schema "${neighbour}"; create table "${neighbour}".kysely_migration (name text)`);
    db = new Kysely({ dialect: new SchemaPostgresDialect({ pool: new pg.Pool({ connectionString: testDatabaseUrl }) }, mine) });
  });

  afterAll(async () => {
    await db.destroy();
    await admin.query(`drop schema "${mine}" cascade; drop schema if exists "${neighbour}" cascade`);
    await admin.end();
  });

  it("lists the tables and columns of its own schema, and none of another schema's", async () => {
    const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
    expect(tables.map((t) => [t.schema, t.name])).toEqual([[mine, 'papers']]);
    expect(tables[0]!.columns.map((c) => [c.name, c.isNullable, c.isAutoIncrementing])).toEqual([
      ['id', false, false],
      ['n', false, true],
      ['note', true, false],
    ]);
  });
});
