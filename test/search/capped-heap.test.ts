import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open';
import { addGeneratedPapers } from '../helpers/synthetic-store';
import { allFixturePapers } from '../helpers/fixture-papers';
import { repoRoot } from '../helpers/fixtures';
import { storeKinds, testDatabase } from '../helpers/stores';

const PAPERS = 200_000;
const HEAP_MIB = 256;

/**
 * Each engine hands the process only the ids it ranked, so the heap stays small however large the
 * store; both stores are built with one INSERT … SELECT (test/helpers/synthetic-store.ts).
 */
describe.each(storeKinds)('search on a %s store of 200,000 papers', (kind) => {
  it(`runs search, similar and for-you in a process whose heap is capped at ${HEAP_MIB} MiB`, { timeout: 600_000 }, async () => {
    const { url, cleanup } = testDatabase(kind);
    try {
      const store = await openStore(url);
      await store.close();
      await addGeneratedPapers(url, PAPERS);
      const after = await openStore(url);
      const real = allFixturePapers();
      await after.papers.upsert(real, new Date('2026-12-06T00:00:00Z'));
      for (const p of real.slice(0, 50)) await after.bookmarks.add({ platform: 'console', userId: 'u50', paperId: p.id, messageId: null, at: new Date() });
      expect(await after.papers.count()).toBe(PAPERS + real.length);
      await after.close();

      const child = spawnSync(
        process.execPath,
        [`--max-old-space-size=${HEAP_MIB}`, '--import', 'tsx', path.join(repoRoot, 'test/search/capped-heap-child.ts'), url, 'u50', real[0]!.id],
        { encoding: 'utf8', timeout: 300_000 },
      );
      expect(child.stderr).toBe('');
      expect(child.status).toBe(0);
      const found = JSON.parse(child.stdout) as { search: Record<string, number>; similar: number; foryou: number; heapMiB: number };
      expect(found.search).toEqual({ model: 10, 'learning language model': 10, 'attention -video': 10, '"language models"': 10 });
      expect(found.similar).toBe(5);
      expect(found.foryou).toBeGreaterThan(0);
      expect(found.heapMiB).toBeLessThan(HEAP_MIB);
    } finally {
      await cleanup();
    }
  });
});
