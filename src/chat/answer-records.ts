import { errorMessage } from '../errors';
import type { Logger } from '../log';
import type { PostRecord, Store } from '../store/types';

/**
 * Records public answers, so reactions on them resolve to their papers, as soon as they are sent:
 * the answers sent in one turn of the event loop are written together at its end (the store
 * group-commits the posts.record calls of one turn), so a crash can lose only the records of
 * answers whose send returned in that same turn (it used to wait 250 ms, and lose those). A reaction
 * calls settle() first, so it always finds the answer it is on. Digest messages are not recorded
 * here: the fan-out records each one as soon as it is posted.
 */
export interface AnswerRecords {
  /** Queues the record of a public answer's message; messages without papers need none. */
  add(answer: Pick<PostRecord, 'platform' | 'channelId' | 'messageId' | 'paperIds' | 'postedAt'>): void;
  /** Writes every queued record now; resolves when they are stored (or their failure logged). */
  settle(): Promise<void>;
}

export function createAnswerRecords(store: Store, log: Logger): AnswerRecords {
  let queued: PostRecord[] = [];
  let timer: NodeJS.Immediate | null = null;
  let written: Promise<void> = Promise.resolve();

  function settle(): Promise<void> {
    if (timer) clearImmediate(timer);
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
      timer ??= setImmediate(() => void settle());
    },
    settle,
  };
}
