import { DefaultRestOptions, DiscordAPIError, REST, type RESTOptions } from 'discord.js';
import type { Metrics, RateLimitScope } from '../../src/metrics/metrics';
import type { DiscordSettings } from './settings';

/**
 * Extra wait (ms) after each rate-limit window. discord.js opens its 1 s window of 50 requests
 * when it sends the first one; Discord counts from arrival, so a window whose first request
 * arrives late overlaps the next, and that whole window is refused with a global 429. The default
 * 50 ms still let that happen in 1 of 4 fan-out benches (500 channels); 75 and 100 ms had none in
 * 2 each. 75 costs ~2% of throughput (46.5 instead of 47.6 requests/s; the limit is 50).
 */
export const RATE_LIMIT_OFFSET_MS = 75;

/**
 * On a 429 of `papers rest-proxy`'s own (a request it would hold for the global limit longer than
 * callers wait): not one of Discord's, so counted apart from them.
 */
export const PROXY_BUSY_HEADER = 'x-papers-proxy-busy';

function rateLimitScope(headers: Headers): RateLimitScope {
  if (headers.has(PROXY_BUSY_HEADER)) return 'proxy';
  return headers.has('x-ratelimit-global') ? 'global' : 'route';
}

/**
 * Options of the bot's REST clients. DISCORD_API_URL (a REST proxy, or the loopback fake in tests)
 * replaces https://discord.com/api; the gateway address is then asked of that API too. With
 * metrics, every response 429 is counted (discord.js waits them out and retries on its own).
 */
export function restOptions(config: DiscordSettings, metrics?: Metrics): Partial<RESTOptions> {
  return {
    ...(config.apiUrl ? { api: config.apiUrl } : {}),
    offset: RATE_LIMIT_OFFSET_MS,
    ...(metrics
      ? {
          makeRequest: async (url, init) => {
            const res = await DefaultRestOptions.makeRequest(url, init);
            if (res.status === 429) metrics.rateLimited('discord', rateLimitScope(res.headers));
            return res;
          },
        }
      : {}),
  };
}

/** A REST client for the bot token, for a process without a gateway client (post-daily, register, shard parent). */
export function createRest(config: DiscordSettings, metrics?: Metrics): REST {
  return new REST(restOptions(config, metrics)).setToken(config.token);
}

// Discord's JSON error codes (developers/topics/opcodes-and-status-codes.mdx).
export const CANNOT_DM_USER = 50007;

export function isApiError(err: unknown, code: number): boolean {
  return err instanceof DiscordAPIError && err.code === code;
}
