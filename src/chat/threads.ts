import type { Paper } from '../model/paper';
import type { Platform } from './command';
import type { Reply } from './reply';
import type { Store } from '../store/types';
import { abstractMessage } from '../digest/messages';
import { currentOwner, ownerIsGone } from '../schedule/claims';

/** A message a thread is opened on. */
export interface ThreadSite {
  platform: Platform;
  workspaceId: string | null;
  channelId: string;
  messageId: string;
}

/** What opening a discussion thread asks of a platform. */
export interface ThreadRequest {
  /** The thread's name where threads have one (Discord): the paper's title, as plain text. */
  name: string;
  /** Its first message: the paper's abstract and links. */
  starter: Reply;
  /** Stable per message, so an opening repeated after a crash finds the first one. */
  key: string;
  /** False when no earlier attempt can exist, so the platform need not look for one. */
  maybeOpenedBefore: boolean;
}

/**
 * Opens discussion threads on one platform's messages: Discord starts a thread from the message,
 * Slack replies in the message's thread, the console prints one. Idempotent per request key. A
 * missing permission throws UserError saying what the bot needs.
 */
export interface ThreadOpener {
  openThread(site: ThreadSite, request: ThreadRequest): Promise<{ threadId: string }>;
}

export type ThreadOutcome =
  | { state: 'opened'; threadId: string }
  /** The message had its thread already (another click, another replica, the daily post). */
  | { state: 'exists'; threadId: string }
  /** Someone else is opening it right now. */
  | { state: 'pending' };

/** A claim not completed in this time was abandoned (its process died) and may be taken over. */
export const THREAD_CLAIM_STALE_MS = 60_000;
/** How long a click that lost the claim waits for the winner's thread before saying it is on its way. */
const WAIT_FOR_WINNER_MS = 2_000;
const POLL_MS = 100;

/**
 * The discussion thread of a paper's message, opened exactly once however many clicks, daily posts
 * and replicas ask at once: a claim per message is inserted or not before anything is opened, and
 * only its winner opens the thread and records it. A claim whose opening failed is released, so a
 * later click tries again; a claim abandoned by a dead process is taken over at once when that
 * process ran on this host (its pid is gone, as for deliveries), else after THREAD_CLAIM_STALE_MS
 * (the platform's own idempotency then keeps it to one thread).
 */
export async function openThreadOnce(
  store: Store,
  opener: ThreadOpener,
  site: ThreadSite,
  paper: Paper,
  opts: { now: () => Date; waitForWinner?: boolean },
): Promise<ThreadOutcome> {
  const at = { platform: site.platform, channelId: site.channelId, messageId: site.messageId };
  const claim = await store.threads.claim({
    ...at,
    paperId: paper.id,
    now: opts.now(),
    staleAfterMs: THREAD_CLAIM_STALE_MS,
    owner: currentOwner(),
    ownerIsGone,
  });
  if (!claim.won) {
    if (claim.thread.threadId) return { state: 'exists', threadId: claim.thread.threadId };
    if (!opts.waitForWinner) return { state: 'pending' };
    for (let waited = 0; waited < WAIT_FOR_WINNER_MS; waited += POLL_MS) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      const thread = await store.threads.find(at.platform, at.channelId, at.messageId);
      if (thread?.threadId) return { state: 'exists', threadId: thread.threadId };
      if (!thread) break;
    }
    return { state: 'pending' };
  }
  try {
    const { threadId } = await opener.openThread(site, {
      name: paper.title,
      starter: abstractMessage(paper, 'public'),
      key: `thread:${site.platform}:${site.channelId}:${site.messageId}`,
      maybeOpenedBefore: claim.takenOver,
    });
    await store.threads.opened({ ...at, threadId, claimedAt: claim.claimedAt, now: opts.now() });
    return { state: 'opened', threadId };
  } catch (err) {
    await store.threads.release({ ...at, claimedAt: claim.claimedAt }).catch(() => {});
    throw err;
  }
}
