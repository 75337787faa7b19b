import type { Plugin } from 'vite';
import type { PoolRunnerInitializer, PoolWorker, WorkerRequest } from 'vitest/node';
import { ThreadsPoolWorker } from 'vitest/node';

/**
 * A vitest pool for mutation runs whose worker thread outlives each run, so every mutant after the
 * first finds the modules its tests import already loaded (TESTING.md, how long a run takes).
 *
 * vitest 4 stops a worker once no other file is queued for it: each of Stryker's mutant runs
 * (one `vitest.start`) began with a fresh thread that imported its test files' module graphs again,
 * 1 to 6 s a file. Here the thread is kept: a run's "stop" is answered for it, the next run's
 * "start" hands the thread its new configuration (Stryker's test filter), and vitest re-imports
 * each test file (and setup file) on every run, as it does between files of one non-isolated run.
 * Only the modules under test stay loaded, which is what mutant switching expects: Stryker
 * switches a mutant on at run time, except for module-level constants, which `ignoreStatic`
 * leaves out (each of those would need a fresh thread).
 */
export function keptThreads(): Plugin {
  const pool = keptThreadsPool();
  return {
    name: 'kept-threads',
    // Stryker's vitest runner asks for the "threads" pool in options that override the config's
    // own `pool`; a plugin sets the project's pool after them.
    configureVitest({ project }) {
      project.config.pool = pool.name;
      project.config.poolRunner = pool;
    },
  };
}

function keptThreadsPool(): PoolRunnerInitializer {
  const threads = new Map<string, ThreadsPoolWorker>();
  return {
    name: 'kept-threads',
    createPoolWorker(options) {
      const key = options.project.name;
      let thread = threads.get(key);
      const fresh = !thread;
      if (!thread) {
        thread = new ThreadsPoolWorker(options);
        threads.set(key, thread);
      }
      return new KeptThread(thread, fresh, () => threads.delete(key));
    },
  };
}

type Listener = (arg: unknown) => void;

/** One run's view of the kept thread: it listens while the run lasts and never stops the thread. */
class KeptThread implements PoolWorker {
  readonly name = 'kept-threads';
  private readonly listeners: [string, Listener][] = [];

  constructor(
    private readonly thread: ThreadsPoolWorker,
    private readonly fresh: boolean,
    private readonly forget: () => void,
  ) {}

  on(event: string, listener: Listener): void {
    this.thread.on(event, listener);
    this.listeners.push([event, listener]);
    // A thread that died (a mutant's endless loop, a crash) is not kept for the next run.
    if (event === 'exit') this.thread.on('exit', this.forget);
  }

  off(event: string, listener: Listener): void {
    this.thread.off(event, listener);
    const i = this.listeners.findIndex(([e, l]) => e === event && l === listener);
    if (i >= 0) this.listeners.splice(i, 1);
  }

  send(message: WorkerRequest): void {
    if (message.type !== 'stop') {
      this.thread.send(message);
      return;
    }
    // The thread would tear itself down on "stop" (it stops listening for good): answer for it.
    const stopped = { type: 'stopped', __vitest_worker_response__: true };
    queueMicrotask(() => {
      for (const [event, listener] of [...this.listeners]) if (event === 'message') listener(stopped);
    });
  }

  deserialize(data: unknown): unknown {
    return data;
  }

  async start(): Promise<void> {
    // Starting pipes the thread's output to vitest's: once per thread.
    if (this.fresh) await this.thread.start();
  }

  async stop(): Promise<void> {
    for (const [event, listener] of this.listeners.splice(0)) this.thread.off(event, listener);
    this.thread.off('exit', this.forget);
  }
}
