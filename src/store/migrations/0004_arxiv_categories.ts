import type { Kysely, Migration } from 'kysely';

/**
 * Migration 0004 as released: arXiv per channel. Each paper's categories, each subscription's
 * wanted categories, and an index for the arXiv papers of a digest's window (found by publication
 * date; they have no list date).
 */
export const arxivCategories: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('papers').addColumn('categories', 'text').execute();
    await db.schema
      .alterTable('subscriptions')
      .addColumn('arxiv', 'text', (c) => c.notNull().defaultTo('[]'))
      .execute();
    await db.schema.createIndex('papers_published_at').on('papers').column('published_at').execute();
  },
};
