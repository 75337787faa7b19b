// Mutation testing of the modules where a silent bug costs most (TESTING.md): `npm run mutate`.
// Repeat runs are incremental: only mutants in changed code, or covered by changed tests, run again.
import { writeFileSync } from 'node:fs';
import { currentGroup, GROUPS } from './stryker/groups.mjs';

const group = currentGroup();
const name = group ? `-${group.name}` : '';
const mutate = group ? group.mutate : GROUPS.flatMap((g) => g.mutate);

// The TypeScript checker's project: the mutated modules and what they import, not what imports
// them. The checker builds its program afresh for every mutant and re-parses each of its files
// (1,419 with the whole tree, mostly the platforms' type definitions); with only the mutated
// modules' closure fan-out's 75 mutants took 1.9 instead of 3.5 minutes, with the same compile
// errors. A mutant that breaks only a caller's types is then tested rather than dropped.
// Each mutated module must be named (the checker watches only those), and tsconfig has no braces.
const checkerProject = `stryker/.tsconfig${name}.json`;
const modules = new Set(mutate.flatMap((m) => withoutBraces(`../${m.replace(/:.*$/, '')}`)));
writeFileSync(checkerProject, JSON.stringify({ extends: '../tsconfig.json', include: [...modules] }, null, 2));

/** `a/{b,c}.ts` as `a/b.ts` and `a/c.ts`. */
function withoutBraces(glob) {
  const m = glob.match(/^(.*?)\{([^}]*)\}(.*)$/);
  return m ? m[2].split(',').flatMap((alt) => withoutBraces(m[1] + alt + m[3])) : [glob];
}

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  // Where a silent bug costs most (issue 22), narrowed inside a module where TESTING.md says why:
  // one group's modules under `npm run mutate` (stryker/groups.mjs), all of them under a plain `npx stryker run`.
  mutate,
  plugins: ['@stryker-mutator/*', './stryker/ignorers.mjs'],
  // No mutants in log calls, in the names kysely type-checks, nor in error wording (stryker/ignorers.mjs says why).
  ignorers: ['LogCalls', 'KyselyNames', 'ErrorWording'],
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutate.config.ts' },
  checkers: ['typescript'],
  tsconfigFile: checkerProject,
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  coverageAnalysis: 'perTest',
  // Mutants in module-level constants (regexes, tables) take effect only when modules load, so each
  // reloads the test environment and runs every test: on topics.ts 10 of 49 mutants were 96% of
  // the time. They are left out of the score (TESTING.md says how many per module).
  ignoreStatic: true,
  // Stryker gives half of these to TypeScript checkers, which idle once they are ahead of the
  // test runners: 4 keeps two test runners busy on two cores.
  concurrency: 4,
  incremental: true,
  incrementalFile: `reports/stryker-incremental${name}.json`,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `reports/mutation/mutation${name}.html` },
  jsonReporter: { fileName: `reports/mutation/mutation${name}.json` },
  thresholds: { high: 85, low: 70, break: null },
  tempDirName: '.stryker-tmp',
  ignorePatterns: ['dist', 'data', 'bench/out', 'reports', 'coverage'],
  timeoutMS: 10_000,
  dryRunTimeoutMinutes: 15,
};
