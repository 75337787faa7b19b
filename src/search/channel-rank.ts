import type { Paper, RankedPaper } from '../model/paper';
import type { Platform } from '../chat/command';
import type { Store } from '../store/types';
import { paperTerms, storeStats } from './document';
import { cosine, tfidfVector, type Vector } from './tfidf';

/**
 * Tf-idf cosine between related abstracts is small in absolute terms (0.1-0.3; unrelated ones sit
 * around 0.02-0.08). Below this a paper is like none of the bookmarks: it gets no "like:" reason,
 * and a day whose best match stays below it does not have its faint matches scaled up to count.
 */
const RELATED = 0.1;

/**
 * The `channel` ranking: the list as `balanced` ranks it (upvotes, recency, topics), blended in
 * equal parts with likeness to the papers people bookmarked from this channel's messages. Both
 * parts are relative to the day's best: popularity is the balanced score on a log scale (votes
 * count, with diminishing returns), likeness the best cosine to any bookmark. Equal blends keep
 * the balanced order. A channel without bookmarks gets the balanced list. Word weights come from
 * the whole store's engine statistics.
 */
export async function rankForChannel(
  store: Pick<Store, 'bookmarks' | 'search'>,
  channel: { platform: Platform; channelId: string },
  balanced: RankedPaper[],
): Promise<RankedPaper[]> {
  const bookmarked = await store.bookmarks.channelPapers(channel.platform, channel.channelId);
  if (bookmarked.length === 0 || balanced.length === 0) return balanced;
  const stats = await storeStats(store.search, [...bookmarked, ...balanced.map((r) => r.paper)]);
  const liked = bookmarked.map((paper) => ({ paper, vec: tfidfVector(paperTerms(paper), stats) }));
  const matches = balanced.map((r) => nearest(r.paper, tfidfVector(paperTerms(r.paper), stats), liked));
  const bestScore = Math.log1p(Math.max(...balanced.map((r) => r.score)));
  const bestLikeness = Math.max(RELATED, ...matches.map((m) => m.likeness));

  return balanced
    .map((r, i) => {
      const { like, likeness } = matches[i]!;
      const popularity = bestScore > 0 ? Math.log1p(r.score) / bestScore : 0;
      const score = popularity + likeness / bestLikeness;
      const reason = like && likeness >= RELATED ? `${r.reason} · like: ${like.title}` : r.reason;
      return { ...r, score: Number(score.toPrecision(6)), reason };
    })
    .sort((x, y) => y.score - x.score || x.rank - y.rank)
    .map((r, i) => ({ ...r, rank: i + 1 }));
}

/** The bookmark most like this paper (not the paper itself); ties go to the first by id. */
function nearest(paper: Paper, vec: Vector, liked: { paper: Paper; vec: Vector }[]): { like: Paper | null; likeness: number } {
  let found: { like: Paper | null; likeness: number } = { like: null, likeness: 0 };
  for (const l of liked) {
    if (l.paper.id === paper.id) continue;
    const likeness = cosine(vec, l.vec);
    if (likeness > found.likeness) found = { like: l.paper, likeness };
  }
  return found;
}
