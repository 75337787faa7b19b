/**
 * Errors that carry a message meant for a person. Anything else that escapes is a bug:
 * adapters and the CLI log it and show a generic line, never a stack trace.
 */

/** Bad input from a chat user (arguments, unknown paper...). The message says what is accepted. */
export class UserError extends Error {
  override name = 'UserError';
}

/** Input that could not be parsed as a listing: which format, what was wrong, and where. */
export class ParseError extends Error {
  override name = 'ParseError';
  constructor(
    readonly format: string,
    readonly detail: string,
    readonly where?: string,
  ) {
    super(`${format}: ${detail}${where ? ` (at ${where})` : ''}`);
  }
}

/** Invalid settings (environment, config file, DATABASE_URL). Fatal at start: one line, exit non-zero. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
