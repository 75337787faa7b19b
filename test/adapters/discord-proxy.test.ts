import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { createDiscordPoster } from '../../adapters/discord/poster';
import { heldToGlobalLimit, inBotGlobalLimit, startRestProxy } from '../../adapters/discord/proxy';
import { createRest, PROXY_BUSY_HEADER } from '../../adapters/discord/rest';
import { discordAdapter } from '../../adapters/discord/index';
import { loadBotConfig } from '../../adapters/index';
import { textReply } from '../../src/chat/reply';
import { createLogger } from '../../src/log';
import type { Metrics } from '../../src/metrics/metrics';
import { startFakeDiscord } from '../fakes/discord';
import { freePort } from '../helpers/net';
import { spawnPapers } from '../helpers/run-cli';

/** `papers rest-proxy`: every process's Discord REST requests through one client that keeps the limits for all. */

const silent = createLogger({ level: 'silent' });
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Two processes' posters send six messages to one channel (Discord allows 2 a second there) through one proxy. */
async function sixMessagesThroughProxy(rejectAtOnce: boolean) {
  const fake = await startFakeDiscord({ rateLimits: { globalPerSecond: 50, channelMessages: { limit: 2, windowMs: 1000 } } });
  cleanups.push(() => fake.close());
  const proxy = await startRestProxy({ apiUrl: fake.apiUrl }, { host: '127.0.0.1', port: 0, log: silent, rejectAtOnce });
  cleanups.push(() => proxy.close());
  const settings = discordAdapter.settingsOf(
    loadBotConfig({ DISCORD_TOKEN: 'proxied-token', DISCORD_API_URL: `http://127.0.0.1:${proxy.address.port}/api` }, '/nonexistent'),
  )!;
  // Each REST client alone counts only its own requests. The 429s they receive are counted as
  // GET /metrics would.
  const limited: string[] = [];
  const metrics = { rateLimited: (_platform: string, scope: string) => limited.push(scope) } as unknown as Metrics;
  const posters = [createDiscordPoster(createRest(settings, metrics), silent), createDiscordPoster(createRest(settings, metrics), silent)];
  const target = { platform: 'discord', workspaceId: fake.guildId, channelId: fake.channelIds[0]! };
  const sent = await Promise.all(
    [0, 1, 2, 3, 4, 5].map((i) => posters[i % 2]!.post(target, textReply(`message ${i}`, 'public'), `key-${i}`, { maybeSentBefore: false })),
  );
  const created = fake.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${fake.channelIds[0]}/messages` && r.status === 200);
  expect(created.map((r) => r.body.content).sort()).toEqual([0, 1, 2, 3, 4, 5].map((i) => `message ${i}`));
  expect(sent.every((m) => typeof m?.messageId === 'string')).toBe(true);
  expect(created.every((r) => r.headers.authorization === 'Bot proxied-token')).toBe(true);
  // The proxy kept the global limit for both callers. (Discord may refuse one message on a route
  // whose bucket the proxy's discord.js has not learnt yet; it is then sent again, as above.)
  expect(fake.rateLimited.global).toBe(0);
  return { limited };
}

it('holds what a limit would refuse until the limit allows it: each process’s message sent once, with its token, and no 429 anywhere', async () => {
  const { limited } = await sixMessagesThroughProxy(false);
  expect(limited).toEqual([]);
});

it('with rejectAtOnce, answers 429 for what a limit would refuse, and the callers send it again, once', async () => {
  const { limited } = await sixMessagesThroughProxy(true);
  expect(limited.length).toBeGreaterThan(0);
});

it('sends a message Discord refused with 429 again with its body', async () => {
  const fake = await startFakeDiscord({ rateLimits: { globalPerSecond: 50, channelMessages: { limit: 1, windowMs: 1000 } } });
  cleanups.push(() => fake.close());
  const proxy = await startRestProxy({ apiUrl: fake.apiUrl }, { host: '127.0.0.1', port: 0, log: silent });
  cleanups.push(() => proxy.close());
  const create = (base: string, content: string) =>
    fetch(`${base}/v10/channels/${fake.channelIds[0]}/messages`, {
      method: 'POST',
      headers: { authorization: 'Bot proxied-token', 'content-type': 'application/json' },
      body: JSON.stringify({ content }),
    });
  // Another process used the channel's one message of this second, which the proxy cannot know.
  expect((await create(fake.apiUrl, 'elsewhere')).status).toBe(200);
  const answer = await create(`http://127.0.0.1:${proxy.address.port}/api`, 'through the proxy');
  expect(answer.status).toBe(200);
  const tries = fake.requests.filter((r) => r.method === 'POST').slice(1);
  expect(tries.map((r) => [r.status, r.body?.content])).toEqual([
    [429, 'through the proxy'],
    [200, 'through the proxy'],
  ]);
});

