import { loadBotConfig } from '../adapters/index';
import { ParseError, errorMessage } from '../src/errors';
import { parseListing } from '../src/parse/index';
import { openStore } from '../src/store/open';
import { CliError, type CliContext } from './context';
import { formatOption, parseCliArgs, reportSkipped, todayOption } from './listing';
import { readSource } from './source-input';

const USAGE = 'usage: papers import [--format auto|hf-text|hf-api|hf-html|arxiv] [--today YYYY-MM-DD] FILE|URL|- ...';

/**
 * `papers import`: loads listings (files, URLs, stdin) into the store, for backfills from archives
 * and offline seeding. Each input gets one line saying how many papers were new or updated; an
 * input that cannot be read or parsed is reported and the others still load (exit 1).
 */
export async function run(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseCliArgs(args, { format: { type: 'string' }, today: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, USAGE);
  if (values.help) {
    ctx.stdout.write(`${USAGE}\n`);
    return 0;
  }
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
        const { inserted, updated, unchanged } = await store.papers.upsert(parsed.papers, new Date());
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
