import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { calendarDate } from '../src/parse/fields';
import { LISTING_FORMATS, type EntryError, type ListingFormat } from '../src/parse/index';
import { CliError, type CliContext } from './context';

/** Helpers shared by the commands that read a listing (`papers parse`, `papers digest`). */

/** The text of a file (relative to the working directory) or of stdin for `-`. */
export async function readListingInput(source: string, ctx: CliContext): Promise<string> {
  if (source === '-') return readAll(ctx.stdin);
  try {
    return await readFile(path.resolve(ctx.cwd, source), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : String(code ?? err);
    throw new CliError(`cannot read ${source}: ${why}`, 2);
  }
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

export function formatOption(value: string | undefined): 'auto' | ListingFormat {
  if (value === undefined || value === 'auto') return 'auto';
  if ((LISTING_FORMATS as readonly string[]).includes(value)) return value as ListingFormat;
  throw new CliError(`--format must be one of auto, ${LISTING_FORMATS.join(', ')}; got "${value}"`, 2);
}

/** `--today YYYY-MM-DD`, a real calendar day. */
export function todayOption(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m || !calendarDate(Number(m[1]), Number(m[2]), Number(m[3]))) throw new CliError(`--today must be a date as YYYY-MM-DD, got "${value}"`, 2);
  return value;
}

/** A whole number option within [min, max]. */
export function intOption(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new CliError(`--${name} must be a whole number from ${min} to ${max}, got "${value}"`, 2);
  return n;
}

/** The entries a listing could not use, one line each on stderr, so nothing is dropped silently. */
export function reportSkipped(command: string, errors: EntryError[], ctx: CliContext): void {
  for (const e of errors) ctx.stderr.write(`papers ${command}: skipped a bad entry at ${e.where}: ${e.message}\n`);
}
