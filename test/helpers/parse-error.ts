import { ParseError } from '../../src/errors';

/** The ParseError a call throws, so tests assert its exact fields; fails when it throws none or another error. */
export function thrownParseError(run: () => unknown): ParseError {
  try {
    run();
  } catch (err) {
    if (err instanceof ParseError) return err;
    throw err;
  }
  throw new Error('expected a ParseError');
}
