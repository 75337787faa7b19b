// Child process for concurrency.test.ts: opens the store at argv[2], says "ready", waits for "go"
// on stdin so that both children start together, then claims the discussion thread of every
// message named on argv[4..] at time argv[3] and prints the messages it won as one JSON line.
import { once } from 'node:events';
import { currentOwner, ownerIsGone } from '../../src/schedule/claims';
import { openStore } from '../../src/store/open';

const [url, now, ...messageIds] = process.argv.slice(2) as [string, string, ...string[]];
const store = await openStore(url, { migrate: false });
process.stdout.write('ready\n');
await once(process.stdin, 'data');

const results = await Promise.all(
  messageIds.map(async (messageId) => ({
    messageId,
    claim: await store.threads.claim({
      platform: 'discord',
      channelId: 'c1',
      messageId,
      paperId: 'p1',
      now: new Date(now),
      staleAfterMs: 60_000,
      owner: currentOwner(),
      ownerIsGone,
    }),
  })),
);
process.stdout.write(`${JSON.stringify(results.filter((r) => r.claim.won).map((r) => r.messageId))}\n`);
await store.close();
