import type { Store, Subscription } from '../store/types';
import { DEFAULT_SETTINGS, type RankingSettings } from '../subscriptions/settings';
import type { Paper, RankedPaper } from '../model/paper';
import { rankWithExclusions } from '../rank/rank';
import { rankForChannel } from '../search/channel-rank';
import { addDays } from '../model/dates';

export interface DigestSelection {
  /**
   * The Daily Papers list the digest comes from (the most recent non-empty one), or null if none;
   * for a weekly post its seven days (windowLabel).
   */
  listDate: string | null;
  ranked: RankedPaper[];
  /** Papers of that list left out, and why (already posted, below min upvotes, excluded topic). */
  excluded: { paper: Paper; why: string }[];
}

/**
 * The settings a selection follows: only those the ranking reads, so the selection cache's key
 * covers them all. `rank` and `arxiv` default as a subscription's do; `channel` also needs the
 * channel (a stored Subscription carries it) and falls back to balanced without one.
 */
export type DigestSettings = Pick<RankingSettings, 'top' | 'topics' | 'minUpvotes'> &
  Partial<RankingSettings> &
  Partial<Pick<Subscription, 'platform' | 'channelId'>>;

/**
 * What a channel gets: the most recent non-empty daily list on or before `onOrBefore`, ranked with
 * the channel's settings. Shared by `/papers today` and the daily post, so both show the same.
 * popular: upvotes alone, as Hugging Face orders them; balanced: upvotes with recency and topics;
 * channel: balanced blended with likeness to the channel's bookmarks (src/search/channel-rank).
 * Excluded topics and minimum upvotes apply in every mode.
 * A channel with arXiv categories also gets the arXiv papers in them from the list date's window:
 * the day before through the list date, since arXiv announces the previous day's submissions.
 * They have no upvotes, so they rank by recency and topics, and their reason names the category.
 * A `window` (a weekly post's seven list days) replaces the latest list.
 */
export async function selectDigest(
  store: Store,
  settings: DigestSettings,
  opts: { now: Date; onOrBefore?: string; skipIds?: Set<string>; window?: ListWindow },
): Promise<DigestSelection> {
  const window = opts.window ?? (await latestWindow(store, opts.onOrBefore));
  if (!window) return { listDate: null, ranked: [], excluded: [] };
  // Papers seen only on arXiv are no channel's list unless it asked for their categories.
  const listed = (await store.papers.listedBetween(window.from, window.to)).filter((p) => p.source !== 'arxiv');
  const categories = settings.arxiv ?? DEFAULT_SETTINGS.arxiv;
  const fromArxiv = categories.length > 0 ? await store.papers.inCategories(categories, addDays(window.from, -1), window.to) : [];
  // rankWithExclusions merges duplicates (mergePapers), so a listed paper and its arXiv record count once.
  const papers = [...listed, ...fromArxiv];
  // A week without a single list has no list to name (the latest list always has papers).
  const listDate = papers.length > 0 || !opts.window ? windowLabel(window) : null;
  const mode = settings.rank ?? DEFAULT_SETTINGS.rank;
  const byChannel = mode === 'channel' && settings.platform !== undefined && settings.channelId !== undefined;
  const { ranked, excluded } = rankWithExclusions(papers, {
    now: opts.now,
    ...modeRanking(settings),
    minUpvotes: settings.minUpvotes,
    limit: byChannel ? undefined : settings.top,
    skipIds: opts.skipIds,
  });
  if (!byChannel) return { listDate, ranked: labelArxiv(ranked, categories), excluded };
  const blended = await rankForChannel(store, { platform: settings.platform!, channelId: settings.channelId! }, ranked);
  return { listDate, ranked: labelArxiv(blended.slice(0, Math.max(0, settings.top)), categories), excluded };
}

/**
 * How a ranking mode weighs the papers: popular keeps the exclusions (-topic) but boosts nothing,
 * and lets no vote age. A resumed daily post words its reasons the same way (schedule/delivery.ts).
 */
export function modeRanking(settings: Pick<DigestSettings, 'topics' | 'rank'>): { topics: string[]; halfLifeDays?: number } {
  const popular = (settings.rank ?? DEFAULT_SETTINGS.rank) === 'popular';
  return popular ? { topics: settings.topics.filter((t) => t.trim().startsWith('-')), halfLifeDays: Infinity } : { topics: settings.topics };
}

/** List days a selection chooses from: one day's list, or a weekly post's seven. */
export interface ListWindow {
  from: string;
  to: string;
}

/** `2026-03-28`, or `2026-03-22 to 2026-03-28` for several days: how a post's header names its lists. */
export function windowLabel(w: ListWindow): string {
  return w.from === w.to ? w.from : `${w.from} to ${w.to}`;
}

async function latestWindow(store: Store, onOrBefore: string | undefined): Promise<ListWindow | null> {
  const listDate = await store.papers.latestListDate(onOrBefore);
  return listDate ? { from: listDate, to: listDate } : null;
}

/** "arXiv cs.LG · 0 upvotes · 1 day old" for a paper that is not on the list (a merged one keeps the list's source). */
function labelArxiv(ranked: RankedPaper[], categories: string[]): RankedPaper[] {
  return ranked.map((r) => {
    const category = r.paper.categories?.find((c) => categories.includes(c));
    if (r.paper.source !== 'arxiv' || !category) return r;
    return { ...r, reason: `arXiv ${category} · ${r.reason}` };
  });
}
