// Child process for concurrency.test.ts: bookmarks argv[3] for user u1 in the store at argv[2],
// prints "saved" once bookmarks.add has resolved, then stays alive until it is killed.
import { openStore } from '../../src/store/open';

const [url, paperId] = process.argv.slice(2) as [string, string];
const store = await openStore(url, { migrate: false });
await store.bookmarks.add({ platform: 'slack', userId: 'u1', paperId, messageId: null, at: new Date('2025-10-14T09:00:00Z') });
process.stdout.write('saved\n');
setInterval(() => {}, 60_000);
