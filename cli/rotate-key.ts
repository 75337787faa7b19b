import { loadBotConfig } from '../adapters/index';
import { openStore } from '../src/store/open';
import { createSecretBox, resealInstallations } from '../src/store/secret-box';
import { CliError, type CliContext } from './context';
import { commandArgs } from './args';

const USAGE = 'usage: papers rotate-key  (re-encrypts every stored installation with PAPERS_SECRET_KEY; set the old key as PAPERS_SECRET_KEY_PREVIOUS)';

/**
 * `papers rotate-key`: after a new PAPERS_SECRET_KEY was set (the old one as PAPERS_SECRET_KEY_PREVIOUS,
 * which running bots accept meanwhile), rewrites every installation sealed with the old key, or
 * stored before encryption, with the new one. Then the previous key can go.
 */
export async function run(args: string[], ctx: CliContext): Promise<number> {
  if (!commandArgs(args, ctx, USAGE, {}, { noPositionals: true })) return 0;
  const config = loadBotConfig(ctx.env, ctx.cwd);
  if (!config.secretKeys) throw new CliError(`PAPERS_SECRET_KEY is not set\n${USAGE}`, 2);
  const store = await openStore(config.databaseUrl, { cwd: ctx.cwd });
  try {
    const rewritten = await resealInstallations(store, createSecretBox(config.secretKeys));
    const total = (await store.installations.list()).length;
    const next = config.secretKeys.previous ? '; PAPERS_SECRET_KEY_PREVIOUS can now be removed' : '';
    ctx.stdout.write(`re-encrypted ${rewritten} of ${total} installation(s) with PAPERS_SECRET_KEY${next}\n`);
    return 0;
  } finally {
    await store.close();
  }
}
