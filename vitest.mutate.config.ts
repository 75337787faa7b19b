import { defineConfig } from 'vitest/config';

/**
 * The tests `npm run mutate` runs against each mutant: the in-process tests of the modules that
 * stryker.config.mjs mutates. Tests that drive a child process or the real discord.js / Bolt
 * clients are left out: a child process runs the original code, not the mutant, and a client
 * start costs seconds per mutant.
 */
const shared = {
  // Read by tests that start child processes, which skip themselves (see above).
  env: { PAPERS_MUTATE: '1' },
  // Generous: the mutants run beside other work, and the checkers share the cores.
  testTimeout: 120_000,
  hookTimeout: 120_000,
};

/** Tests that fake node-cron's clock need their own module instances. */
const ownModules = ['test/schedule/{scheduler-dst,scheduler-on-time,weekly}.test.ts'];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          ...shared,
          name: 'shared-modules',
          include: [
            'test/schedule/{claims,config-file,fanout,messages,scheduler,time}.test.ts',
            'test/store/{store,concurrency,threads}.test.ts',
            'test/unit/*.test.ts',
            'test/commands/{bookmarks,subscribe,today-top,reactions,text-dispatch}.test.ts',
            'test/digest/today-cache.test.ts',
            'test/arxiv/*.test.ts',
            'test/adapters/{discord-render,slack-render,console,frozen-replies}.test.ts',
            'test/subscriptions/*.test.ts',
          ],
          // Modules stay loaded between the runs of one test runner (Stryker switches mutants at
          // run time), which saves importing kysely, discord.js and the rest for every mutant.
          isolate: false,
        },
      },
      { test: { ...shared, name: 'own-modules', include: ownModules } },
    ],
  },
});
