import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Drills that take minutes run with `npm run drills:long`, not with `npm test`.
    exclude: [...configDefaults.exclude, ...(process.env.DRILLS_LONG ? [] : ['test/**/*.long.test.ts'])],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores: files run in parallel forks; Postgres-backed suites isolate themselves by schema.
    pool: 'forks',
  },
});
