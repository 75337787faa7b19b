import { defineConfig } from 'vitest/config';
import { currentGroup } from './stryker/groups.mjs';

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

/** Tests that fake node-cron's clock, or mock node:timers/promises, need their own module instances. */
const ownModules = ['test/schedule/{scheduler-dst,scheduler-on-time,weekly,retry-backoff}.test.ts'];

/** Under `npm run mutate`, the tests of the group being run (stryker/groups.mjs); all of them otherwise. */
const group = currentGroup();

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          ...shared,
          name: 'shared-modules',
          include: group?.tests ?? [
            'test/schedule/{claims,config-file,delivery,fanout,fanout-reports,messages,post-with-retry,scheduler,time}.test.ts',
            'test/store/{store,concurrency,threads}.test.ts',
            'test/unit/*.test.ts',
            'test/commands/{bookmarks,subscribe,today-top,reactions,text-dispatch}.test.ts',
            'test/digest/today-cache.test.ts',
            'test/arxiv/*.test.ts',
            'test/adapters/{discord-render,slack-render,console,frozen-replies}.test.ts',
            // What each renderer shows, exactly, and its platform's limits: these import only a renderer.
            'test/adapters/{discord,slack,console}-render-layout.test.ts',
            'test/subscriptions/*.test.ts',
          ],
          // Files of one run share a worker and its loaded modules. Not across runs: vitest 4 stops a
          // worker once no other file is queued, so each mutant run imports its test files' modules
          // afresh (1 to 6 s a file here; TESTING.md, how long a run takes).
          isolate: false,
        },
      },
      ...(group && !group.ownModules ? [] : [{ test: { ...shared, name: 'own-modules', include: group?.ownModules ?? ownModules } }]),
    ],
  },
});
