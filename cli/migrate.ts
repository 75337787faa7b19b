import { loadBotConfig } from '../adapters/index';
import { openStore } from '../src/store/open';
import { commandArgs } from './args';
import type { CliContext } from './context';
import { progress, type Progress } from './progress';

const USAGE = 'usage: papers migrate (applies pending migrations to DATABASE_URL, default sqlite:./data/papers.db)';

/** `papers migrate`: brings the database named by DATABASE_URL to this version's schema and says from → to. */
export async function run(args: string[], ctx: CliContext): Promise<number> {
  if (!commandArgs(args, ctx, USAGE, {}, { noPositionals: true })) return 0;
  const config = loadBotConfig(ctx.env, ctx.cwd);
  const store = await openStore(config.databaseUrl, { migrate: false, cwd: ctx.cwd });
  try {
    // A line as each migration starts and ends, and the progress of those that can take minutes on
    // a large store (0007 indexing every paper) as `papers import` shows its own.
    let shown: { name: string; progress: Progress } | null = null;
    const { from, to } = await store.migrate((step) => {
      if (step.work) {
        if (shown?.name !== step.name) shown = { name: step.name, progress: progress(ctx.stderr, { label: `papers migrate: ${step.name}`, ...step.work }) };
        shown.progress.update(step.work.done);
        return;
      }
      if (step.done && shown?.name === step.name) shown.progress.finish();
      ctx.stderr.write(
        step.done
          ? `papers migrate: ${step.name} done in ${((step.ms ?? 0) / 1000).toFixed(1)} s (${step.index}/${step.total})\n`
          : `papers migrate: applying ${step.name} (${step.index}/${step.total})\n`,
      );
    });
    ctx.stdout.write(from === to ? `database is up to date at version ${to}\n` : `migrated database from version ${from} to ${to}\n`);
    return 0;
  } finally {
    await store.close();
  }
}
