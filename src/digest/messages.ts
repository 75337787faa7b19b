import type { Paper, RankedPaper } from '../model/paper';
import { PAPER_CONTROLS, type Reply } from '../chat/reply';

/**
 * The messages of a daily post: one header, then one message per paper (so a reaction on a
 * message means that paper). Plain text only; each adapter's renderer escapes and truncates.
 */

export interface DigestHeaderInput {
  /** The Daily Papers list the papers come from. */
  listDate: string;
  count: number;
  /** When the data is older than it should be: the last successful refresh (null: never refreshed). */
  stale?: { lastRefreshedAt: Date | null } | null;
}

function staleMarker(stale: DigestHeaderInput['stale']): string | null {
  if (!stale) return null;
  return stale.lastRefreshedAt
    ? `from data last refreshed at ${stale.lastRefreshedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`
    : 'from data not refreshed since the bot started';
}

export function digestHeader(input: DigestHeaderInput): Reply {
  const what = input.count === 1 ? 'Top paper' : `Top ${input.count} papers`;
  const title = `${what} from Hugging Face Daily Papers, ${input.listDate}`;
  const marker = staleMarker(input.stale);
  const text = marker ? `${title} (${marker})` : title;
  return { blocks: [{ kind: 'text', text }], visibility: 'public', fallback: text };
}

/** The one-line note a day with nothing new posts when EMPTY_DIGEST=note. */
export function emptyDigestNote(listDate: string | null): Reply {
  const text = listDate
    ? `No new papers today: everything on the ${listDate} list was already posted here or filtered out.`
    : 'No new papers today: no Daily Papers list is available yet.';
  return { blocks: [{ kind: 'text', text }], visibility: 'public', fallback: text };
}

/** Titles are untrusted and may hold line breaks; a fallback is a single notification line. */
function titleLine(paper: Paper): string {
  return paper.title.replace(/\s+/g, ' ').trim();
}

/**
 * One paper of the daily post, with every control; `topics` are the channel's topics it matches
 * (a forum labels its post with them).
 */
export function digestPaperMessage(ranked: RankedPaper, topics: readonly string[] = []): Reply {
  return {
    blocks: [{ kind: 'paper', paper: ranked.paper, reason: ranked.reason, controls: PAPER_CONTROLS, ...(topics.length ? { topics } : {}) }],
    visibility: 'public',
    fallback: `${ranked.rank}. ${titleLine(ranked.paper)}`,
  };
}

/** A paper's abstract in full with its links: what Abstract answers, and the first message of its discussion thread. */
export function abstractMessage(paper: Paper, visibility: Reply['visibility']): Reply {
  return { blocks: [{ kind: 'abstract', paper }], visibility, fallback: titleLine(paper) };
}
