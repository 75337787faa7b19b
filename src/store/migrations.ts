import { Migrator, type Kysely, type Migration } from 'kysely';
import { ConfigError } from '../errors';
import { fullTextMigration } from '../search/fulltext';
import { searchTermsMigration } from '../search/terms-migration';

/**
 * The versioned schema, one list for both dialects. Names start with their version number and
 * sort in order; a migration, once released, is never edited (add a new one instead), and none
 * may drop data. Migrations take Kysely<any> so they keep compiling as tables.ts moves on.
 */
const MIGRATIONS: Record<string, Migration> = {
  '0001_initial': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('papers')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('arxiv_id', 'text')
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('summary', 'text', (c) => c.notNull())
        .addColumn('ai_summary', 'text')
        .addColumn('authors', 'text', (c) => c.notNull())
        .addColumn('author_count', 'integer')
        .addColumn('organization', 'text')
        .addColumn('published_at', 'text', (c) => c.notNull())
        .addColumn('listed_on', 'text')
        .addColumn('upvotes', 'integer', (c) => c.notNull())
        .addColumn('url', 'text')
        .addColumn('pdf_url', 'text')
        .addColumn('github_url', 'text')
        .addColumn('keywords', 'text', (c) => c.notNull())
        .addColumn('thumbnail_url', 'text')
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('first_seen_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('papers_listed_on').on('papers').column('listed_on').execute();

      await db.schema
        .createTable('paper_sightings')
        .addColumn('paper_id', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('first_seen_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('paper_sightings_pk', ['paper_id', 'source'])
        .execute();

      await db.schema
        .createTable('subscriptions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('platform', 'text', (c) => c.notNull())
        .addColumn('workspace_id', 'text')
        .addColumn('channel_id', 'text', (c) => c.notNull())
        .addColumn('time', 'text', (c) => c.notNull())
        .addColumn('timezone', 'text', (c) => c.notNull())
        .addColumn('top', 'integer', (c) => c.notNull())
        .addColumn('topics', 'text', (c) => c.notNull())
        .addColumn('min_upvotes', 'integer', (c) => c.notNull())
        .addColumn('rank', 'text', (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('origin', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_error', 'text')
        .addColumn('disabled_reason', 'text')
        .execute();

      await db.schema
        .createTable('posts')
        .addColumn('platform', 'text', (c) => c.notNull())
        .addColumn('channel_id', 'text', (c) => c.notNull())
        .addColumn('message_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('delivery_id', 'text')
        .addColumn('posted_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('posts_pk', ['platform', 'channel_id', 'message_id'])
        .execute();
      await db.schema.createIndex('posts_delivery').on('posts').column('delivery_id').execute();
      await db.schema.createIndex('posts_channel_time').on('posts').columns(['platform', 'channel_id', 'posted_at']).execute();

      await db.schema
        .createTable('post_papers')
        .addColumn('platform', 'text', (c) => c.notNull())
        .addColumn('channel_id', 'text', (c) => c.notNull())
        .addColumn('message_id', 'text', (c) => c.notNull())
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('paper_id', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('post_papers_pk', ['platform', 'channel_id', 'message_id', 'position'])
        .execute();

      await db.schema
        .createTable('bookmarks')
        .addColumn('platform', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('paper_id', 'text', (c) => c.notNull())
        .addColumn('message_id', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('bookmarks_pk', ['platform', 'user_id', 'paper_id'])
        .execute();

      await db.schema
        .createTable('deliveries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('subscription_id', 'text', (c) => c.notNull())
        .addColumn('date', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('last_error', 'text')
        .addColumn('owner_host', 'text')
        .addColumn('owner_pid', 'integer')
        .addColumn('heartbeat_at', 'text')
        .addColumn('plan', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('deliveries_subscription_date', ['subscription_id', 'date'])
        .execute();

      await db.schema
        .createTable('meta')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
    },
  },
  // Full-text index over title, abstract and keywords for search, similar and for-you (src/search).
  '0002_full_text': fullTextMigration,
  // Per-paper term counts and write revisions for the in-process search index; drops 0002's index.
  '0003_search_terms': searchTermsMigration,
  // arXiv per channel: each paper's categories, each subscription's wanted categories, and an index
  // for the arXiv papers of a digest's window (found by publication date; they have no list date).
  '0004_arxiv_categories': {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('papers').addColumn('categories', 'text').execute();
      await db.schema.alterTable('subscriptions').addColumn('arxiv', 'text', (c) => c.notNull().defaultTo('[]')).execute();
      await db.schema.createIndex('papers_published_at').on('papers').column('published_at').execute();
    },
  },
};

const MIGRATION_TABLE = 'kysely_migration';

export function versionOf(name: string): number {
  return Number(name.slice(0, name.indexOf('_')));
}

const known = Object.keys(MIGRATIONS).sort();
export const CODE_VERSION = versionOf(known[known.length - 1]!);

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
export async function migrateToLatest(db: Kysely<any>, schema: string | undefined): Promise<{ from: number; to: number }> {
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
    // Named explicitly on PostgreSQL: kysely otherwise looks for its table in every schema.
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`migration ${failed ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { from, to: CODE_VERSION };
}
