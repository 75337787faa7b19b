import { parseListing } from '../src/parse/index';
import { CliError, type CliContext } from './context';
import { commandArgs } from './args';
import { formatOption, readListingInput, reportSkipped, todayOption } from './listing';

const USAGE = 'usage: papers parse FILE|- [--format auto|hf-text|hf-api|hf-html|arxiv] [--today YYYY-MM-DD]';

/** `papers parse`: a listing (file or stdin) as a JSON array of Paper on stdout. */
export async function run(args: string[], ctx: CliContext): Promise<number> {
  const parsed = commandArgs(args, ctx, USAGE, { format: { type: 'string' }, today: { type: 'string' } });
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new CliError(`expected one FILE or - (stdin)\n${USAGE}`, 2);
  const format = formatOption(values.format);
  const today = todayOption(values.today);

  const text = await readListingInput(positionals[0]!, ctx);
  const { papers, errors } = parseListing(text, { format, today });
  reportSkipped('parse', errors, ctx);
  ctx.stdout.write(`${JSON.stringify(papers, null, 2)}\n`);
  return 0;
}
