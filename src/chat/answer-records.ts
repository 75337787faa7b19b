import { errorMessage } from '../errors';
import type { Logger } from '../log';
import type { PostRecord, Store } from '../store/types';

/** How long a public answer's record may wait, so a burst of answers is recorded after it, in one go. */
const RECORD_DELAY_MS = 250;

/**
 * Records public answers, so reactions on them resolve to their papers, a moment after they are
 * sent. Recording is bookkeeping: under a burst of commands it would otherwise take turns with the
 * answers still waiting to go out. Answers queued within RECORD_DELAY_MS share one transaction (the
 * store group-commits the posts.record calls of one turn). A reaction calls settle() first, so it
 * always finds the answer it is on; a crash inside the delay loses only those records (reactions on
 * those answers are then ignored). Digest messages are not recorded here: the fan-out records each
 * one as soon as it is posted.
 */
export interface AnswerRecords {
  /** Queues the record of a public answer's message; messages without papers need none. */
  add(answer: Pick<PostRecord, 'platform' | 'channelId' | 'messageId' | 'paperIds' | 'postedAt'>): void;
  /** Writes every queued record now; resolves when they are stored (or their failure logged). */
  settle(): Promise<void>;
}

export function createAnswerRecords(store: Store, log: Logger): AnswerRecords {
  let queued: PostRecord[] = [];
  let timer: NodeJS.Timeout | null = null;
  let written: Promise<void> = Promise.resolve();

  function settle(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = null;
    const batch = queued;
    queued = [];
    if (batch.length > 0) {
      written = Promise.all([written, ...batch.map((post) => store.posts.record(post))]).then(
        () => undefined,
        (err: unknown) => log.warn({ err: errorMessage(err), answers: batch.length }, 'answers not recorded; reactions on them will be ignored'),
      );
    }
    return written;
  }

  return {
    add(answer) {
      if (answer.paperIds.length === 0) return;
      queued.push({ ...answer, kind: 'answer', deliveryId: null });
      timer ??= setTimeout(() => void settle(), RECORD_DELAY_MS);
    },
    settle,
  };
}
