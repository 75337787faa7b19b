import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/log';

/** A real pino logger whose JSON lines are kept for assertions. */
export function captureLog(): { log: Logger; events: () => Record<string, unknown>[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const log = createLogger({ level: 'debug', destination });
  return { log, events: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}
