import type { Kysely, Migration } from 'kysely';

/**
 * Migration 0009 (b): what each person follows (words, an author, an organization, an arXiv
 * category) for their personal feed. `key` is the follow as matching compares it (folded words, or
 * the category), so the same follow typed twice is stored once; `value` is as it was typed.
 */
export const follows: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('follows')
      .addColumn('platform', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('follows_pk', ['platform', 'user_id', 'kind', 'key'])
      .execute();
  },
};
