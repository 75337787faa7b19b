import type { Store, Subscription, SubscriptionSettings } from '../store/types';
import type { Paper, RankedPaper } from '../model/paper';
import { rankWithExclusions } from '../rank/rank';
import { rankForChannel } from '../search/channel-rank';

export interface DigestSelection {
  /** The Daily Papers list the digest comes from (the most recent non-empty one), or null if none. */
  listDate: string | null;
  ranked: RankedPaper[];
  /** Papers of that list left out, and why (already posted, below min upvotes, excluded topic). */
  excluded: { paper: Paper; why: string }[];
}

/**
 * The settings a selection follows. `rank` defaults to balanced; `channel` also needs the channel
 * (a stored Subscription carries it) and falls back to balanced without one.
 */
export type DigestSettings = Pick<SubscriptionSettings, 'top' | 'topics' | 'minUpvotes'> &
  Partial<Pick<Subscription, 'rank' | 'platform' | 'channelId'>>;

/**
 * What a channel gets: the most recent non-empty daily list on or before `onOrBefore`, ranked with
 * the channel's settings. Shared by `/papers today` and the daily post, so both show the same.
 * popular: upvotes alone, as Hugging Face orders them; balanced: upvotes with recency and topics;
 * channel: balanced blended with likeness to the channel's bookmarks (src/search/channel-rank).
 * Excluded topics and minimum upvotes apply in every mode.
 */
export async function selectDigest(
  store: Store,
  settings: DigestSettings,
  opts: { now: Date; onOrBefore?: string; skipIds?: Set<string> },
): Promise<DigestSelection> {
  const listDate = await store.latestListDate(opts.onOrBefore);
  if (!listDate) return { listDate: null, ranked: [], excluded: [] };
  const papers = await store.papersListedBetween(listDate, listDate);
  const mode = settings.rank ?? 'balanced';
  const byChannel = mode === 'channel' && settings.platform !== undefined && settings.channelId !== undefined;
  const { ranked, excluded } = rankWithExclusions(papers, {
    now: opts.now,
    // Popular keeps the exclusions (-topic) but boosts nothing, and lets no vote age.
    topics: mode === 'popular' ? settings.topics.filter((t) => t.trim().startsWith('-')) : settings.topics,
    halfLifeDays: mode === 'popular' ? Infinity : undefined,
    minUpvotes: settings.minUpvotes,
    limit: byChannel ? undefined : settings.top,
    skipIds: opts.skipIds,
  });
  if (!byChannel) return { listDate, ranked, excluded };
  const blended = await rankForChannel(store, { platform: settings.platform!, channelId: settings.channelId! }, ranked);
  return { listDate, ranked: blended.slice(0, Math.max(0, settings.top)), excluded };
}
