#!/usr/bin/env node
// The `papers` operator CLI. tsx runs the TypeScript sources directly, so there is no build step to forget.
import { register } from 'tsx/esm/api';

register();
// `papers parse x | head` closes the pipe early: that is the reader being done, not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