it('answers 500, not an empty 200, when Discord cannot be reached', async () => {
  const proxy = await startRestProxy({ apiUrl: 'http://127.0.0.1:9/api' }, { host: '127.0.0.1', port: 0, log: silent });
  cleanups.push(() => proxy.close());
  const answer = await fetch(`http://127.0.0.1:${proxy.address.port}/api/v10/users/@me`, { headers: { authorization: 'Bot proxied-token' } });
  expect(answer.status).toBe(500);
});

it('papers rest-proxy serves until SIGTERM, and refuses to start without DISCORD_TOKEN', async () => {
  const fake = await startFakeDiscord();
  cleanups.push(() => fake.close());
  const port = await freePort();
  const env = { PORT: String(port), HOST: '127.0.0.1', DISCORD_API_URL: fake.apiUrl };
  const proxy = spawnPapers(['rest-proxy'], { ...env, DISCORD_TOKEN: 'proxy-token' });
  await proxy.ready;
  expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  const me = await fetch(`http://127.0.0.1:${port}/api/v10/users/@me`, { headers: { authorization: 'Bot proxy-token' } });
  expect(me.status).toBe(200);
  expect(fake.requests.at(-1)).toMatchObject({ method: 'GET', path: '/users/@me' });
  proxy.child.kill('SIGTERM');
  expect(await proxy.exited).toBe(0);

  const refused = spawnPapers(['rest-proxy'], env);
  expect(await refused.exited).toBe(1);
  expect(refused.stderr()).toBe('papers rest-proxy: papers rest-proxy needs DISCORD_TOKEN: one proxy serves one bot\n');
});

/** A proxy before a fake Discord, and `send(n)`: n requests for different channels at once (a route's go one after another). */
async function proxied(maxHoldMs?: number) {
  const fake = await startFakeDiscord();
  cleanups.push(() => fake.close());
  const proxy = await startRestProxy({ apiUrl: fake.apiUrl }, { host: '127.0.0.1', port: 0, log: silent, maxHoldMs });
  cleanups.push(() => proxy.close());
  let channel = 0;
  const url = (channelId: number) => `http://127.0.0.1:${proxy.address.port}/api/v10/channels/${channelId}/messages`;
  const send = (n: number) =>
    Promise.all(Array.from({ length: n }, () => fetch(url(900_000 + channel++), { headers: { authorization: 'Bot proxied-token' } })));
  return { fake, send, url };
}

it('keeps the global limit over every second, not over fixed windows: at most 50 requests reach Discord in any one second', async () => {
  const { fake, send } = await proxied();
  // One request opens a window of discord.js's own limiter; 48 come near its end and 50 just
  // after it, when discord.js would open a new window and send all 50 at once.
  const all = [send(1)];
  await new Promise((resolve) => setTimeout(resolve, 950));
  all.push(send(48));
  await new Promise((resolve) => setTimeout(resolve, 60));
  all.push(send(50));
  await Promise.all(all);

  const arrivals = fake.requests.map((r) => r.receivedAt).sort((a, b) => a - b);
  expect(arrivals).toHaveLength(99);
  const mostInOneSecond = Math.max(...arrivals.map((t) => arrivals.filter((u) => u >= t && u < t + 1000).length));
  expect(mostInOneSecond).toBe(50);
});

