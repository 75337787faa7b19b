import type { Migration } from 'kysely';
import { initial } from './0001_initial';
import { fullText } from './0002_full_text';
import { searchTerms } from './0003_search_terms';
import { arxivCategories } from './0004_arxiv_categories';
import { installations } from './0005_installations';
import { threads } from './0006_threads';
import { engineSearch } from './0007_engine_search';
import { replays } from './0008_replays';
import { sending } from './0008_sending';
import { weeklyPosts } from './0009_a_weekly_posts';
import { follows } from './0009_b_follows';
import { personalFeeds } from './0009_c_personal_feeds';
import { paperTermsByWriter } from './0019_a_paper_terms_by_writer';
import { threadOwners } from './0021_a_thread_owners';
import { dmChannels } from './0022_a_dm_channels';
import { storedOrder } from './0023_a_stored_order';
import { titleIndex } from './0024_a_title_index';
import { sessionPendingList } from './0025_a_session_pending_list';
import { paperLists } from './0026_a_paper_lists';

/**
 * The versioned schema, one list for both dialects, one file per migration. Names start with their
 * version number and sort in order; a migration, once released, is never edited (add a new one
 * instead), and none may drop data. Migrations take Kysely<any> so they keep compiling as
 * tables.ts moves on, and import nothing but kysely and Node's built-ins, so they keep doing what
 * they did however the application changes (test/store/migrations.test.ts checks).
 */
export const MIGRATIONS: Record<string, Migration> = {
  '0001_initial': initial,
  // Full-text index over title, abstract and keywords for search, similar and for-you (src/search).
  '0002_full_text': fullText,
  // Per-paper term counts and write revisions for the in-process search index; drops 0002's index.
  '0003_search_terms': searchTerms,
  // arXiv per channel: each paper's categories, each subscription's wanted categories, and an index
  // for the arXiv papers of a digest's window (found by publication date; they have no list date).
  '0004_arxiv_categories': arxivCategories,
  // Platform installations (Slack OAuth tokens) move from meta to a table of their own.
  '0005_installations': installations,
  // Discussion threads (one claim per message), and the subscriptions' threads and publish settings.
  '0006_threads': threads,
  // Search on each database's own engine (SQLite FTS5, PostgreSQL tsvector + GIN, a lexeme table);
  // drops 0003's term counts, which only the in-process index read.
  '0007_engine_search': engineSearch,
  // Signed requests already seen (Slack, Discord HTTP interactions): a replay is refused by every replica.
  '0008_replays': replays,
  // The message each delivery is about to send, so a resume checks the channel for that one only.
  '0008_sending': sending,
  // How often a channel posts: every day, every weekday, or once a week on a chosen day.
  '0009_a_weekly_posts': weeklyPosts,
  // What each person follows for their personal feed.
  '0009_b_follows': follows,
  // Each person's digest and alerts settings, and every paper sent to them.
  '0009_c_personal_feeds': personalFeeds,
  // PostgreSQL's paper_terms counted once per paper write instead of by triggers per statement.
  '0019_a_paper_terms_by_writer': paperTermsByWriter,
  // Who holds each thread claim, so a dead process's claim is taken over at once.
  '0021_a_thread_owners': threadOwners,
  // Each person's DM conversation, kept once opened.
  '0022_a_dm_channels': dmChannels,
  // PostgreSQL numbers papers in stored order and indexes their buckets, so search reads the newest matches only.
  '0023_a_stored_order': storedOrder,
  // SQLite indexes titles alone too, for search's title matches.
  '0024_a_title_index': titleIndex,
  // PostgreSQL's search index takes its pending-list limit from the writing transaction, so a large import fills it in bulk.
  '0025_a_session_pending_list': sessionPendingList,
  // Each post lists its papers in its own row: recording an answer writes one row, not six.
  '0026_a_paper_lists': paperLists,
};
