import type { Paper } from '../model/paper';
import { followKey, type Follow } from './follow';
import { foldedWords } from './words';

/**
 * Which papers match whose follows, for a whole day's (or week's) list against every person at once.
 *
 * - topic: its words, in order and next to each other, in the title, the abstract or a keyword
 *   (`diffusion model` matches "…latent diffusion models…");
 * - author: same surname, and the same first given name where both have one; an initial matches any
 *   given name it starts (both ways: `S. Xie` matches "Saining Xie", and `Saining Xie` matches an
 *   author listed as "S. Xie"). Middle names are not compared;
 * - org: its words, in order, in the paper's organization;
 * - arxiv: one of the paper's categories.
 * All comparisons ignore case and accents (src/follows/words.ts).
 *
 * The follows are indexed by the word that must appear (a topic's first word, an author's surname,
 * the category), and each distinct follow is checked once per paper however many people share it, so
 * matching 350 papers against 100,000 people costs about as much as the distinct follows they hold.
 */

interface Entry<K> {
  follow: Follow;
  words: string[];
  /** Who follows it, each with the follow as they typed it. */
  owners: { owner: K; follow: Follow }[];
}

export interface FollowIndex<K> {
  readonly entries: number;
  /** Adds one person's follows. */
  add(owner: K, follows: readonly Follow[]): void;
  /** Each owner's matching papers, in the order given, with the follows each matched. */
  match(papers: readonly Paper[]): Map<K, PaperMatch[]>;
}

export interface PaperMatch {
  paper: Paper;
  follows: Follow[];
}

/** A paper's words, authors, organization and categories, folded once for every follow. */
interface PaperFacts {
  /** Each word's positions in the text (title, abstract, keywords, with gaps between them). */
  positions: Map<string, number[]>;
  words: string[];
  authors: Name[];
  orgPositions: Map<string, number[]>;
  orgWords: string[];
  categories: string[];
}

interface Name {
  given: string | null;
  surname: string;
}

function nameOf(text: string): Name | null {
  const words = foldedWords(text);
  if (words.length === 0) return null;
  return { given: words.length > 1 ? words[0]! : null, surname: words[words.length - 1]! };
}

/** An initial stands for any given name it starts; a missing given name for any. */
function sameGiven(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return true;
  if (a.length === 1 || b.length === 1) return a[0] === b[0];
  return a === b;
}

function positionsOf(words: string[]): Map<string, number[]> {
  const positions = new Map<string, number[]>();
  words.forEach((w, i) => {
    const at = positions.get(w);
    if (at) at.push(i);
    else positions.set(w, [i]);
  });
  return positions;
}

/** A separator no folded word can equal, so a phrase never runs from the title into the abstract. */
const GAP = '\u0000';

/**
 * Facts of papers already folded, by the paper object: a run's deliveries share the list's objects
 * (src/schedule/fanout.ts, sharedListReads), so each paper is folded once per run rather than once
 * per person, which was most of a personal-digest fan-out's CPU. Papers are never changed in place.
 */
const folded = new WeakMap<Paper, PaperFacts>();

function factsOf(paper: Paper): PaperFacts {
  let facts = folded.get(paper);
  if (!facts) folded.set(paper, (facts = foldFacts(paper)));
  return facts;
}

function foldFacts(paper: Paper): PaperFacts {
  const words: string[] = [];
  for (const part of [paper.title, paper.summary, ...paper.keywords]) words.push(...foldedWords(part), GAP);
  const orgWords = paper.organization ? foldedWords(paper.organization) : [];
  return {
    positions: positionsOf(words),
    words,
    authors: paper.authors.map(nameOf).filter((n): n is Name => n !== null),
    orgPositions: positionsOf(orgWords),
    orgWords,
    categories: paper.categories ?? [],
  };
}

/** Whether `phrase` occurs in `words`, starting at one of the positions of its first word. */
function hasPhrase(phrase: string[], words: string[], starts: number[] | undefined): boolean {
  if (!starts) return false;
  return starts.some((start) => phrase.every((w, i) => words[start + i] === w));
}

