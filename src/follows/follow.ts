import { UserError } from '../errors';
import { parseArxivCategories } from '../model/arxiv-categories';
import { foldedWords } from './words';

/**
 * What a person follows: words (a topic), an author, an organization or an arXiv category. The
 * value is kept as typed, for showing; `key` is what matching and duplicate checks compare.
 */
export const FOLLOW_KINDS = ['topic', 'author', 'org', 'arxiv'] as const;
export type FollowKind = (typeof FOLLOW_KINDS)[number];

export interface Follow {
  kind: FollowKind;
  value: string;
}

/** Follows per person: enough for a narrow feed, and a bound on what matching holds per person. */
export const MAX_FOLLOWS = 25;
const MAX_LENGTH = 100;

/** What a follow is compared by: its folded words (src/follows/words.ts), or the category as arXiv spells it. */
export function followKey(f: Follow): string {
  return f.kind === 'arxiv' ? f.value : foldedWords(f.value).join(' ');
}

/** A follow from what a person typed; UserError says what is wrong. */
export function parseFollow(kind: FollowKind, text: string): Follow {
  const value = text.replace(/\s+/g, ' ').trim();
  const example = EXAMPLES[kind];
  if (value === '') throw new UserError(`Say what to follow, e.g. ${example}.`);
  if (value.length > MAX_LENGTH) throw new UserError(`That is ${value.length} characters; a follow takes at most ${MAX_LENGTH}, e.g. ${example}.`);
  if (kind === 'arxiv') {
    const categories = parseArxivCategories(value);
    if (categories.length !== 1) throw new UserError(`Follow one arXiv category at a time, e.g. ${example}.`);
    return { kind, value: categories[0]! };
  }
  if (foldedWords(value).length === 0) throw new UserError(`"${value}" has no letters or digits to match, e.g. ${example}.`);
  return { kind, value };
}

const EXAMPLES: Record<FollowKind, string> = {
  topic: '/papers follow diffusion models',
  author: '/papers follow author Saining Xie',
  org: '/papers follow org NVIDIA',
  arxiv: '/papers follow arxiv cs.CL',
};

/** "diffusion models", "author Saining Xie", "org NVIDIA", "arXiv cs.CL": how lists and reasons name a follow. */
export function describeFollow(f: Follow): string {
  switch (f.kind) {
    case 'topic':
      return f.value;
    case 'author':
      return `author ${f.value}`;
    case 'org':
      return `org ${f.value}`;
    case 'arxiv':
      return `arXiv ${f.value}`;
  }
}

/** "follows: diffusion; author Saining Xie": why a paper was picked for someone. */
export function followReason(matched: readonly Follow[]): string {
  return `follows: ${matched.map(describeFollow).join('; ')}`;
}
