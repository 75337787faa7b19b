import { ConfigError, ParseError, UserError, errorMessage } from '../src/errors';
import { CliError, type CliCommand, type CliContext } from './context';

/** Operator commands, each in its own module, loaded only when used so `papers parse` starts fast. */
const COMMANDS: Record<string, { summary: string; load: () => Promise<{ run: CliCommand }> }> = {
  parse: { summary: 'parse a listing (file or -) and print Paper JSON', load: () => import('./parse') },
  digest: { summary: 'print the ranked digest of a listing, a URL or the store', load: () => import('./digest') },
  import: { summary: 'load listings (files or URLs) into the store', load: () => import('./import') },
  start: { summary: 'run the bot: every configured adapter, the refresher and the scheduler', load: () => import('./start') },
  register: { summary: 'register the /papers slash command tree with Discord', load: () => import('./register') },
  'post-daily': { summary: 'run the daily fan-out now (safe while the bot runs)', load: () => import('./post-daily') },
  migrate: { summary: 'apply database migrations', load: () => import('./migrate') },
  'rest-proxy': { summary: 'serve one Discord REST client (rate limits) for every process of a deployment', load: () => import('./rest-proxy') },
  'rotate-key': { summary: 're-encrypt stored installations with a new PAPERS_SECRET_KEY', load: () => import('./rotate-key') },
};

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  return ['usage: papers <command> [options]', '', ...Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(width)}  ${c.summary}`)].join('\n');
}

function defaultContext(): CliContext {
  return {
    env: process.env,
    cwd: process.cwd(),
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    shutdownSignal: new Promise((resolve) => {
      for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => resolve(sig));
    }),
  };
}

/** Runs one operator command and returns the exit code. Known errors become one line on stderr. */
export async function main(argv: string[], ctx: CliContext = defaultContext()): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    (name ? ctx.stdout : ctx.stderr).write(`${usage()}\n`);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    ctx.stderr.write(`papers: unknown command "${name}" (try: ${Object.keys(COMMANDS).join(', ')})\n`);
    return 2;
  }
  try {
    const { run } = await command.load();
    return await run(rest, ctx);
  } catch (err) {
    ctx.stderr.write(`papers ${name}: ${oneLine(err)}\n`);
    if (err instanceof CliError) return err.code;
    if (err instanceof ParseError) return 2;
    return 1;
  }
}

function oneLine(err: unknown): string {
  const known = err instanceof CliError || err instanceof ConfigError || err instanceof ParseError || err instanceof UserError;
  const msg = errorMessage(err).split('\n')[0]!;
  return known ? msg : `unexpected error: ${msg}`;
}
