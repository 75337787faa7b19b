// The modules `npm run mutate` mutates, in groups, each with the tests run against its mutants.
// A mutant runs only the tests that reach it, but each of their files is imported afresh for every
// mutant (TESTING.md, how long a run takes): a parser mutant also ran every command and store test
// that parses a fixture. Each group names the tests written for its modules; tests elsewhere that
// would kill more can only be left out, so a group's score is a floor for the whole suite's.
export const GROUPS = [
  {
    name: 'schedule',
    // The claim and its heartbeat, the fan-out, and in delivery.ts the exactly-once path.
    mutate: ['src/schedule/claims.ts', 'src/schedule/fanout.ts', 'src/schedule/delivery.ts:142-212', 'src/schedule/delivery.ts:232-398'],
    tests: ['test/schedule/{claims,delivery,fanout,fanout-reports,post-with-retry}.test.ts', 'test/store/{store,concurrency,threads}.test.ts'],
    // Tests that mock node:timers/promises need module instances of their own.
    ownModules: ['test/schedule/retry-backoff.test.ts'],
  },
  {
    name: 'store',
    mutate: ['src/store/repositories/{bookmarks,deliveries,posts}.ts'],
    // The delivery tests are the ones that read back what was recorded after a resume.
    tests: ['test/store/{store,concurrency,threads}.test.ts', 'test/schedule/{claims,delivery,fanout,fanout-reports,post-with-retry}.test.ts'],
  },
  {
    name: 'rank',
    // Ranking and the day/week/month windows of /papers top.
    mutate: ['src/rank/{rank,merge,topics}.ts', 'commands/top.ts'],
    tests: [
      'test/unit/rank.test.ts',
      'test/commands/today-top.test.ts',
      'test/digest/today-cache.test.ts',
      'test/arxiv/*.test.ts',
      'test/subscriptions/*.test.ts',
    ],
  },
  {
    name: 'parse',
    mutate: ['src/parse/**/*.ts'],
    tests: ['test/unit/parse-*.test.ts'],
  },
  {
    name: 'render',
    mutate: ['adapters/*/render.ts'],
    tests: ['test/adapters/{discord,slack,console}-render-layout.test.ts', 'test/adapters/{discord-render,slack-render,console,frozen-replies}.test.ts'],
  },
  {
    name: 'commands',
    mutate: ['commands/{bookmarks,subscribe,unsubscribe}.ts'],
    // arxiv/subscribe: the note on minimum upvotes in a channel with arXiv categories.
    tests: ['test/commands/{bookmarks,subscribe,reactions,text-dispatch}.test.ts', 'test/subscriptions/*.test.ts', 'test/arxiv/subscribe.test.ts'],
  },
  {
    name: 'replays',
    // What refuses a signed request twice, on this replica and on any other: the HTTP routes' guard,
    // its store table, the batches both go through, and Discord's signature and time checks.
    mutate: ['src/chat/replay-guard.ts', 'src/store/repositories/replays.ts', 'src/store/group-commit.ts', 'adapters/discord/interactions.ts'],
    tests: [
      'test/unit/{replay-key,replay-guard}.test.ts',
      'test/store/group-commit.test.ts',
      'test/adapters/discord-http.test.ts',
      'test/drills/replays.test.ts',
    ],
  },
];

/** The group `npm run mutate` is running (scripts/mutate.mjs sets PAPERS_MUTATE_GROUP), or null for a plain `stryker run`. */
export function currentGroup() {
  const name = process.env.PAPERS_MUTATE_GROUP;
  if (!name) return null;
  const group = GROUPS.find((g) => g.name === name);
  if (!group) throw new Error(`PAPERS_MUTATE_GROUP: no group "${name}" (${GROUPS.map((g) => g.name).join(', ')})`);
  return group;
}
