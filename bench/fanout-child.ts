/**
 * One posting process of the proxy fan-out bench (proxy-fanout.ts): the real Discord poster and the
 * daily fan-out, its REST pointed at the proxy. Prints `ready`, waits for a line on stdin, runs the
 * day's fan-out against the shared store, then prints its report as JSON.
 * argv: DATABASE_URL, DISCORD_API_URL (the proxy), `on` | `off` (discord.js's own global limiter).
 */
import { once } from 'node:events';
import { DefaultRestOptions, REST } from 'discord.js';
import { discordAdapter } from '../adapters/discord/index';
import { createDiscordPoster } from '../adapters/discord/poster';
import { restOptions } from '../adapters/discord/rest';
import { loadBotConfig } from '../adapters/index';
import { currentOwner } from '../src/schedule/claims';
import { postDaily } from '../src/schedule/fanout';
import { openStore } from '../src/store/open';
import { LIST_DATE, NOW, log } from './platforms';

const [url, apiUrl, limiter] = process.argv.slice(2) as [string, string, 'on' | 'off'];
const config = loadBotConfig({ DISCORD_TOKEN: 'bench-bot-token', DISCORD_API_URL: apiUrl, FANOUT_CONCURRENCY: '256', LOG_LEVEL: 'silent' }, '/nonexistent');
const settings = discordAdapter.settingsOf(config)!;
// Requests that ran out of discord.js's timeout here (held too long at the proxy): each is sent again.
let timedOut = 0;
const rest = new REST({
  ...restOptions(settings),
  // Off: a global budget no process reaches, so only the proxy's counts.
  ...(limiter === 'off' ? { globalRequestsPerSecond: 1_000_000 } : {}),
  makeRequest: (url, init) =>
    DefaultRestOptions.makeRequest(url, init).catch((err: unknown) => {
      if ((err as Error).name === 'AbortError') timedOut += 1;
      throw err;
    }),
}).setToken(settings.token);
const store = await openStore(url, { migrate: false });
const poster = createDiscordPoster(rest, log);
process.stdout.write('ready\n');
await once(process.stdin, 'data');
const report = await postDaily({ store, posters: [poster], config, log, now: () => NOW, owner: currentOwner(), date: LIST_DATE });
const outcomes: Record<string, number> = {};
for (const c of report.channels) outcomes[c.outcome] = (outcomes[c.outcome] ?? 0) + 1;
process.stdout.write(`${JSON.stringify({ ...outcomes, timedOut })}\n`);
await store.close();