it('counts a request in the global limit until a second after its answer: one that reached Discord late still counts', async () => {
  const { fake, send } = await proxied();
  // Answered 300 ms after they arrive: each may have reached Discord as late as its answer came.
  fake.slowAnswers(300);
  await Promise.all([send(50), send(10)]);
  const arrivals = fake.requests.map((r) => r.receivedAt).sort((a, b) => a - b);
  expect(arrivals).toHaveLength(60);
  // The 10 wait for a second after the 50's answers (the first came 300 ms after it arrived), not
  // after they left (a fixed 1,050 ms would have let them arrive ~1,050 ms after the first).
  expect(arrivals[50]! - arrivals[0]!).toBeGreaterThanOrEqual(1_300 - 2);
});

it('gives no global slot to a request whose caller gave up while it waited: it never leaves, and the 50 after it go at once', async () => {
  const fake = await startFakeDiscord();
  cleanups.push(() => fake.close());
  fake.slowAnswers(300);
  const { makeRequest } = heldToGlobalLimit().options;
  const message = (i: number, signal?: AbortSignal) => makeRequest!(`${fake.apiUrl}/v10/channels/${700_000 + i}/messages`, { method: 'POST', signal });
  const first = Array.from({ length: 50 }, (_, i) => message(i));
  // The 51st waits for a slot; its caller's timeout fires meanwhile.
  const gaveUp = new AbortController();
  const waiting = message(50, gaveUp.signal);
  gaveUp.abort(new Error('timed out'));
  const after = Array.from({ length: 50 }, (_, i) => message(51 + i));
  await expect(waiting).rejects.toThrow('timed out');
  await Promise.all([...first, ...after]);
  expect(fake.requests.map((r) => r.path)).not.toContain('/channels/700050/messages');
  // The 50 after it share the slots the first 50 free together; one held a second for the
  // request that never left would push the last of them a second later.
  const arrivals = fake.requests.map((r) => r.receivedAt).sort((a, b) => a - b);
  expect(arrivals).toHaveLength(100);
  expect(arrivals[99]! - arrivals[50]!).toBeLessThan(500);
});

