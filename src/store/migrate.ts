import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Migrator, type Kysely } from 'kysely';
import { ConfigError } from '../errors';
import { MIGRATIONS } from './migrations/index';

const MIGRATION_TABLE = 'kysely_migration';

export function versionOf(name: string): number {
  return Number(name.slice(0, name.indexOf('_')));
}

const known = Object.keys(MIGRATIONS).sort();
export const CODE_VERSION = versionOf(known[known.length - 1]!);

/**
 * The diagnostics channel a long migration publishes its progress on, as `{ done, total, unit }`:
 * migrations import nothing but kysely and Node's built-ins, so they cannot take a callback from here.
 */
export const MIGRATION_PROGRESS_CHANNEL = 'papers-bot:migration-progress';

/** How far a running migration has got: `done` of `total` units (papers, steps). */
export interface MigrationWork {
  done: number;
  total: number;
  unit: string;
}

/**
 * A migration starting (done false), part way (done false, with `work`, for the long ones that say)
 * or ended (done true, after ms), the index-th of total pending.
 */
export interface MigrationStep {
  name: string;
  index: number;
  total: number;
  done: boolean;
  ms?: number;
  work?: MigrationWork;
}

/** Names of the migrations the database says it has run; empty for a fresh database. */
async function appliedMigrations(db: Kysely<any>, schema: string | undefined): Promise<string[]> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
  if (!tables.some((t) => t.name === MIGRATION_TABLE && (schema === undefined || t.schema === schema))) return [];
  const scoped = schema === undefined ? db : db.withSchema(schema);
  const rows = await scoped.selectFrom(MIGRATION_TABLE).select('name').execute();
  return rows.map((r) => String(r.name)).sort();
}

/**
 * Brings the database to CODE_VERSION. Refuses, with a ConfigError naming both versions, a database
 * that has run a migration this code does not know (it was written by a newer papers-bot).
 * `schema` is the PostgreSQL schema to keep the migration table in (undefined on SQLite).
 */
export async function migrateToLatest(
  db: Kysely<any>,
  schema: string | undefined,
  onStep?: (step: MigrationStep) => void,
): Promise<{ from: number; to: number }> {
  const before = await appliedMigrations(db, schema);
  const unknown = before.filter((name) => !(name in MIGRATIONS));
  if (unknown.length > 0) {
    const dbVersion = Math.max(...before.map(versionOf));
    throw new ConfigError(
      `the database is at schema version ${dbVersion} (${unknown.join(', ')}) but this papers-bot only knows up to version ${CODE_VERSION}: upgrade papers-bot`,
    );
  }
  const from = before.length === 0 ? 0 : Math.max(...before.map(versionOf));
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => MIGRATIONS },
    // Migrations are numbered per change, and changes land in any order: a database that has run
    // 0009 runs a 0008 that arrived later. None depends on another's tables beyond 0001's.
    allowUnorderedMigrations: true,
    // Named explicitly on PostgreSQL: kysely otherwise looks for its table in every schema.
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
  // One at a time, so a long one (0007 indexes every paper) can be reported as it starts and ends.
  const pending = (await migrator.getMigrations()).filter((m) => m.executedAt === undefined).map((m) => m.name);
  for (const [i, name] of pending.entries()) {
    onStep?.({ name, index: i + 1, total: pending.length, done: false });
    const started = performance.now();
    const onWork = (work: unknown) => onStep?.({ name, index: i + 1, total: pending.length, done: false, work: work as MigrationWork });
    subscribe(MIGRATION_PROGRESS_CHANNEL, onWork);
    const { error, results } = await migrator.migrateUp().finally(() => unsubscribe(MIGRATION_PROGRESS_CHANNEL, onWork));
    if (error) {
      const failed = results?.find((r) => r.status === 'Error')?.migrationName;
      // Known, so the operator sees one line without "unexpected": the database, not the code, needs correcting.
      throw new ConfigError(`migration ${failed ?? name} failed, and none after it ran: ${error instanceof Error ? error.message : String(error)}`);
    }
    onStep?.({ name, index: i + 1, total: pending.length, done: true, ms: performance.now() - started });
  }
  return { from, to: CODE_VERSION };
}
