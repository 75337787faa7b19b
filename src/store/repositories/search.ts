import { sql } from 'kysely';
import { SyncedIndex, type IndexCursor, type TermRow } from '../../search/index-sync';
import { searchPapers } from '../../search/search';
import type { StoreDb } from '../db';
import type { PaperRepository, SearchRepository } from '../types';

export function searchRepository(db: StoreDb, papers: PaperRepository): SearchRepository {
  const synced = new SyncedIndex((after, limit) => termsAfter(db, after, limit));
  const index = () => synced.current();
  return {
    /** Ranked by src/search's in-process index, so both dialects agree. */
    async find(query, limit) {
      return (await searchPapers({ search: { index }, papers }, query, limit)).map((hit) => hit.paper);
    },
    index,
  };
}

/** Row-value order on (search_revision, id) walks the index papers_search_revision. */
async function termsAfter(db: StoreDb, after: IndexCursor, limit: number): Promise<TermRow[]> {
  const rows = await db.kysely
    .selectFrom('papers')
    .select(['id', 'search_terms', 'search_revision'])
    .where(sql<boolean>`(search_revision, id) > (${after.revision}, ${after.id})`)
    .orderBy('search_revision')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: r.id, terms: r.search_terms ?? '', revision: Number(r.search_revision) }));
}
