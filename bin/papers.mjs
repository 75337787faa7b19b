#!/usr/bin/env node
// The `papers` operator CLI. It runs the compiled build in dist/ (made by `npm run build`, which
// `npm ci`, `npm start` and `npm test` run) when that build is newer than every source file, and
// otherwise the TypeScript sources through tsx. Loading the sources through tsx's hooks costs
// ~2.5 s of CPU at every start, the build ~1 s; checking the sources' times costs a few ms, and
// means an edited file is never shadowed by an older build.
import { readFileSync, readdirSync, statSync } from 'node:fs';

const root = new URL('../', import.meta.url);
/** Must match SOURCES in scripts/build.mjs. */
const SOURCES = ['src', 'commands', 'adapters', 'cli'];

/** When the build in dist/ started (scripts/build.mjs writes it last), or null without a complete build. */
function buildStartedAt() {
  try {
    return Number(readFileSync(new URL('dist/BUILD', root), 'utf8'));
  } catch {
    return null;
  }
}

function sourcesChangedSince(time) {
  return SOURCES.some((dir) =>
    readdirSync(new URL(`${dir}/`, root), { recursive: true }).some((file) => statSync(new URL(`${dir}/${file}`, root)).mtimeMs > time),
  );
}

const built = buildStartedAt();
const useBuild = built !== null && !sourcesChangedSince(built);
if (!useBuild) (await import('tsx/esm/api')).register();

// `papers parse x | head` closes the pipe early: that is the reader being done, not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});
const { main } = useBuild ? await import('../dist/cli/main.js') : await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
// The command is over: a library's leftover timer or socket (discord.js reconnecting after a failed
// login) must not keep the process up and deaf to signals. Unref'd: a clean exit is not delayed.
setTimeout(() => process.exit(), 3_000).unref();