export function createFollowIndex<K>(): FollowIndex<K> {
  const byKey = new Map<string, Entry<K>>();
  /** Entries by the word a paper must hold: a topic's or organization's first word, an author's surname, a category. */
  const topics = new Map<string, Entry<K>[]>();
  const orgs = new Map<string, Entry<K>[]>();
  const authors = new Map<string, Entry<K>[]>();
  const arxiv = new Map<string, Entry<K>[]>();

  function file(map: Map<string, Entry<K>[]>, word: string, entry: Entry<K>) {
    const list = map.get(word);
    if (list) list.push(entry);
    else map.set(word, [entry]);
  }

  /** Entries by the text as typed: most people type a shared follow alike, and folding it (NFKD) is the costly part. */
  const byTyped = new Map<string, Entry<K> | null>();

  function entryFor(follow: Follow): Entry<K> | null {
    const typed = `${follow.kind}\u0000${follow.value}`;
    let entry = byTyped.get(typed);
    if (entry === undefined) {
      entry = newEntry(follow);
      byTyped.set(typed, entry);
    }
    return entry;
  }

  function newEntry(follow: Follow): Entry<K> | null {
    const key = `${follow.kind} ${followKey(follow)}`;
    let entry = byKey.get(key);
    if (entry) return entry;
    const words = follow.kind === 'arxiv' ? [follow.value] : foldedWords(follow.value);
    if (words.length === 0) return null;
    entry = { follow, words, owners: [] };
    byKey.set(key, entry);
    if (follow.kind === 'topic') file(topics, words[0]!, entry);
    else if (follow.kind === 'org') file(orgs, words[0]!, entry);
    else if (follow.kind === 'author') file(authors, words[words.length - 1]!, entry);
    else file(arxiv, follow.value, entry);
    return entry;
  }

  /** Whether the paper satisfies the entry: the one place the matching rules are written. */
  function entryMatches(e: Entry<K>, facts: PaperFacts): boolean {
    const first = e.words[0]!;
    switch (e.follow.kind) {
      case 'topic':
        return hasPhrase(e.words, facts.words, facts.positions.get(first));
      case 'org':
        return hasPhrase(e.words, facts.orgWords, facts.orgPositions.get(first));
      case 'author': {
        const surname = e.words[e.words.length - 1]!;
        const given = e.words.length > 1 ? first : null;
        return facts.authors.some((name) => name.surname === surname && sameGiven(given, name.given));
      }
      case 'arxiv':
        return facts.categories.includes(first);
    }
  }

  function matchedEntries(facts: PaperFacts): Set<Entry<K>> {
    // One person's few follows (a personal digest) are cheaper to check one by one than a paper's
    // hundreds of words are to look up; a whole list's follows (alerts) the other way round.
    if (byKey.size < facts.positions.size) return new Set([...byKey.values()].filter((e) => entryMatches(e, facts)));
    // Otherwise the index names the entries a paper could match, by the word each must find in it,
    // and entryMatches decides, with the same rules as above.
    const found = new Set<Entry<K>>();
    const check = (map: Map<string, Entry<K>[]>, words: Iterable<string>) => {
      for (const word of words) for (const e of map.get(word) ?? []) if (!found.has(e) && entryMatches(e, facts)) found.add(e);
    };
    check(topics, facts.positions.keys());
    check(orgs, facts.orgPositions.keys());
    check(authors, new Set(facts.authors.map((n) => n.surname)));
    check(arxiv, facts.categories);
    return found;
  }

  return {
    get entries() {
      return byKey.size;
    },
    add(owner, follows) {
      for (const follow of follows) entryFor(follow)?.owners.push({ owner, follow });
    },
    match(papers) {
      const out = new Map<K, PaperMatch[]>();
      for (const paper of papers) {
        for (const entry of matchedEntries(factsOf(paper))) {
          for (const { owner, follow } of entry.owners) {
            // One map lookup per (person, follow): this paper's match, if any, is the last of the person's list.
            const list = out.get(owner);
            const last = list?.[list.length - 1];
            if (last?.paper === paper) last.follows.push(follow);
            else if (list) list.push({ paper, follows: [follow] });
            else out.set(owner, [{ paper, follows: [follow] }]);
          }
        }
      }
      return out;
    },
  };
}

/** One person's follows that a paper matches, in the order they were given. */
export function followsMatching(paper: Paper, follows: readonly Follow[]): Follow[] {
  return followsMatchingEach([paper], follows).get(paper) ?? [];
}

/** One person's follows that each paper matches, in the order they were given; papers matching none are left out. */
export function followsMatchingEach(papers: readonly Paper[], follows: readonly Follow[]): Map<Paper, Follow[]> {
  const index = createFollowIndex<0>();
  index.add(0, follows);
  const out = new Map<Paper, Follow[]>();
  for (const m of index.match(papers).get(0) ?? []) {
    const hit = new Set(m.follows);
    out.set(
      m.paper,
      follows.filter((f) => hit.has(f)),
    );
  }
  return out;
}
