import type { Readable, Writable } from 'node:stream';
import type { Env } from '../src/config/load';

/** What an operator command may touch: injectable so tests run commands in-process. */
export interface CliContext {
  env: Env;
  cwd: string;
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  /** Resolves when the operator asks the process to stop (SIGTERM/SIGINT). */
  shutdownSignal: Promise<string>;
}

/** An operator mistake: printed as one line on stderr, exit with `code`. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly code = 1,
  ) {
    super(message);
  }
}

export type CliCommand = (args: string[], ctx: CliContext) => Promise<number>;
