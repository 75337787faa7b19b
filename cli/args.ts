import { parseArgs, type ParseArgsConfig } from 'node:util';
import { errorMessage } from '../src/errors';
import { CliError, type CliContext } from './context';

type Options = NonNullable<ParseArgsConfig['options']>;
const HELP = { help: { type: 'boolean', short: 'h' } } as const;

/**
 * A command's arguments, as every `papers` command takes them: node:util parseArgs (strict), plus
 * -h/--help, which prints the usage and gives null (the command then exits 0). An unknown option,
 * a missing value, or with `noPositionals` any argument, is a usage error (exit 2).
 */
export function commandArgs<O extends Options>(args: string[], ctx: CliContext, usage: string, options: O, { noPositionals = false } = {}) {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: O & typeof HELP; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args, options: { ...options, ...HELP }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new CliError(`${errorMessage(err)}\n${usage}`, 2);
  }
  // parseArgs's types cannot see `help` through the generic options.
  if ((parsed.values as { help?: boolean }).help) {
    ctx.stdout.write(`${usage}\n`);
    return null;
  }
  if (noPositionals && parsed.positionals.length > 0) throw new CliError(`unexpected argument "${parsed.positionals[0]}"\n${usage}`, 2);
  return parsed;
}
