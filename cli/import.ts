import { loadBotConfig } from '../adapters/index';
import { ParseError, errorMessage } from '../src/errors';
import { parseListing } from '../src/parse/index';
import type { Paper } from '../src/model/paper';
import { openStore } from '../src/store/open';
import type { PaperUpsertResult, Store } from '../src/store/types';
import { CliError, type CliContext } from './context';
import { commandArgs } from './args';
import { formatOption, reportSkipped, todayOption } from './listing';
import { progress } from './progress';
import { readSource } from './source-input';

const USAGE = 'usage: papers import [--format auto|hf-text|hf-api|hf-html|arxiv] [--today YYYY-MM-DD] FILE|URL|- ...';

/**
 * `papers import`: loads listings (files, URLs, stdin) into the store, for backfills from archives
 * and offline seeding. Each input gets one line saying how many papers were new or updated; an
 * input that cannot be read or parsed is reported and the others still load (exit 1).
 */
export async function run(args: string[], ctx: CliContext): Promise<number> {
  const parsed = commandArgs(args, ctx, USAGE, { format: { type: 'string' }, today: { type: 'string' } });
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  if (positionals.length === 0) throw new CliError(`nothing to import\n${USAGE}`, 2);
  const format = formatOption(values.format);
  const today = todayOption(values.today);

  const store = await openStore(loadBotConfig(ctx.env, ctx.cwd).databaseUrl);
  let failed = 0;
  try {
    for (const input of positionals) {
      try {
        const text = await readSource(input, ctx);
        const parsed = parseListing(text, { format, today });
        reportSkipped('import', parsed.errors, ctx);
        const { inserted, updated, unchanged } = await storeInBatches(store, parsed.papers, input, ctx);
        const n = parsed.papers.length;
        ctx.stdout.write(`${input}: ${n} paper${n === 1 ? '' : 's'} (${parsed.format}): ${inserted} new, ${updated} updated, ${unchanged} unchanged\n`);
      } catch (err) {
        if (!(err instanceof CliError || err instanceof ParseError)) throw err;
        failed++;
        // Read and fetch errors already name the input; a parse error says where, not which input.
        ctx.stderr.write(`papers import: ${err instanceof ParseError ? `${input}: ` : ''}${errorMessage(err)}\n`);
      }
    }
  } finally {
    await store.close();
  }
  return failed > 0 ? 1 : 0;
}

/** Papers per write: a large file is stored in steps that progress can be shown between. */
const BATCH = 5_000;

/**
 * Stores a file's papers BATCH at a time, showing progress on stderr when there is more than one
 * batch. Each batch is its own transaction: an import cut off midway keeps what it stored, and
 * running it again stores the rest (upserts are idempotent).
 */
async function storeInBatches(store: Store, papers: Paper[], input: string, ctx: CliContext): Promise<PaperUpsertResult> {
  const total: PaperUpsertResult = { inserted: 0, updated: 0, unchanged: 0 };
  const shown = papers.length > BATCH ? progress(ctx.stderr, { label: `papers import: ${input}`, unit: 'papers', total: papers.length }) : null;
  const seenAt = new Date();
  for (let i = 0; i < papers.length; i += BATCH) {
    const r = await store.papers.upsert(papers.slice(i, i + BATCH), seenAt);
    total.inserted += r.inserted;
    total.updated += r.updated;
    total.unchanged += r.unchanged;
    shown?.update(Math.min(i + BATCH, papers.length));
  }
  shown?.finish();
  return total;
}
