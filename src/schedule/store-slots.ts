import { performance } from 'node:perf_hooks';

/**
 * Runs a step's store work in one of a run's bounded slots, ranked: a waiting step of a lower rank
 * runs first, ties in the order they came. Without a rank, steps run in the order they came.
 */
export type StoreWork = <T>(work: () => Promise<T>, rank?: number) => Promise<T>;

/** How long store steps may run back to back before sockets get a turn. */
const STORE_SLICE_MS = 5;

interface Waiting {
  rank: number;
  seq: number;
  start: () => void;
}

/**
 * At most `concurrency` store steps at once, run in slices of STORE_SLICE_MS between which the
 * event loop serves sockets. SQLite answers synchronously, so back-to-back steps chain as
 * microtasks and would otherwise run the whole burst of claims at a run's start before any socket
 * is served: requests already counted against a rate limit then leave late and bunch up with the
 * next window's (Discord answered 429 to a whole window of 50), and answers wait until clients
 * time out.
 *
 * Ranks let a run finish what it started before it starts more: personal digests rank each step by
 * the person's place in the run, so the first person's DM goes out after their own few steps rather
 * than after every person's claim and selection (a run of 1,000 sent nothing for its first seconds).
 */
export function storeSlots(concurrency: number): StoreWork {
  const heap: Waiting[] = [];
  let running = 0;
  let seq = 0;
  let sliceStart = performance.now();
  /** The next turn of the event loop, once the slice is spent; it starts the next slice. */
  let nextTurn: Promise<void> | null = null;

  const before = (a: Waiting, b: Waiting) => a.rank < b.rank || (a.rank === b.rank && a.seq < b.seq);
  function push(w: Waiting): void {
    heap.push(w);
    for (let i = heap.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }
  function pop(): Waiting | undefined {
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let next = i;
        if (l < heap.length && before(heap[l]!, heap[next]!)) next = l;
        if (r < heap.length && before(heap[r]!, heap[next]!)) next = r;
        if (next === i) break;
        [heap[i], heap[next]] = [heap[next]!, heap[i]!];
        i = next;
      }
    }
    return top;
  }

  async function inSlice<T>(work: () => Promise<T>): Promise<T> {
    while (performance.now() - sliceStart >= STORE_SLICE_MS) {
      // The global setImmediate, which tests on a fake clock fake along with the group commits' turns.
      nextTurn ??= new Promise((turn) => setImmediate(turn)).then(() => {
        nextTurn = null;
        sliceStart = performance.now();
      });
      await nextTurn;
    }
    return work();
  }

  function release(): void {
    running--;
    const next = pop();
    if (next) {
      running++;
      next.start();
    }
  }

  return <T>(work: () => Promise<T>, rank = Number.POSITIVE_INFINITY) =>
    new Promise<T>((resolve, reject) => {
      const start = () => inSlice(work).then(resolve, reject).finally(release);
      if (running < concurrency) {
        running++;
        start();
      } else push({ rank, seq: seq++, start });
    });
}
