import type { RankedPaper } from '../src/model/paper';
import { parseListing, type EntryError, type ListingFormat } from '../src/parse/index';
import { rank } from '../src/rank/rank';
import { parseTopics } from '../src/rank/topics';
import { loadBotConfig } from '../adapters/index';
import { openStore } from '../src/store/open';
import { selectDigest } from '../src/digest/select';
import { UserError } from '../src/errors';
import { CliError, type CliContext } from './context';
import { commandArgs } from './args';
import { formatOption, intOption, reportSkipped, todayOption } from './listing';
import { readSource } from './source-input';

const USAGE =
  'usage: papers digest [--source FILE|URL|-] [--format auto|hf-text|hf-api|hf-html|arxiv] [--limit N] [--topics a,b,-c] [--min-upvotes N] [--half-life DAYS] [--today YYYY-MM-DD] [--json]';
const DEFAULT_LIMIT = 10;

interface DigestOptions {
  now: Date;
  today: string;
  limit: number;
  topics: string[];
  minUpvotes: number;
  halfLifeDays?: number;
}

/**
 * `papers digest`: the ranked top papers of a listing (`--source`), or of the store's most recent
 * Daily Papers list, as a channel would get them.
 */
export async function run(args: string[], ctx: CliContext): Promise<number> {
  const parsed = commandArgs(
    args,
    ctx,
    USAGE,
    {
      source: { type: 'string' },
      format: { type: 'string' },
      limit: { type: 'string' },
      topics: { type: 'string' },
      'min-upvotes': { type: 'string' },
      'half-life': { type: 'string' },
      today: { type: 'string' },
      json: { type: 'boolean' },
    },
    { noPositionals: true },
  );
  if (!parsed) return 0;
  const { values } = parsed;
  const givenToday = todayOption(values.today);
  // With --today the digest is computed as at the start of that day (UTC), so output is reproducible.
  const now = givenToday ? new Date(`${givenToday}T00:00:00Z`) : new Date();
  const opts: DigestOptions = {
    now,
    today: givenToday ?? now.toISOString().slice(0, 10),
    limit: intOption('limit', values.limit, 1, 1000) ?? DEFAULT_LIMIT,
    topics: topicsOption(values.topics),
    minUpvotes: intOption('min-upvotes', values['min-upvotes'], 0, 1_000_000) ?? 0,
    halfLifeDays: intOption('half-life', values['half-life'], 1, 3650),
  };

  let ranked: RankedPaper[];
  if (values.source !== undefined) {
    const text = await readSource(values.source, ctx);
    const result = digestOfListing(text, formatOption(values.format), opts);
    reportSkipped('digest', result.errors, ctx);
    ranked = result.ranked;
  } else {
    ranked = await digestOfStore(ctx, opts);
  }
  ctx.stdout.write(values.json ? `${JSON.stringify(ranked.map(flatten), null, 2)}\n` : renderText(ranked));
  return 0;
}

/** The digest of a listing's text, whatever it was read from (file, stdin, URL). */
export function digestOfListing(text: string, format: 'auto' | ListingFormat, opts: DigestOptions): { ranked: RankedPaper[]; errors: EntryError[] } {
  const { papers, errors } = parseListing(text, { format, today: opts.today });
  return { ranked: rank(papers, opts), errors };
}

/** The digest of the store's most recent list on or before today, ranked like the daily post. */
async function digestOfStore(ctx: CliContext, opts: DigestOptions): Promise<RankedPaper[]> {
  const store = await openStore(loadBotConfig(ctx.env, ctx.cwd).databaseUrl);
  try {
    const { listDate, ranked } = await selectDigest(
      store,
      { top: opts.limit, topics: opts.topics, minUpvotes: opts.minUpvotes },
      { now: opts.now, onOrBefore: opts.today },
    );
    if (!listDate) throw new CliError(`the store has no Daily Papers list on or before ${opts.today}: run "papers import" first, or pass --source FILE`);
    return ranked;
  } finally {
    await store.close();
  }
}

function topicsOption(value: string | undefined): string[] {
  if (value === undefined) return [];
  try {
    return parseTopics(value);
  } catch (err) {
    if (err instanceof UserError) throw new CliError(`--topics: ${err.message}`, 2);
    throw err;
  }
}

function flatten(r: RankedPaper) {
  return { rank: r.rank, score: r.score, reason: r.reason, ...r.paper };
}

/** One block per paper: rank and title, then upvotes · date · link, then why it ranks there. */
function renderText(ranked: RankedPaper[]): string {
  if (ranked.length === 0) return 'no papers match\n';
  const width = String(ranked.length).length;
  return ranked
    .map((r) => {
      const p = r.paper;
      const pad = ' '.repeat(width + 2);
      const link = p.url ?? p.pdfUrl ?? 'no link';
      return `${String(r.rank).padStart(width)}. ${p.title}\n${pad}${p.upvotes} upvote${p.upvotes === 1 ? '' : 's'} · ${p.publishedAt} · ${link}\n${pad}why: ${r.reason}\n`;
    })
    .join('\n');
}