it('keeps interaction endpoints out of the global limit, as Discord does: 90 callbacks, answer edits and follow-ups at once all go at once', async () => {
  const fake = await startFakeDiscord();
  cleanups.push(() => fake.close());
  const proxy = await startRestProxy({ apiUrl: fake.apiUrl }, { host: '127.0.0.1', port: 0, log: silent });
  cleanups.push(() => proxy.close());
  const api = `http://127.0.0.1:${proxy.address.port}/api/v10`;
  // What discord.js sends for an interaction: the callback, then through the webhook its token
  // opens (no Authorization) the deferred answer's edit and a private follow-up.
  const interactionRequests = (i: number): [string, string][] => [
    ['POST', `/interactions/${800_000 + i}/token-${i}/callback`],
    ['PATCH', `/webhooks/${fake.applicationId}/token-${i}/messages/@original`],
    ['POST', `/webhooks/${fake.applicationId}/token-${i}`],
  ];
  await Promise.all(
    Array.from({ length: 30 }, (_, i) => interactionRequests(i))
      .flat()
      .map(([method, path]) =>
        fetch(`${api}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 4, data: { content: 'answer' } }) }),
      ),
  );
  const arrivals = fake.requests.map((r) => r.receivedAt);
  expect(arrivals).toHaveLength(90);
  // Held to the 50 global slots, the 60 webhook requests' last 10 would arrive a second after the first answers.
  expect(Math.max(...arrivals) - Math.min(...arrivals)).toBeLessThan(1000);
});

it('counts every request made with the bot token in the global limit, webhook routes included', () => {
  const bot = { authorization: 'Bot token' };
  expect(inBotGlobalLimit('/api/v10/channels/1/messages', bot)).toBe(true);
  expect(inBotGlobalLimit('/api/v10/webhooks/1/token-1', bot)).toBe(true);
  expect(inBotGlobalLimit('/api/v10/channels/1/webhooks', bot)).toBe(true);
  expect(inBotGlobalLimit('/api/v10/webhooks/1/token-1/messages/@original', {})).toBe(false);
  expect(inBotGlobalLimit('/api/v10/interactions/1/token-1/callback', bot)).toBe(false);
});

it('drops a held request whose caller gave up and closed the connection: it never reaches Discord', async () => {
  const { fake, send, url } = await proxied();
  // Answered 300 ms late: the 50 slots stay taken for 1.3 s.
  fake.slowAnswers(300);
  const first = send(50);
  const gaveUp = new AbortController();
  const held = fetch(url(999_999), { method: 'POST', headers: { authorization: 'Bot proxied-token' }, signal: gaveUp.signal });
  await new Promise((resolve) => setTimeout(resolve, 200));
  gaveUp.abort();
  await expect(held).rejects.toThrow();
  await first;
  // Its slot would have come 1.3 s after the first 50 left.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  expect(fake.requests).toHaveLength(50);
  expect(fake.requests.map((r) => r.path)).not.toContain('/channels/999999/messages');
});

it('answers 429 with the wait as Retry-After instead of holding a request longer than callers wait, and sends it nowhere', async () => {
  const { fake, send, url } = await proxied(1_000);
  fake.slowAnswers(300);
  // 50 take the slots and 100 wait for them: two seconds of waiting, over the 1 s allowed here.
  const held = send(150);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const refused = await Promise.all(
    Array.from({ length: 10 }, (_, i) => fetch(url(990_000 + i), { method: 'POST', headers: { authorization: 'Bot proxied-token' } })),
  );
  expect(refused.map((r) => r.status)).toEqual(Array(10).fill(429));
  expect(refused.map((r) => [r.headers.get('retry-after'), r.headers.get(PROXY_BUSY_HEADER)])).toEqual(Array(10).fill(['2.000', 'true']));
  expect(await refused[0]!.json()).toMatchObject({ retry_after: 2, global: false });
  // What was held is sent, and answered (Discord's answer: these channels do not exist); the refused went nowhere.
  expect(new Set((await held).map((r) => r.status))).toEqual(new Set([404]));
  expect(fake.requests).toHaveLength(150);
  expect(fake.requests.filter((r) => r.path.startsWith('/channels/99000'))).toEqual([]);
});

it('counts the proxy’s own 429s apart from Discord’s, and sends the request again after their Retry-After', async () => {
  let answered = 0;
  const busyOnce = createServer((_req, res) => {
    answered += 1;
    if (answered === 1) return void res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '0.2', [PROXY_BUSY_HEADER]: 'true' }).end('{}');
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"1"}');
  });
  await new Promise<void>((resolve) => busyOnce.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => busyOnce.close(() => resolve())));
  const settings = discordAdapter.settingsOf(
    loadBotConfig({ DISCORD_TOKEN: 'proxied-token', DISCORD_API_URL: `http://127.0.0.1:${(busyOnce.address() as AddressInfo).port}/api` }, '/nonexistent'),
  )!;
  const limited: string[] = [];
  const metrics = { rateLimited: (_platform: string, scope: string) => limited.push(scope) } as unknown as Metrics;
  const started = Date.now();
  expect(await createRest(settings, metrics).get('/users/@me')).toEqual({ id: '1' });
  expect(Date.now() - started).toBeGreaterThanOrEqual(200);
  expect(answered).toBe(2);
  expect(limited).toEqual(['proxy']);
});
