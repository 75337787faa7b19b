import { PostgresAdapter, sql, type Kysely, type Migration } from 'kysely';

const BACKFILL_PAGE = 1_000;

/**
 * Migration 0003 as released: each paper's term counts (`search_terms`, see src/search/document)
 * and the revision of the write that set them (`search_revision`), from which every process builds
 * and refreshes its in-memory index (src/search/index-sync). Drops 0002's database full-text index,
 * which nothing reads any more and which slowed every insert.
 */
export const searchTerms: Migration = {
  async up(db: Kysely<any>) {
    if (db.getExecutor().adapter instanceof PostgresAdapter) {
      await sql`drop index papers_search_vector`.execute(db);
      await sql`alter table papers drop column search_vector`.execute(db);
    } else {
      for (const trigger of ['papers_fts_insert', 'papers_fts_delete', 'papers_fts_update']) await sql`drop trigger ${sql.ref(trigger)}`.execute(db);
      await sql`drop table papers_fts`.execute(db);
    }
    await db.schema.alterTable('papers').addColumn('search_terms', 'text').execute();
    await db.schema
      .alterTable('papers')
      .addColumn('search_revision', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.createIndex('papers_search_revision').on('papers').columns(['search_revision', 'id']).execute();

    // Papers already stored get their terms now, all as revision 1.
    const stems = new Map<string, string>();
    let after = '';
    for (;;) {
      const page = await db
        .selectFrom('papers')
        .select(['id', 'title', 'summary', 'keywords'])
        .where('id', '>', after)
        .orderBy('id')
        .limit(BACKFILL_PAGE)
        .execute();
      for (const p of page) {
        const terms = encodeTerms({ title: p.title, summary: p.summary, keywords: JSON.parse(p.keywords) as string[] }, stems);
        await db.updateTable('papers').set({ search_terms: terms, search_revision: 1 }).where('id', '=', p.id).execute();
      }
      if (page.length < BACKFILL_PAGE) return;
      after = page[page.length - 1]!.id;
    }
  },
};

// The tokenizer (src/search/text) and term encoding (src/search/document) as of this release,
// frozen here so the migration keeps doing what it did however those change later. Only the stem
// cache differs: it lives for one run of the migration instead of the process.

/** A run of letters, combining marks and digits in any script. */
const WORD = /[\p{L}\p{M}\p{N}]+/gu;

/** Frequent English function words that say nothing about a paper's topic. */
const STOPWORDS = new Set(
  `a an and are as at be been but by can do does for from had has have how i if in into is it its
  no not of on or our so such than that the their them then there these they this those to via was
  we were what when where which while who why will with without you your us also about over under`
    .split(/\s+/)
    .filter(Boolean),
);

/** Longest first. Each is stripped only when at least MIN_STEM characters remain. */
const SUFFIXES = [
  'ational',
  'ations',
  'ation',
  'ional',
  'ments',
  'ment',
  'ings',
  'ing',
  'ions',
  'ion',
  'ives',
  'ive',
  'ers',
  'er',
  'ies',
  'ied',
  'es',
  'ed',
  'ly',
  's',
  'e',
  'y',
];
const MIN_STEM = 3;
/** Longer tokens are cut to this length. */
const MAX_WORD = 40;

/** A conservative suffix strip that keeps the stem a prefix of the word. */
function stem(word: string): string {
  if (!/^[a-z]+$/.test(word)) return word;
  for (const suffix of SUFFIXES) {
    if (!word.endsWith(suffix) || word.length - suffix.length < MIN_STEM) continue;
    // "process", "corpus", "analysis", "speed": a final s or ed that is part of the word itself.
    if (suffix === 's' && /(ss|us|is)$/.test(word)) continue;
    if (suffix === 'ed' && word.endsWith('eed')) continue;
    return word.slice(0, -suffix.length);
  }
  return word;
}

/** The index terms of a text: lowercased words without stopwords or single letters, stemmed, in text order. */
function tokenize(text: string, stems: Map<string, string>): string[] {
  const out: string[] = [];
  for (const raw of text.normalize('NFKC').toLowerCase().match(WORD) ?? []) {
    const word = raw.slice(0, MAX_WORD);
    if (STOPWORDS.has(word) || (word.length === 1 && !/\d/.test(word))) continue;
    let stemmed = stems.get(word);
    if (stemmed === undefined) stems.set(word, (stemmed = stem(word)));
    out.push(stemmed);
  }
  return out;
}

/** `term:count` pairs, space-separated, in first-appearance order of title (twice), keywords, abstract. */
function encodeTerms(paper: { title: string; summary: string; keywords: string[] }, stems: Map<string, string>): string {
  const title = tokenize(paper.title, stems);
  const terms = [...title, ...title, ...tokenize(paper.keywords.join(' '), stems), ...tokenize(paper.summary, stems)];
  const counts = new Map<string, number>();
  for (const t of terms) counts.set(t, (counts.get(t) ?? 0) + 1);
  return [...counts].map(([term, n]) => `${term}:${n}`).join(' ');
}
