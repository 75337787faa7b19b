import type { Paper } from '../model/paper';
import type { Platform } from '../chat/command';
import type { Store } from '../store/types';
import { paperTerms, storeStats } from './document';
import { byScoreThenId, cosine, tfidfVector, type Vector } from './tfidf';

/** Popularity only breaks near-ties: a paper like your bookmarks beats a merely popular one. */
const POPULARITY_WEIGHT = 0.02;

export interface ForYouItem {
  paper: Paper;
  score: number;
  /** The bookmarked paper it is most like, or null when it is like none of them. */
  like: Paper | null;
}

export interface ForYou {
  bookmarkCount: number;
  /** The Daily Papers list ranked, or null when the store has none. */
  listDate: string | null;
  items: ForYouItem[];
}

/** The bookmark a vector is closest to; ties go to the earlier bookmark. */
function nearest(vec: Vector, liked: { paper: Paper; vec: Vector }[]): { like: Paper | null; similarity: number } {
  let best: { like: Paper | null; similarity: number } = { like: null, similarity: 0 };
  for (const l of liked) {
    const similarity = cosine(vec, l.vec);
    if (similarity > best.similarity) best = { like: l.paper, similarity };
  }
  return best;
}

/**
 * `/papers foryou`: the most recent Daily Papers list ranked by likeness to the caller's bookmarks
 * (best tf-idf cosine to any one of them, word weights from the whole store's engine statistics),
 * leaving out what they already bookmarked. Reads the bookmarks and that one list, nothing more.
 */
export async function forYou(
  store: Pick<Store, 'bookmarks' | 'papers' | 'search'>,
  who: { platform: Platform; userId: string },
  opts: { now: Date; limit: number },
): Promise<ForYou> {
  const bookmarks = (await store.bookmarks.list(who.platform, who.userId)).map((b) => b.paper);
  const listDate = await store.papers.latestListDate(opts.now.toISOString().slice(0, 10));
  if (bookmarks.length === 0 || !listDate) return { bookmarkCount: bookmarks.length, listDate, items: [] };

  const bookmarked = new Set(bookmarks.map((p) => p.id));
  const candidates = (await store.papers.listedBetween(listDate, listDate)).filter((p) => !bookmarked.has(p.id));
  const stats = await storeStats(store.search, [...bookmarks, ...candidates]);
  const liked = bookmarks.map((paper) => ({ paper, vec: tfidfVector(paperTerms(paper), stats) }));
  const maxUpvotes = Math.max(1, ...candidates.map((p) => p.upvotes));

  const items = candidates
    .map((paper) => {
      const { like, similarity } = nearest(tfidfVector(paperTerms(paper), stats), liked);
      const popularity = Math.log1p(paper.upvotes) / Math.log1p(maxUpvotes);
      return { id: paper.id, paper, like, score: similarity + POPULARITY_WEIGHT * popularity };
    })
    .sort(byScoreThenId)
    .slice(0, opts.limit)
    .map(({ paper, like, score }) => ({ paper, like, score }));
  return { bookmarkCount: bookmarks.length, listDate, items };
}
