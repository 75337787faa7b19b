// Mutation testing of the modules where a silent bug costs most (TESTING.md): `npm run mutate`.
// Repeat runs are incremental: only mutants in changed code, or covered by changed tests, run again.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  // Where a silent bug costs most (issue 22), narrowed inside a module where TESTING.md says why.
  mutate: [
    // Delivery claims and fan-out: the claim and its heartbeat, the fan-out, and in delivery.ts the
    // exactly-once path (weekly guard, plan, resume, send with retry, record, finish, failure).
    'src/schedule/claims.ts',
    'src/schedule/fanout.ts',
    'src/schedule/delivery.ts:142-212',
    'src/schedule/delivery.ts:232-398',
    'src/store/repositories/{bookmarks,deliveries,posts}.ts',
    'src/rank/{rank,merge,topics}.ts',
    'commands/top.ts',
    'src/parse/**/*.ts',
    'adapters/*/render.ts',
    'commands/{bookmarks,subscribe,unsubscribe}.ts',
  ],
  plugins: ['@stryker-mutator/*', './stryker/ignorers.mjs'],
  // No mutants in log calls, in the names kysely type-checks, nor in error wording (stryker/ignorers.mjs says why).
  ignorers: ['LogCalls', 'KyselyNames', 'ErrorWording'],
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutate.config.ts' },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
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
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 85, low: 70, break: null },
  tempDirName: '.stryker-tmp',
  ignorePatterns: ['dist', 'data', 'bench/out', 'reports', 'coverage'],
  timeoutMS: 10_000,
  dryRunTimeoutMinutes: 15,
};
