// Child process of the SIGKILL drill, started as a restart after a crash: it first finishes the
// daily fan-out of the day before (argv[4], or `-`), then prints `start` and runs the fan-out of
// day argv[5] (or `-`). A day's fan-out is the channels' posts, then the personal digests. Both go
// to Discord through the real REST poster against the loopback fake.
// With argv[6] = k > 0 it SIGKILLs itself just before the k-th store call of that second fan-out,
// so a crash can land between any two writes. Prints `ops N` (store calls of it) when it finishes.
import { createDiscordPoster } from '../../adapters/discord/poster';
import { createRest } from '../../adapters/discord/rest';
import { discordAdapter } from '../../adapters/discord/index';
import { loadBotConfig } from '../../adapters/index';
import { createLogger } from '../../src/log';
import { currentOwner } from '../../src/schedule/claims';
import { postDaily } from '../../src/schedule/fanout';
import { postPersonalDigests } from '../../src/personal/deliver';
import { openStore } from '../../src/store/open';
import type { Store } from '../../src/store/types';

const [url, apiUrl, previousDay, day, killAt] = process.argv.slice(2) as [string, string, string, string, string];
const config = loadBotConfig(
  { DATABASE_URL: url, DISCORD_TOKEN: 'drill-token', DISCORD_API_URL: apiUrl, FANOUT_CONCURRENCY: '3', SKIP_POSTED_DAYS: '1' },
  '/nonexistent',
);

let ops = 0;
let armed = false;
function counted(method: (...args: unknown[]) => unknown): (...args: unknown[]) => unknown {
  return (...args) => {
    if (armed && ++ops === Number(killAt)) process.kill(process.pid, 'SIGKILL');
    return method(...args);
  };
}
/** The store with every call into its repositories counted. */
function killable(store: Store): Store {
  const wrap = (repository: object) => Object.fromEntries(Object.entries(repository).map(([name, method]) => [name, counted(method)]));
  return Object.fromEntries(Object.entries(store).map(([name, part]) => [name, typeof part === 'object' ? wrap(part) : part])) as unknown as Store;
}

const log = createLogger({ level: 'silent' });
const store = killable(await openStore(url));
const poster = createDiscordPoster(createRest(discordAdapter.settingsOf(config)!), log);
async function fanOut(date: string) {
  const run = { store, posters: [poster], config, log, now: () => new Date(`${date}T09:00:00Z`), owner: currentOwner(), date, retryDelayMs: 10 };
  await postDaily(run);
  await postPersonalDigests(run);
}

if (previousDay !== '-') await fanOut(previousDay);
process.stdout.write('start\n');
armed = true;
if (day !== '-') await fanOut(day);
process.stdout.write(`ops ${ops}\n`);
await store.close();
