/**
 * The latency bench's targets (latency.ts), each started on a thread of its own (target-thread.ts):
 * the bot's real adapters, and floors that make the same platform calls with a constant message —
 * a bare Bolt app that acks empty and sends one chat.postMessage of a constant five-paper Block Kit
 * message, a bare discord.js client that answers with one interaction callback of a constant
 * five-embed message, and a bare HTTP handler that checks the Ed25519 signature and answers a
 * constant. Each target has a platform thread of its own too (its fake and its load).
 * The bench, like the adapters, imports the platform libraries: the floor is those libraries alone.
 */
import { verify } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App } from '@slack/bolt';
import { Client, Events, GatewayIntentBits } from 'discord.js';
import { discordPublicKey } from '../adapters/discord/interactions';
import { renderReply as renderDiscord, toMessageOptions } from '../adapters/discord/render';
import { renderReply as renderSlack } from '../adapters/slack/render';
import type { Reply } from '../src/chat/reply';
import { platformThread, type PlatformThread } from './platform-client';
import type { Sample } from './platform-thread';
import { SIGNING_SECRET, benchStore, startBenchDiscord, startBenchSlack } from './platforms';

/** The bot or the bare framework, listening, with its fake: `send(n)` sends n commands at once and times each. */
export interface Target {
  send(count: number): Promise<Sample>;
  stop(): Promise<unknown>;
}

export type TargetPlatform = 'slack' | 'discord' | 'discord-http';
export type TargetRole = 'bot' | 'floor';

/** Starts one target; `reply` is the floors' constant message (the bot's own answer, made once). */
export function startTarget(platform: TargetPlatform, role: TargetRole, reply: Reply): Promise<Target> {
  switch (platform) {
    case 'slack':
      return role === 'bot' ? slackBot() : slackFloor(reply);
    case 'discord':
      return role === 'bot' ? discordBot('gateway') : discordFloor(reply);
    case 'discord-http':
      return role === 'bot' ? discordBot('http') : discordHttpFloor(reply);
  }
}

// --- Slack ----------------------------------------------------------------------------------

const slackSend = (platform: PlatformThread, port: number) => (count: number) =>
  platform.call<Sample>({ op: 'slackBurst', url: `http://127.0.0.1:${port}/slack/events`, count });

async function slackBot(): Promise<Target> {
  return onPlatformThread(async (platform) => {
    const { apiUrl } = await platform.call<{ apiUrl: string }>({ op: 'startSlack' });
    const { store, cleanup } = await benchStore();
    const slack = await startBenchSlack(store, apiUrl);
    return { send: slackSend(platform, slack.host.address!.port), stop: () => slack.stop().then(cleanup) };
  });
}

/** A bare Bolt app making the bot's calls: an empty ack, then one chat.postMessage of the constant message. */
async function slackFloor(reply: Reply): Promise<Target> {
  const message = renderSlack(reply);
  return onPlatformThread(async (platform) => {
    const { apiUrl } = await platform.call<{ apiUrl: string }>({ op: 'startSlack' });
    const app = new App({ token: 'xoxb-bare', signingSecret: SIGNING_SECRET, clientOptions: { slackApiUrl: apiUrl } });
    app.command('/papers', async ({ ack, command, client }) => {
      await ack();
      await client.chat.postMessage({ channel: command.channel_id, ...message });
    });
    const server = (await app.start({ port: 0, host: '127.0.0.1' })) as Server;
    return { send: slackSend(platform, (server.address() as AddressInfo).port), stop: () => app.stop() };
  });
}

// --- Discord --------------------------------------------------------------------------------

const discordSend = (platform: PlatformThread) => (count: number) => platform.call<Sample>({ op: 'discordBurst', count });

interface FakeDiscordInfo {
  apiUrl: string;
  applicationId: string;
  publicKeyHex: string;
}

async function discordBot(over: 'gateway' | 'http'): Promise<Target> {
  return onPlatformThread(async (platform) => {
    const fake = await platform.call<FakeDiscordInfo>({ op: 'startDiscord' });
    const { store, cleanup } = await benchStore();
    const adapter = await startBenchDiscord(store, over === 'http' ? fake : { apiUrl: fake.apiUrl, applicationId: fake.applicationId });
    if (over === 'http') await platform.call({ op: 'discordEndpoint', url: adapter.url('/discord/interactions') });
    return { send: discordSend(platform), stop: () => adapter.stop().then(cleanup) };
  });
}

/** A bare discord.js client making the bot's call: one interaction callback with the constant five-embed message. */
async function discordFloor(reply: Reply): Promise<Target> {
  const message = toMessageOptions(renderDiscord(reply));
  return onPlatformThread(async (platform) => {
    const fake = await platform.call<FakeDiscordInfo>({ op: 'startDiscord' });
    const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.apiUrl } });
    client.on(Events.InteractionCreate, (interaction) => {
      if (interaction.isChatInputCommand()) void interaction.reply(message);
    });
    const ready = new Promise((resolve) => client.once(Events.ClientReady, resolve));
    await client.login('bare-bot-token');
    await ready;
    return { send: discordSend(platform), stop: () => client.destroy() };
  });
}

/** A bare HTTP handler for Discord's interactions: reads the body, checks its Ed25519 signature, answers the constant message. */
async function discordHttpFloor(reply: Reply): Promise<Target> {
  const msg = renderDiscord(reply);
  const body = JSON.stringify({ type: 4, data: { content: msg.content, embeds: msg.embeds, components: msg.components, allowed_mentions: { parse: [] } } });
  return onPlatformThread(async (platform) => {
    const fake = await platform.call<FakeDiscordInfo>({ op: 'startDiscord' });
    const key = discordPublicKey(fake.publicKeyHex);
    const server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const raw = Buffer.concat(chunks);
      const timestamp = String(req.headers['x-signature-timestamp']);
      const signature = Buffer.from(String(req.headers['x-signature-ed25519']), 'hex');
      if (!verify(null, Buffer.concat([Buffer.from(timestamp), raw]), key, signature)) return void res.writeHead(401).end();
      JSON.parse(raw.toString('utf8'));
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    await platform.call({ op: 'discordEndpoint', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` });
    return { send: discordSend(platform), stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  });
}

/** A target with a platform thread of its own (its fake and load), closed after the target stops. */
async function onPlatformThread(start: (platform: PlatformThread) => Promise<Target>): Promise<Target> {
  const platform = platformThread();
  const target = await start(platform);
  return {
    send: target.send,
    async stop() {
      await target.stop();
      await platform.close();
    },
  };
}
