#!/usr/bin/env node
// The `papers` operator CLI. tsx runs the TypeScript sources directly, so there is no build step to forget.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
