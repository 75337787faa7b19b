import type { Paper } from '../model/paper';
import type { PersonalFeed, Store } from '../store/types';
import { followReason, type Follow } from '../follows/follow';
import { followsMatchingEach } from '../follows/match';
import { forYou } from '../search/foryou';
import { weeklyWindow } from '../model/cadence';
import { windowLabel, type ListWindow } from '../digest/select';

/** A paper picked for a person, and why. */
export interface PersonalPick {
  paper: Paper;
  follows: Follow[];
  /** "follows: diffusion; author Saining Xie" */
  reason: string;
}

export interface PersonalSelection {
  /** The list days it chose from, as a header names them; null when there is no list. */
  listLabel: string | null;
  picked: PersonalPick[];
  /** Papers of those days left out, and why (dry runs show them). */
  excluded: { paper: Paper; why: string }[];
}

/** Bookmark likeness counts most; then how many follows a paper matches; then upvotes. */
const FOLLOW_WEIGHT = 0.1;

/**
 * What a person's digest on `date` holds: the papers of the latest list on or before it (a weekly
 * digest: the seven list days ending the day before) that match their follows and were never sent
 * to them, ranked by their "for you" signal (likeness to their bookmarks, src/search/foryou), then
 * by how many of their follows they match, then by upvotes; at most `top`.
 */
export async function selectPersonal(
  store: Store,
  feed: Pick<PersonalFeed, 'platform' | 'userId' | 'digest' | 'top'>,
  date: string,
): Promise<PersonalSelection> {
  const window = feed.digest === 'weekly' ? weeklyWindow(date) : await latestWindow(store, date);
  if (!window) return { listLabel: null, picked: [], excluded: [] };
  const papers = await store.papers.listedBetween(window.from, window.to);
  const follows = await store.follows.list(feed.platform, feed.userId);
  const unsent = new Set(
    await store.personal.unsent(
      feed.platform,
      feed.userId,
      papers.map((p) => p.id),
    ),
  );
  const candidates: PersonalPick[] = [];
  const excluded: PersonalSelection['excluded'] = [];
  const matching = followsMatchingEach(papers, follows);
  for (const paper of papers) {
    const matched = matching.get(paper) ?? [];
    if (matched.length === 0) excluded.push({ paper, why: 'matches none of your follows' });
    else if (!unsent.has(paper.id)) excluded.push({ paper, why: 'sent to you before' });
    else candidates.push({ paper, follows: matched, reason: followReason(matched) });
  }
  const likeness = await bookmarkLikeness(store, feed, candidates);
  const score = (c: PersonalPick) => (likeness.get(c.paper.id) ?? 0) + FOLLOW_WEIGHT * c.follows.length;
  candidates.sort((a, b) => score(b) - score(a) || b.paper.upvotes - a.paper.upvotes || a.paper.id.localeCompare(b.paper.id));
  for (const c of candidates.slice(feed.top)) excluded.push({ paper: c.paper, why: `below your top ${feed.top}` });
  return { listLabel: windowLabel(window), picked: candidates.slice(0, feed.top), excluded };
}

async function latestWindow(store: Store, date: string): Promise<ListWindow | null> {
  const listDate = await store.papers.latestListDate(date);
  return listDate ? { from: listDate, to: listDate } : null;
}

/**
 * Each candidate's likeness to the person's bookmarks, as `/papers foryou` scores the list of its
 * day (one call per list day among the candidates); empty without bookmarks.
 */
async function bookmarkLikeness(store: Store, feed: Pick<PersonalFeed, 'platform' | 'userId'>, candidates: PersonalPick[]): Promise<Map<string, number>> {
  const likeness = new Map<string, number>();
  const days = [...new Set(candidates.map((c) => c.paper.listedOn).filter((d): d is string => d !== null))];
  for (const day of days) {
    const ranked = await forYou(store, { platform: feed.platform, userId: feed.userId }, { now: new Date(`${day}T23:59:59Z`), limit: 1000 });
    if (ranked.bookmarkCount === 0) break;
    for (const item of ranked.items) likeness.set(item.paper.id, item.score);
  }
  return likeness;
}
