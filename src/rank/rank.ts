import type { Paper, RankedPaper } from '../model/paper';
import { mergePapers } from './merge';
import { topicMatcher } from './topics';

export { mergePapers } from './merge';

export interface RankOptions {
  /** The reference time that ages are measured from. */
  now: Date;
  /** Days after which a paper's weight halves. Default 7. */
  halfLifeDays?: number;
  /** Keywords that boost; `-keyword` excludes (see parseTopics). */
  topics?: string[];
  minUpvotes?: number;
  limit?: number;
  /** Papers to leave out (e.g. already posted in the channel). */
  skipIds?: Set<string>;
}

const DEFAULT_HALF_LIFE_DAYS = 7;
const DAY_MS = 86_400_000;

/*
 * score = (upvotes + 1) × ½^(age / half-life) × (1 + topics matched)
 * Upvotes are what readers said; the half-life lets a fresh paper beat an old one with a few more
 * votes; each matching topic counts as much as the votes again. The +1 lets a new paper with no
 * votes yet still be ordered by age and topics. Age runs from the later of the publication and the
 * list date: a paper is news again on the day it is listed.
 */

export function rank(papers: Paper[], opts: RankOptions): RankedPaper[] {
  return rankWithExclusions(papers, opts).ranked;
}

/** Ranks the papers and says why each left-out one was left out (limit cuts are not exclusions). */
export function rankWithExclusions(papers: Paper[], opts: RankOptions): { ranked: RankedPaper[]; excluded: { paper: Paper; why: string }[] } {
  const halfLife = opts.halfLifeDays ?? DEFAULT_HALF_LIFE_DAYS;
  const topics = (opts.topics ?? []).map((t) => t.trim().toLowerCase()).filter(Boolean);
  const boosts = topics.filter((t) => !t.startsWith('-')).map((t) => ({ topic: t, re: topicMatcher(t) }));
  const blocks = topics.filter((t) => t.startsWith('-')).map((t) => ({ topic: t.slice(1), re: topicMatcher(t.slice(1)) }));
  const minUpvotes = opts.minUpvotes ?? 0;

  const excluded: { paper: Paper; why: string }[] = [];
  const scored: { paper: Paper; score: number; reason: string }[] = [];
  for (const paper of mergePapers(papers)) {
    if (opts.skipIds?.has(paper.id)) {
      excluded.push({ paper, why: 'already posted' });
      continue;
    }
    if (paper.upvotes < minUpvotes) {
      excluded.push({ paper, why: `below ${minUpvotes} upvotes` });
      continue;
    }
    const text = searchableText(paper);
    const blocked = blocks.find((b) => b.re.test(text));
    if (blocked) {
      excluded.push({ paper, why: `excluded topic: ${blocked.topic}` });
      continue;
    }
    const matched = boosts.filter((b) => b.re.test(text)).map((b) => b.topic);
    const fresh = paper.listedOn && paper.listedOn > paper.publishedAt ? paper.listedOn : paper.publishedAt;
    const ageDays = Math.max(0, (opts.now.getTime() - Date.parse(`${fresh}T00:00:00Z`)) / DAY_MS);
    const score = (paper.upvotes + 1) * 0.5 ** (ageDays / halfLife) * (1 + matched.length);
    scored.push({ paper, score, reason: reasonFor(paper, Math.floor(ageDays), fresh !== paper.publishedAt, matched) });
  }

  scored.sort(
    (x, y) =>
      y.score - x.score ||
      y.paper.upvotes - x.paper.upvotes ||
      y.paper.publishedAt.localeCompare(x.paper.publishedAt) ||
      (x.paper.id < y.paper.id ? -1 : x.paper.id > y.paper.id ? 1 : 0),
  );
  const top = opts.limit === undefined ? scored : scored.slice(0, Math.max(0, opts.limit));
  return { ranked: top.map((s, i) => ({ rank: i + 1, paper: s.paper, score: Number(s.score.toPrecision(6)), reason: s.reason })), excluded };
}

/** The boosting topics (not `-excluded` ones) a paper matches, as written: what a forum labels its post with. */
export function topicsMatched(paper: Paper, topics: readonly string[]): string[] {
  const text = searchableText(paper);
  return topics.filter((t) => !t.startsWith('-') && topicMatcher(t).test(text));
}

function searchableText(p: Paper): string {
  return [p.title, p.summary, p.aiSummary ?? '', p.keywords.join(' · ')].join('\n');
}

/** "6 upvotes · 36 days old · matches: attention" */
function reasonFor(p: Paper, ageDays: number, byListing: boolean, matched: string[]): string {
  const votes = `${p.upvotes} upvote${p.upvotes === 1 ? '' : 's'}`;
  // Only read when ageDays > 0; day 0 has its own words below.
  const days = ageDays === 1 ? '1 day' : `${ageDays} days`;
  const age = byListing ? (ageDays === 0 ? 'listed today' : `listed ${days} ago`) : ageDays === 0 ? 'new today' : `${days} old`;
  return [votes, age, ...(matched.length ? [`matches: ${matched.join(', ')}`] : [])].join(' · ');
}
