// Child process for concurrency.test.ts: opens the store at argv[2], says "ready", waits for "go"
// on stdin so that both children start together, then claims every delivery named on argv[4..]
// as owner argv[3] and prints the ids it won as one JSON line.
import { once } from 'node:events';
import { openStore } from '../../src/store/open';

const [url, name, now, ...dates] = process.argv.slice(2) as [string, string, string, ...string[]];
const store = await openStore(url, { migrate: false });
process.stdout.write('ready\n');
await once(process.stdin, 'data');

const owner = { host: name, pid: process.pid };
const results = await Promise.all(
  dates.map((date) =>
    store.deliveries.claim({ subscriptionId: 'discord:c1', date, owner, now: new Date(now), staleAfterMs: 60_000, ownerIsGone: () => false, maxAttempts: 3 }),
  ),
);
process.stdout.write(`${JSON.stringify(results.filter((r) => r.won).map((r) => r.delivery.id))}\n`);
await store.close();
