import { ParseError } from '../../src/errors';
import { parseListing } from '../../src/parse/index';

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

/** The ParseError parseListing throws for this text. */
export function listingParseError(text: string, opts?: Parameters<typeof parseListing>[1]): ParseError {
  return thrownParseError(() => parseListing(text, opts));
}
