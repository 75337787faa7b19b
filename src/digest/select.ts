import type { Store, SubscriptionSettings } from '../store/types';
import type { Paper, RankedPaper } from '../model/paper';
import { rankWithExclusions } from '../rank/rank';

export interface DigestSelection {
  /** The Daily Papers list the digest comes from (the most recent non-empty one), or null if none. */
  listDate: string | null;
  ranked: RankedPaper[];
  /** Papers of that list left out, and why (already posted, below min upvotes, excluded topic). */
  excluded: { paper: Paper; why: string }[];
}

/**
 * What a channel gets: the most recent non-empty daily list on or before `onOrBefore`, ranked with
 * the channel's settings. Shared by `/papers today` and the daily post, so both show the same.
 */
export async function selectDigest(
  store: Store,
  settings: Pick<SubscriptionSettings, 'top' | 'topics' | 'minUpvotes'>,
  opts: { now: Date; onOrBefore?: string; skipIds?: Set<string> },
): Promise<DigestSelection> {
  const listDate = await store.latestListDate(opts.onOrBefore);
  if (!listDate) return { listDate: null, ranked: [], excluded: [] };
  const papers = await store.papersListedBetween(listDate, listDate);
  const { ranked, excluded } = rankWithExclusions(papers, {
    now: opts.now,
    topics: settings.topics,
    minUpvotes: settings.minUpvotes,
    limit: settings.top,
    skipIds: opts.skipIds,
  });
  return { listDate, ranked, excluded };
}
