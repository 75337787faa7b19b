import { sql } from 'kysely';
import type { Paper } from '../../model/paper';
import { chunks, INSERT_CHUNK, type Executor, type StoreDb } from '../db';
import { mergeSeenPaper, paperColumns, paperFromRow, paperToRow } from '../rows';
import type { PaperRepository, PaperUpsertResult } from '../types';
import { bumpCounter, readCounter } from './meta';
import { countPostgresTerms, countSqliteTerms } from './search';

/** The meta row counting paper writes (PaperRepository.revision). */
const PAPERS_REVISION_KEY = 'papers_revision';

/**
 * PostgreSQL's search index (migration 0023) gathers new entries in a pending list, which every
 * search reads whole, and merges it into the index when it passes the writer's limit (migration
 * 0025). The day's writes keep it at 256 kB. A write of this many papers with new text fills it up
 * to 64 MB and merges it once at its end: merged every 256 kB, the index took a third of a large
 * import (20,000 papers: 12.4 s, and 8.8 s so; 100,000: 67.5 s, and 44.4 s).
 */
const BULK_INDEX_PAPERS = 1_000;
const PENDING_KB = '256';
export const BULK_PENDING_KB = '65536';
export const SEARCH_INDEX = 'papers_search_stored';

/**
 * Sets this write's pending-list limit; `merge` then merges what a bulk write gathered, before
 * commit, so no search reads it. Only the index's owner may merge (PostgreSQL): another role writes
 * a large import with the day's limit, so it leaves no large list behind until autovacuum.
 */
async function pendingList(tx: Executor, newTexts: number): Promise<{ merge(): Promise<void> }> {
  const mayMerge = async () => {
    const { rows } = await sql<{ owns: boolean }>`
      select pg_has_role(relowner, 'MEMBER') as owns from pg_class where oid = cast(${SEARCH_INDEX} as regclass)`.execute(tx);
    return rows[0]?.owns === true;
  };
  const bulk = newTexts >= BULK_INDEX_PAPERS && (await mayMerge());
  await sql`select set_config('gin_pending_list_limit', ${bulk ? BULK_PENDING_KB : PENDING_KB}, true)`.execute(tx);
  return {
    async merge() {
      if (bulk) await sql`select gin_clean_pending_list(cast(${SEARCH_INDEX} as regclass))`.execute(tx);
    },
  };
}

