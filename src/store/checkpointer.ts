import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** How often the background connection copies committed pages from the WAL into the database. */
const CHECKPOINT_EVERY_MS = 1_000;

/**
 * The worker's code, plain CommonJS (eval'd, so no TypeScript loader): its own connection to the
 * file, a PASSIVE checkpoint on a timer (it never waits for a lock, and never blocks the writer),
 * and a clean close when told.
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 0');
const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or locked: the next tick tries again, and SQLite's own checkpoint bounds the WAL meanwhile.
  }
};
const timer = setInterval(checkpoint, workerData.everyMs);
parentPort.once('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/**
 * Checkpoints an SQLite database in WAL mode from a worker thread. SQLite's automatic checkpoint
 * runs inside the commit that fills the WAL past its limit, on the caller's thread: the bot's
 * event loop stood still 10–30 ms for each one in a burst of commands (it writes the pages back
 * and syncs the file), ~30 µs a command on average. The caller keeps SQLite's own checkpoint at a
 * larger limit (wal_autocheckpoint) in case this one falls behind.
 */
export function backgroundCheckpoints(file: string): { stop(): Promise<void> } {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER, { eval: true, workerData: { file, driver, everyMs: CHECKPOINT_EVERY_MS } });
  // It must not keep a finished command alive; stop() closes its connection when the store closes.
  worker.unref();
  // A worker that cannot open the file leaves checkpoints to SQLite's own, as without it.
  worker.on('error', () => {});
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    async stop() {
      // Held until it has closed its connection: a process awaiting this must not exit first.
      worker.ref();
      worker.postMessage('close');
      await exited;
    },
  };
}
