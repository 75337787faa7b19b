/**
 * The platform side of the latency and fan-out benches, on its own thread: the fake Slack and
 * Discord, and the load that drives them (latency). Slack and Discord run on their own machines; sharing the bot's event
 * loop would bill the fakes' parsing and the load generator's requests to the bot (and to the
 * floor). The bench talks to this thread with small request/answer messages (see `PlatformCall`).
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { readFixture } from '../test/helpers/fixtures';
import { signedHeaders, startFakeSlack, type FakeSlack, type FakeSlackOptions } from '../test/fakes/slack';
import { startFakeDiscord, type FakeDiscord, type FakeDiscordOptions } from '../test/fakes/discord';
import { answerCalls } from './platform-client';
import { SIGNING_SECRET } from './platforms';

export type PlatformCall =
  | { op: 'startSlack'; options?: Pick<FakeSlackOptions, 'rateLimits'> }
  | { op: 'startDiscord'; options?: Pick<FakeDiscordOptions, 'channelIds' | 'rateLimits'> }
  | { op: 'discordEndpoint'; url: string }
  | { op: 'discordCounts' }
  | { op: 'slackCounts' }
  | { op: 'slackBurst'; url: string; count: number }
  | { op: 'discordBurst'; count: number }
  | { op: 'close' };

/** The fake Slack's 429s, by the limit that answered them. */
export interface SlackRateLimited {
  postMessage: number;
  conversationsOpen: number;
  /** Of postMessage's, those over a modelled workspace limit, by its window (0: the first). */
  workspace: number[];
}

/** What a fan-out left at the fake: 429s answered because of its rate limits, and messages created. */
export interface Counts<TooMany> {
  rateLimited: TooMany;
  created: number;
  /** Requests that opened a direct-message conversation (Discord POST /users/@me/channels, Slack conversations.open). */
  dmOpened: number;
}

export interface Sample {
  latencies: number[];
  /** Requests answered (Slack: acked with 200; Discord: called back). */
  ok: number;
  /** Slack: acks that carried the answer; the others were acked empty and answered later. */
  inAck?: number;
}

/** The real slash-command body from Slack's docs; command, text and response_url are set per request. */
const slashCommand = Object.fromEntries(new URLSearchParams(readFixture('platform/slack-slash-command.txt')));

let slack: FakeSlack | undefined;
let discord: FakeDiscord | undefined;
let burst = 0;

/** Keep-alive sockets, as Slack's own senders keep them: the burst measures the bot, not TCP handshakes. */
const agent = new Agent({ keepAlive: true, maxSockets: Infinity });

function post(url: URL, headers: Record<string, string>, body: string): Promise<{ status: number; text: string; at: number }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, at: performance.now() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** POSTs every request at once, each timed from its send to its complete response. */
function timedPosts(url: string, requests: { headers: Record<string, string>; body: string }[]) {
  const target = new URL(url);
  return Promise.all(
    requests.map(async ({ body, headers }) => {
      const start = performance.now();
      const res = await post(target, headers, body);
      return { ms: res.at - start, status: res.status, text: res.text };
    }),
  );
}

/**
 * `count` signed `/papers today` requests at once; each timed from its send to its complete ack
 * response. Bodies are built and signed before the clock starts, as they are on Slack's side.
 */
async function slackBurst(url: string, count: number): Promise<Sample> {
  burst += 1;
  const requests = Array.from({ length: count }, (_, i) => {
    const id = `bench-${burst}-${i}`;
    const body = new URLSearchParams({ ...slashCommand, command: '/papers', text: 'today', trigger_id: id, response_url: slack!.responseUrl(id) }).toString();
    return { body, headers: signedHeaders(SIGNING_SECRET, body) };
  });
  const results = await timedPosts(url, requests);
  const ok = results.filter((r) => r.status === 200);
  return { latencies: results.map((r) => r.ms), ok: ok.length, inAck: ok.filter((r) => r.text.length > 0).length };
}

/**
 * `count` signed `/papers today` interactions POSTed at once to the interactions endpoint, each
 * timed from its send to its complete response (the answer). As on Slack's side, the bodies are
 * built and signed before the clock starts, and the answers are checked after it stops: Discord's
 * senders do not sign, send and read answers on one thread, and the fake's own work per answer
 * would otherwise be counted against whichever target answers more of a burst at once.
 */
async function discordHttpBurst(url: string, count: number): Promise<Sample> {
  const fake = discord!;
  const requests = Array.from({ length: count }, () => {
    const body = JSON.stringify(fake.commandPayload('today'));
    return { body, headers: fake.signedHeaders(body) };
  });
  const results = await timedPosts(url, requests);
  const answered = results.filter((r) => r.status === 200 && (JSON.parse(r.text) as { type?: number }).type === 4);
  return { latencies: results.map((r) => r.ms), ok: answered.length };
}

/** `count` interactions sent at once on the gateway, each timed until its callback arrives at the fake. */
async function discordBurst(count: number): Promise<Sample> {
  const fake = discord!;
  const sent = Array.from({ length: count }, () => {
    const at = performance.now();
    const { id, token } = fake.sendCommand('today');
    return { path: `/interactions/${id}/${token}/callback`, at };
  });
  const deadline = performance.now() + 30_000;
  const latencies: number[] = [];
  for (const s of sent) {
    for (;;) {
      const callback = fake.requests.find((r) => r.path === s.path && r.status !== 0);
      if (callback) {
        latencies.push(callback.receivedAt - s.at);
        break;
      }
      if (performance.now() > deadline) break;
      await sleep(5);
    }
  }
  fake.requests.length = 0;
  return { latencies, ok: latencies.length };
}

async function answer(call: PlatformCall): Promise<unknown> {
  switch (call.op) {
    case 'startSlack':
      slack = await startFakeSlack(call.options);
      return { apiUrl: slack.apiUrl, teamId: slack.bot.teamId };
    case 'startDiscord':
      discord = await startFakeDiscord(call.options);
      return { apiUrl: discord.apiUrl, applicationId: discord.applicationId, guildId: discord.guildId, publicKeyHex: discord.publicKeyHex };
    case 'discordEndpoint':
      discord!.useInteractionsEndpoint(call.url);
      return null;
    case 'discordCounts':
      return {
        rateLimited: { ...discord!.rateLimited },
        created: discord!.messages.size,
        dmOpened: discord!.requests.filter((r) => r.method === 'POST' && r.path === '/users/@me/channels').length,
      } satisfies Counts<FakeDiscord['rateLimited']>;
    case 'slackCounts':
      return {
        rateLimited: {
          postMessage: slack!.rateLimited,
          conversationsOpen: slack!.openRateLimited,
          workspace: Array.from(slack!.workspaceLimited, (n) => n ?? 0),
        },
        created: [...slack!.messages.values()].reduce((n, list) => n + list.length, 0),
        dmOpened: slack!.callsTo('conversations.open').length,
      } satisfies Counts<SlackRateLimited>;
    case 'slackBurst':
      return slackBurst(call.url, call.count);
    case 'discordBurst':
      return discord!.interactionsEndpoint ? discordHttpBurst(discord!.interactionsEndpoint, call.count) : discordBurst(call.count);
    case 'close':
      await Promise.all([slack?.close(), discord?.close()]);
      slack = discord = undefined;
      return null;
  }
}

answerCalls(answer);