export function paperRepository(db: StoreDb): PaperRepository {
  const { kysely } = db;
  return {
    /**
     * Folds the batch in memory as if each paper were written in turn, then writes in bulk: one
     * insert per few hundred new papers, one update per changed paper. Paper writers go one at a time
     * (BEGIN IMMEDIATE on SQLite, a table lock on Postgres), which makes read-then-insert safe across
     * replicas. The full-text engines follow every write (migration 0007); paper_terms is counted here.
     */
    async upsert(papers, seenAt) {
      const result: PaperUpsertResult = { inserted: 0, updated: 0, unchanged: 0 };
      if (papers.length === 0) return result;
      return db.write(async (tx) => {
        if (db.dialect === 'postgres') await sql`lock table papers in share row exclusive mode`.execute(tx);
        const stored = new Map<string, Paper>();
        for (const ids of chunks([...new Set(papers.map((p) => p.id))])) {
          const rows = await tx.selectFrom('papers').select(paperColumns).where('id', 'in', ids).execute();
          for (const row of rows) stored.set(row.id, paperFromRow(row));
        }
        const fresh = new Map<string, Paper>();
        const changed = new Map<string, Paper>();
        for (const seen of papers) {
          const old = fresh.get(seen.id) ?? changed.get(seen.id) ?? stored.get(seen.id);
          if (!old) {
            fresh.set(seen.id, seen);
            result.inserted++;
            continue;
          }
          const merged = mergeSeenPaper(old, seen);
          if (samePaper(merged, old)) {
            result.unchanged++;
            continue;
          }
          (fresh.has(seen.id) ? fresh : changed).set(seen.id, merged);
          result.updated++;
        }

        const retexted = [...changed.values()].filter((p) => !sameText(p, stored.get(p.id)!));
        if (db.dialect === 'postgres')
          await countPostgresTerms(
            tx,
            retexted.map((p) => p.id),
            -1,
            0,
          );
        const searchIndex = db.dialect === 'postgres' ? await pendingList(tx, fresh.size + retexted.length) : null;
        for (const batch of chunks([...fresh.values()], INSERT_CHUNK)) {
          await tx
            .insertInto('papers')
            .values(batch.map((p) => paperToRow(p, seenAt)))
            .execute();
        }
        for (const paper of changed.values()) {
          const { first_seen_at: _keep, ...row } = paperToRow(paper, seenAt);
          await tx.updateTable('papers').set(row).where('id', '=', paper.id).execute();
        }
        await searchIndex?.merge();
        // paper_terms follows the text written: the papers added count their terms, those re-texted
        // count their new terms and, above, no longer their old ones.
        if (db.dialect === 'postgres') await countPostgresTerms(tx, [...fresh.keys(), ...retexted.map((p) => p.id)], 1, fresh.size);
        else
          await countSqliteTerms(
            tx,
            [...fresh.values(), ...retexted],
            retexted.map((p) => stored.get(p.id)!),
            fresh.size,
          );
        // Counted in the same transaction, so a reader never sees new papers with an old revision.
        if (fresh.size + changed.size > 0) await bumpCounter(tx, PAPERS_REVISION_KEY);
        const sightings = new Map(papers.map((p) => [`${p.source} ${p.id}`, { paper_id: p.id, source: p.source, first_seen_at: seenAt.toISOString() }]));
        for (const batch of chunks([...sightings.values()])) {
          await tx
            .insertInto('paper_sightings')
            .values(batch)
            .onConflict((oc) => oc.columns(['paper_id', 'source']).doNothing())
            .execute();
        }
        return result;
      });
    },

    async get(id) {
      const row = await kysely.selectFrom('papers').select(paperColumns).where('id', '=', id).executeTakeFirst();
      return row ? paperFromRow(row) : null;
    },

    async getMany(ids) {
      const found = new Map<string, Paper>();
      for (const chunk of chunks(ids)) {
        const rows = await kysely.selectFrom('papers').select(paperColumns).where('id', 'in', chunk).execute();
        for (const row of rows) found.set(row.id, paperFromRow(row));
      }
      // In the order asked for, so callers can keep a ranking.
      return ids.flatMap((id) => found.get(id) ?? []);
    },

    async latestListDate(onOrBefore) {
      let q = kysely
        .selectFrom('papers')
        .select((eb) => eb.fn.max('listed_on').as('latest'))
        .where('listed_on', 'is not', null)
        // arXiv's RSS gives its papers the feed's day: a day seen only there is no Daily Papers list.
        .where('source', '!=', 'arxiv');
      if (onOrBefore) q = q.where('listed_on', '<=', onOrBefore);
      const row = await q.executeTakeFirst();
      return row?.latest ?? null;
    },

    async listedBetween(from, to) {
      const rows = await kysely
        .selectFrom('papers')
        .select(paperColumns)
        .where('listed_on', '>=', from)
        .where('listed_on', '<=', to)
        .orderBy('listed_on', 'desc')
        .orderBy('upvotes', 'desc')
        .orderBy('id')
        .execute();
      return rows.map(paperFromRow);
    },

    /**
     * The window's papers that name categories, narrowed to the wanted ones here rather than in SQL:
     * matching inside the JSON list would take a different function on each dialect, and a two-day
     * window holds few papers.
     */
    async inCategories(categories, from, to) {
      if (categories.length === 0) return [];
      const rows = await kysely
        .selectFrom('papers')
        .select(paperColumns)
        .where('categories', 'is not', null)
        .where((eb) =>
          eb.or([eb.and([eb('published_at', '>=', from), eb('published_at', '<=', to)]), eb.and([eb('listed_on', '>=', from), eb('listed_on', '<=', to)])]),
        )
        .orderBy('published_at', 'desc')
        .orderBy('id')
        .execute();
      const wanted = new Set(categories);
      return rows.map(paperFromRow).filter((p) => p.categories?.some((c) => wanted.has(c)));
    },

    async count() {
      const row = await kysely
        .selectFrom('papers')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      // PostgreSQL returns count(*) as a bigint string.
      return Number(row.n);
    },

    revision: () => readCounter(kysely, PAPERS_REVISION_KEY),
  };
}

/** Same stored content (the row without its timestamps), whatever the key order of the objects. */
function samePaper(a: Paper, b: Paper): boolean {
  const epoch = new Date(0);
  return JSON.stringify(paperToRow(a, epoch)) === JSON.stringify(paperToRow(b, epoch));
}

/** Whether the text the full-text engine indexes is the same. */
function sameText(a: Paper, b: Paper): boolean {
  return a.title === b.title && a.summary === b.summary && a.aiSummary === b.aiSummary && a.keywords.join('\n') === b.keywords.join('\n');
}
