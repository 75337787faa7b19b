import { PostgresAdapter, sql, type Kysely, type Migration } from 'kysely';

/**
 * Migration 0023 (a): on PostgreSQL, search reads the matches among the most recently stored papers
 * only, as SQLite reads the newest rowids. GIN hands matches over unordered, so finding the newest
 * 1,000 of half a million matches read every one, or walked the date index through every paper.
 *
 * `seq` numbers papers in the order they are stored, as SQLite's rowid does; the papers stored
 * before are numbered by publication date, the order search ranked them in. The GIN index holds,
 * with each paper's lexemes, the bucket of consecutive numbers it falls in for each of four sizes
 * ('4096 244' is seq 999,424 to 1,003,519): a query ANDed with the newest buckets reads only their
 * matches. No query word can be such a lexeme, which has a space. The index replaces 0007's, so a
 * write still updates one GIN index. Queries must write the indexed expression exactly so
 * (src/store/repositories/search.ts). There is no btree on `seq`: walking it back to find a rare
 * word's newest matches would read every paper.
 * SQLite has nothing to change.
 */
export const storedOrder: Migration = {
  async up(db: Kysely<any>) {
    if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
    // Dropped first: numbering writes every row, which would otherwise update it too.
    await sql`drop index papers_search_vector`.execute(db);
    // Never null, even in the rows' old versions, which this transaction's index build still reads.
    await sql`alter table papers add column seq bigint not null default 0`.execute(db);
    await sql`update papers set seq = o.n
      from (select id, row_number() over (order by published_at, id) as n from papers) o where papers.id = o.id`.execute(db);
    await sql`alter table papers alter column seq drop default`.execute(db);
    await sql`alter table papers alter column seq add generated always as identity`.execute(db);
    await sql`select setval(pg_get_serial_sequence('papers', 'seq'), max(seq)) from papers`.execute(db);
    // New entries wait in the index's pending list, which every search reads whole: 4 MB by
    // default, most of a query's time at 1,000,000 papers after a bulk insert; 256 kB here.
    await sql`create index papers_search_stored on papers using gin ((search_vector || array_to_tsvector(array[
      '4096 ' || (seq / 4096), '16384 ' || (seq / 16384), '65536 ' || (seq / 65536), '262144 ' || (seq / 262144)])))
      with (gin_pending_list_limit = 256)`.execute(db);
    // The planner estimates how common a query's words are from the indexed expression's statistics.
    await sql`analyze papers`.execute(db);
  },
};
