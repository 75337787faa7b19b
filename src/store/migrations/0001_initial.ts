import type { Kysely, Migration } from 'kysely';

/** Migration 0001 as released: every table of the first version. */
export const initial: Migration = {
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
};
