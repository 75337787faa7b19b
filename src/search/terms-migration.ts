import { sql, type Kysely, type Migration } from 'kysely';
import { encodeTerms } from './document';
import { isPostgres } from './fulltext';

const BACKFILL_PAGE = 1_000;

/**
 * Migration 0003: each paper's term counts (`search_terms`, see src/search/document) and the
 * revision of the write that set them (`search_revision`), from which every process builds and
 * refreshes its in-memory index (src/search/index-sync). Drops 0002's database full-text index,
 * which nothing reads any more and which slowed every insert.
 */
export const searchTermsMigration: Migration = {
  async up(db: Kysely<any>) {
    if (isPostgres(db)) {
      await sql`drop index papers_search_vector`.execute(db);
      await sql`alter table papers drop column search_vector`.execute(db);
    } else {
      for (const trigger of ['papers_fts_insert', 'papers_fts_delete', 'papers_fts_update']) await sql`drop trigger ${sql.ref(trigger)}`.execute(db);
      await sql`drop table papers_fts`.execute(db);
    }
    await db.schema.alterTable('papers').addColumn('search_terms', 'text').execute();
    await db.schema.alterTable('papers').addColumn('search_revision', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.createIndex('papers_search_revision').on('papers').columns(['search_revision', 'id']).execute();

    // Papers already stored get their terms now, all as revision 1.
    let after = '';
    for (;;) {
      const page = await db.selectFrom('papers').select(['id', 'title', 'summary', 'keywords']).where('id', '>', after).orderBy('id').limit(BACKFILL_PAGE).execute();
      for (const p of page) {
        const terms = encodeTerms({ title: p.title, summary: p.summary, keywords: JSON.parse(p.keywords) as string[] });
        await db.updateTable('papers').set({ search_terms: terms, search_revision: 1 }).where('id', '=', p.id).execute();
      }
      if (page.length < BACKFILL_PAGE) return;
      after = page[page.length - 1]!.id;
    }
  },
};
