import type { IncomingMessage, ServerResponse } from 'node:http';
import { populateErrorResponse, populateSuccessfulResponse } from '@discordjs/proxy';
// From @discordjs/rest itself, as the proxy imports it: discord.js's REST is the CommonJS build,
// whose RateLimitError the proxy's (ES module) checks would not recognize, and every limit hit
// would then be answered as an empty 200.
import { DefaultRestOptions, REST, type RequestMethod, type RESTOptions, type RouteLike } from '@discordjs/rest';
import pLimit from 'p-limit';
import { setTimeout as sleep } from 'node:timers/promises';
import { startHttpServer, type HttpServer } from '../../src/http/server';
import type { Logger } from '../../src/log';
import { PROXY_BUSY_HEADER, RATE_LIMIT_OFFSET_MS } from './rest';
import type { DiscordSettings } from './settings';

/**
 * `papers rest-proxy`: one REST client in front of Discord (@discordjs/proxy, from the discord.js
 * project) that every process of a deployment sends its requests through (DISCORD_API_URL), so
 * together they keep to the global 50 requests/s and each route's bucket, which a process alone
 * counts only for itself. It forwards each caller's Authorization header.
 *
 * When a request would have to wait for a limit, the proxy holds it until the limit allows it (for
 * the global limit, up to MAX_HOLD_MS; past that it answers 429 and the caller waits). The
 * discord.js project's proxy container answers 429 with Retry-After at once instead
 * (`rejectAtOnce`), and the callers wait and send again; measured on a quiet machine (bench/
 * RESULTS.md, `npm run bench -- proxy`), those retries arrive late or bunched and the fan-out took
 * 1.12× the least time with 30 global 429s, where holding took 1.09× with none.
 *
 * Holding, the proxy keeps Discord's global limit over every second as Discord counts it
 * (heldToGlobalLimit), not over the fixed windows discord.js counts.
 */
