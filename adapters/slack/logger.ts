import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../../src/log';

const PINO_LEVEL: Record<LogLevel, string> = {
  [LogLevel.DEBUG]: 'debug',
  [LogLevel.INFO]: 'info',
  [LogLevel.WARN]: 'warn',
  [LogLevel.ERROR]: 'error',
};

/**
 * Bolt and its Web API client log through this, so their lines are pino JSON on stderr like ours
 * (and pass the same secret scrubbing) instead of plain console output.
 */
export function boltLogger(log: Logger): BoltLogger {
  const child = log.child({ lib: 'bolt' });
  const line = (msg: unknown[]) => msg.map((m) => (typeof m === 'string' ? m : m instanceof Error ? m.message : JSON.stringify(m))).join(' ');
  return {
    debug: (...msg) => child.debug(line(msg)),
    info: (...msg) => child.info(line(msg)),
    warn: (...msg) => child.warn(line(msg)),
    error: (...msg) => child.error(line(msg)),
    // pino's level is set once from LOG_LEVEL; Bolt's own requests to change it are ignored.
    setLevel: () => {},
    getLevel: () => (Object.keys(PINO_LEVEL) as LogLevel[]).find((l) => PINO_LEVEL[l] === child.level) ?? LogLevel.ERROR,
    setName: () => {},
  };
}
