import type { Writable } from 'node:stream';

/** How often a terminal's progress line is redrawn, and a log's progress line written. */
const TTY_EVERY_MS = 200;
const LOG_EVERY_MS = 5_000;

export interface Progress {
  /** `done` of the total are done now. */
  update(done: number): void;
  /** All done: the last figures, and on a terminal the end of the line. */
  finish(): void;
}

/**
 * Progress of long work (`papers import` of a large file): on a terminal, one line redrawn in place
 * with done / total, the rate and the time left; elsewhere (a log, a pipe) a plain line every few
 * seconds, so a log shows the work moving without a line per batch.
 */
export function progress(
  out: Writable & { isTTY?: boolean },
  what: { label: string; unit: string; total: number },
  now: () => number = () => performance.now(),
): Progress {
  const started = now();
  let shown = Number.NEGATIVE_INFINITY;
  let done = 0;
  const line = () => {
    const seconds = Math.max((now() - started) / 1000, 1e-3);
    const rate = done / seconds;
    const left = rate > 0 ? Math.ceil((what.total - done) / rate) : null;
    const percent = what.total > 0 ? Math.floor((100 * done) / what.total) : 100;
    return `${what.label}: ${done.toLocaleString('en')}/${what.total.toLocaleString('en')} ${what.unit} (${percent}%), ${Math.round(rate).toLocaleString('en')} ${what.unit}/s, ${left === null ? 'time left unknown' : `${left} s left`}`;
  };
  const show = (force: boolean) => {
    const t = now();
    if (!force && t - shown < (out.isTTY ? TTY_EVERY_MS : LOG_EVERY_MS)) return;
    shown = t;
    out.write(out.isTTY ? `\r\u001b[2K${line()}` : `${line()}\n`);
  };
  return {
    update(n) {
      done = n;
      show(false);
    },
    finish() {
      show(true);
      if (out.isTTY) out.write('\n');
    },
  };
}