export async function startRestProxy(
  discord: Pick<DiscordSettings, 'apiUrl'>,
  opts: { host: string; port: number; log: Logger; rejectAtOnce?: boolean; maxHoldMs?: number },
): Promise<HttpServer> {
  const held = opts.rejectAtOnce ? null : heldToGlobalLimit();
  const rest = new REST({
    ...(discord.apiUrl ? { api: discord.apiUrl } : {}),
    offset: RATE_LIMIT_OFFSET_MS,
    // The callers retry a failed request themselves: retrying here too would multiply the attempts.
    retries: 0,
    ...(held ? held.options : { rejectOnRateLimit: () => true }),
  });
  const maxHoldMs = opts.maxHoldMs ?? MAX_HOLD_MS;
  return startHttpServer({
    host: opts.host,
    port: opts.port,
    log: opts.log,
    routes: [{ method: 'GET', path: '/healthz', handle: (_req, res) => void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok') }],
    fallback: (req, res) =>
      forward(rest, req, res, () => {
        const wait = held?.waitMs() ?? 0;
        return wait > maxHoldMs ? wait : null;
      }),
  });
}

/**
 * The longest the proxy holds a request for the global limit; past it the request is answered 429
 * with the wait as Retry-After, and the caller's discord.js sends it again then. The callers give
 * up on a request after 15 s (discord.js's timeout) and send it again: several posting processes
 * each sending its 50 a second to a proxy that sends 50 made the wait grow past that (1,500
 * channels from three processes: 6,512 of 15,512 requests timed out at the callers). Refused, a
 * request waits at its caller, on its route only, which no timeout counts.
 */
const MAX_HOLD_MS = 5_000;

/** Discord's global limit: requests a second for the bot, whatever the routes. */
const GLOBAL_LIMIT = 50;
const SECOND_MS = 1_000;

/**
 * At most GLOBAL_LIMIT requests in any second as Discord counts them, on arrival, which the proxy
 * does not see: a request holds one of GLOBAL_LIMIT slots from when it leaves until a second after
 * its answer is back. It reached Discord between those two moments, so whichever second Discord
 * counted it in, the requests counted with it still held their slots when the last of them left.
 * A request that reaches Discord late (1 % of them 50-110 ms late in the three-process bench, on 2
 * cores) is answered late too and keeps its slot longer; a slot freed a fixed 1,050 ms after the
 * request left let those through (0-7 global 429s a run). discord.js's own global limiter counts
 * fixed windows, each opened by its first request: a window's last requests and the next window's
 * first went out together, up to 99 within one second (bench/proxy-fanout.ts). Interaction
 * endpoints are not under the global limit (inBotGlobalLimit). A request waits for its slot inside
 * discord.js's timeout (a minute), one per route at a time; the proxy refuses what would wait past
 * MAX_HOLD_MS, well within it.
 */
export function heldToGlobalLimit(): { options: Partial<RESTOptions>; waitMs(): number } {
  const slots = pLimit(GLOBAL_LIMIT);
  const options: Partial<RESTOptions> = {
    // discord.js's fixed windows off; it still waits out a global 429 if Discord sends one.
    globalRequestsPerSecond: Number.POSITIVE_INFINITY,
    timeout: 60_000,
    makeRequest: (url, init) => {
      if (!inBotGlobalLimit(new URL(url).pathname, init.headers)) return DefaultRestOptions.makeRequest(url, init);
      return new Promise((resolve, reject) => {
        void slots(async () => {
          // Timed out while waiting for its slot: it never leaves, and takes none.
          if (init.signal?.aborted) return reject(init.signal.reason);
          await DefaultRestOptions.makeRequest(url, init).then(resolve, reject);
          await sleep(SECOND_MS);
        });
      });
    },
  };
  // Each slot frees a second after its answer at the soonest, so a request arriving now waits at
  // least this long for one.
  return { options, waitMs: () => Math.floor(slots.pendingCount / GLOBAL_LIMIT) * SECOND_MS };
}

/**
 * Whether Discord counts a request in the bot's global limit. Not the interaction endpoints
 * ("not bound to the bot's Global Rate Limit", Discord's rate-limit docs): the callback, and the
 * webhook an interaction's token opens, through which a deferred answer is edited in and
 * follow-ups are sent. Those webhook requests carry no Authorization (a request without one is
 * counted against the sender's address, never the bot); the bot executes no other webhook. Held
 * with the fan-out's messages, a command's answer would wait behind a daily post's minute of them.
 */
export function inBotGlobalLimit(path: string, headers: RequestInit['headers']): boolean {
  if (/\/interactions\/[^/]+\/[^/]+\/callback$/.test(path)) return false;
  return !/\/webhooks\/[^/]+\/[^/]+/.test(path) || new Headers(headers).has('authorization');
}

/** A 429 of the proxy's own: the caller's discord.js waits `waitMs` on this route, then sends again. */
function refuseForNow(res: ServerResponse, waitMs: number): void {
  const retryAfter = (waitMs / 1000).toFixed(3);
  res.writeHead(429, { 'content-type': 'application/json', 'retry-after': retryAfter, [PROXY_BUSY_HEADER]: 'true' });
  res.end(
    JSON.stringify({
      message: 'papers rest-proxy: the global limit is taken for longer than a caller waits',
      retry_after: Number(retryAfter),
      global: false,
    }),
  );
}

/** Headers of the caller's request that Discord needs: the bot's own token travels with each. */
const FORWARDED_HEADERS = ['content-type', 'authorization', 'x-audit-log-reason'];

/**
 * @discordjs/proxy's `proxyRequests`, with the body read before it is queued: that one passes the
 * request stream itself, which a re-send after Discord's 429 finds consumed, so the message went
 * to Discord empty. A buffer can be sent again.
 */
async function forward(rest: REST, req: IncomingMessage, res: ServerResponse, holdTooLong: () => number | null): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://proxy');
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers: Record<string, string> = {};
  for (const name of FORWARDED_HEADERS) {
    const value = req.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  const wait = inBotGlobalLimit(url.pathname, headers) ? holdTooLong() : null;
  if (wait !== null) return refuseForNow(res, wait);
  // A caller that gave up (its own timeout) has closed the connection: a request still held for a
  // limit then never leaves, so the retry the caller sends is not joined later by this copy, and
  // the copy takes no place in the limits.
  const gaveUp = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) gaveUp.abort(new Error('the caller closed the connection'));
  });
  try {
    const answer = await rest.queueRequest({
      signal: gaveUp.signal,
      fullRoute: url.pathname.replace(/^\/api(\/v\d+)?/, '') as RouteLike,
      // Unchecked: Discord answers an unknown method itself.
      method: req.method as RequestMethod,
      ...(chunks.length > 0 ? { body: Buffer.concat(chunks), passThroughBody: true } : {}),
      query: url.searchParams,
      headers,
      auth: false,
    });
    await populateSuccessfulResponse(res, answer);
  } catch (error) {
    if (gaveUp.signal.aborted) return;
    // One discord.js does not know (Discord unreachable, a dropped connection) is thrown to the
    // HTTP server, which answers 500: ending the response here would send the caller an empty 200.
    if (!populateErrorResponse(res, error)) throw error;
  }
  res.end();
}
