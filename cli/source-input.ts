import { FetchError, fetchText } from '../src/sources/fetch';
import { CliError, type CliContext } from './context';
import { readListingInput } from './listing';

/**
 * An operator waits at the terminal: one quick retry, then a clear line, rather than the
 * refresher's patient backoff.
 */
const CLI_FETCH = { retries: 1, baseDelayMs: 500 } as const;

export function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

/** The text of a listing named on the command line: an http(s) URL fetched as is, a file, or `-` for stdin. */
export async function readSource(source: string, ctx: CliContext): Promise<string> {
  if (!isUrl(source)) return readListingInput(source, ctx);
  try {
    const res = await fetchText(source, CLI_FETCH);
    if (res.notModified) throw new CliError(`cannot fetch ${source}: 304 Not Modified to a request that sent no validators`, 1);
    return res.text;
  } catch (err) {
    if (err instanceof FetchError) throw new CliError(err.message, 1);
    throw err;
  }
}
