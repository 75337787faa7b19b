/**
 * Runs search, similar and for-you on a store, in a process whose heap the parent caps
 * (test/search/capped-heap.test.ts), and prints what each found as one JSON line.
 */
import { forYou } from '../../src/search/foryou';
import { similarPapers } from '../../src/search/similar';
import { openStore } from '../../src/store/open';

const [url, userId, paperId] = process.argv.slice(2) as [string, string, string];
const store = await openStore(url, { migrate: false });
try {
  const search: Record<string, number> = {};
  for (const q of ['model', 'learning language model', 'attention -video', '"language models"']) search[q] = (await store.search.find(q, 10)).length;
  const paper = await store.papers.get(paperId);
  const similar = paper ? (await similarPapers(store, paper, 5)).length : -1;
  const foryou = (await forYou(store, { platform: 'console', userId }, { now: new Date('2030-01-01T00:00:00Z'), limit: 10 })).items.length;
  const heapMiB = Math.round(process.memoryUsage().heapUsed / 2 ** 20);
  process.stdout.write(`${JSON.stringify({ search, similar, foryou, heapMiB })}\n`);
} finally {
  await store.close();
}
