/**
 * Starts a bench thread and calls it one request at a time (benchThread), and the thread's side of
 * it (answerCalls): the platform thread (platform-thread.ts: the fakes, and the latency bench's
 * load), shared by the latency and fan-out benches, and the latency bench's target threads
 * (target-thread.ts: the bot or its floor).
 */
import { parentPort, Worker } from 'node:worker_threads';
import type { PlatformCall } from './platform-thread';

const PLATFORM_THREAD = new URL('./platform-thread.ts', import.meta.url).href;

export type PlatformThread = ReturnType<typeof platformThread>;

export function platformThread() {
  return benchThread<PlatformCall>(PLATFORM_THREAD);
}

/** A thread running the TypeScript module at `moduleUrl`, which answers each message with `{ result }` or `{ error }`. */
export function benchThread<Call extends { op: string }>(moduleUrl: string) {
  // Workers do not inherit tsx's loader, so the thread loads its TypeScript through tsx's API.
  const worker = new Worker(`import('tsx/esm/api').then((tsx) => tsx.tsImport(${JSON.stringify(moduleUrl)}, ${JSON.stringify(import.meta.url)}))`, {
    eval: true,
  });
  // A thread that fails to load or dies would otherwise leave the bench waiting for an answer forever.
  let died: Error | undefined;
  const fail = new Set<(err: Error) => void>();
  const die = (err: Error) => {
    died ??= err;
    for (const reject of fail) reject(err);
  };
  worker.on('error', die);
  worker.on('exit', (code) => die(new Error(`bench thread exited (code ${code})`)));
  const call = <T>(message: Call | { op: 'close' }) =>
    new Promise<T>((resolve, reject) => {
      if (died) return reject(died);
      fail.add(reject);
      worker.once('message', (m: { result?: T; error?: string }) => {
        fail.delete(reject);
        if (m.error) reject(new Error(m.error));
        else resolve(m.result as T);
      });
      worker.postMessage(message);
    });
  return {
    call,
    /** The thread's event-loop utilisation, as performance.eventLoopUtilization() gives a thread's own. */
    utilization: worker.performance.eventLoopUtilization.bind(worker.performance),
    async close() {
      await call({ op: 'close' });
      await worker.terminate();
    },
  };
}

/** The thread's side: each message is answered with `{ result }`, or `{ error }` when `answer` throws. */
export function answerCalls<Call>(answer: (call: Call) => Promise<unknown>): void {
  parentPort!.on('message', (call: Call) => {
    answer(call).then(
      (result) => parentPort!.postMessage({ result }),
      (err: unknown) => parentPort!.postMessage({ error: String(err) }),
    );
  });
}
