import { proxyRequests } from '@discordjs/proxy';
// From @discordjs/rest itself, as the proxy imports it: discord.js's REST is the CommonJS build,
// whose RateLimitError the proxy's (ES module) checks would not recognize, and every limit hit
// would then be answered as an empty 200.
import { REST } from '@discordjs/rest';
import { startHttpServer, type HttpServer } from '../../src/http/server';
import type { Logger } from '../../src/log';
import { RATE_LIMIT_OFFSET_MS } from './rest';
import type { DiscordSettings } from './settings';

/**
 * `papers rest-proxy`: one REST client in front of Discord (@discordjs/proxy, from the discord.js
 * project) that every process of a deployment sends its requests through (DISCORD_API_URL), so
 * together they keep to the global 50 requests/s and each route's bucket, which a process alone
 * counts only for itself. It forwards each caller's Authorization header.
 *
 * When a request would have to wait for a limit, the proxy answers 429 with Retry-After at once
 * (`rejectOnRateLimit`, as the discord.js project's own proxy container does) and the caller's
 * discord.js waits and sends again: Discord itself sees no 429, and no request is held open for
 * the length of a limit window. `queue: true` makes the proxy hold them instead (the bench
 * compares both; see bench/RESULTS.md).
 */
export async function startRestProxy(
  discord: Pick<DiscordSettings, 'apiUrl'>,
  opts: { host: string; port: number; log: Logger; queue?: boolean },
): Promise<HttpServer> {
  const rest = new REST({
    ...(discord.apiUrl ? { api: discord.apiUrl } : {}),
    offset: RATE_LIMIT_OFFSET_MS,
    // The callers retry: a retry here would only hold their request open.
    retries: 0,
    ...(opts.queue ? {} : { rejectOnRateLimit: () => true }),
  });
  const forward = proxyRequests(rest);
  return startHttpServer({
    host: opts.host,
    port: opts.port,
    log: opts.log,
    routes: [{ method: 'GET', path: '/healthz', handle: (_req, res) => void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok') }],
    fallback: async (req, res) => {
      await forward(req, res);
    },
  });
}
