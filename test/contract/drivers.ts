import { PassThrough } from 'node:stream';
import { consoleAdapter } from '../../adapters/console/index';
import { CONSOLE_HELP } from '../../adapters/console/translate';
import { discordAdapter } from '../../adapters/discord/index';
import { loadBotConfig } from '../../adapters/index';
import { slackAdapter } from '../../adapters/slack/index';
import { parseCommandText } from '../../commands/kit/text';
import type { Services } from '../../src/chat/command';
import type { DigestPoster } from '../../src/chat/poster';
import type { PaperControl } from '../../src/chat/reply';
import type { Env } from '../../src/config/load';
import { createLogger } from '../../src/log';
import { createPrometheusMetrics } from '../../src/metrics/prometheus';
import type { Store } from '../../src/store/types';
import { startFakeDiscord, type RecordedRequest } from '../fakes/discord';
import { sendToBot, startFakeSlack } from '../fakes/slack';
import { readFixture } from '../helpers/fixtures';
import { hostAdapter, type HostedAdapter } from '../helpers/host';

/**
 * One driver per adapter for the contract suite (adapters.test.ts): each plays a chat user on its
 * platform, through the real library against the loopback fake (or the console's terminal), and
 * reports what that user sees. Adding a platform means adding its driver here.
 */

/** The two people of the suite: one may manage the channel, the other may not. */
export type Person = 'admin' | 'member';

/** An answer as the person who asked sees it. */
export interface Seen {
  visibility: 'public' | 'private';
  /** Everything it says, as text. */
  text: string;
  /** Its public messages that carry papers, each with its papers in display order. */
  messages: { id: string; paperIds: string[] }[];
}

export interface ContractDriver {
  readonly platform: string;
  readonly channelId: string;
  readonly workspaceId: string | null;
  readonly poster: DigestPoster;
  userId(person: Person): string;
  /** `/papers <text>` typed by the person in the channel. */
  command(text: string, person: Person): Promise<Seen>;
  /** Reacts (or takes the reaction back); resolves with the confirmation the person is shown. */
  react(messageId: string, emoji: string, person: Person, opts?: { remove?: boolean }): Promise<string>;
  /**
   * Clicks a control the bot drew on one of its messages (`entry`: pick the n-th paper of a list's
   * Save control); resolves with the answer the person is shown.
   */
  click(messageId: string, control: PaperControl, person: Person, opts?: { entry?: number }): Promise<Seen>;
  /** How many discussion threads the message has. */
  threadsOn(messageId: string): Promise<number>;
  /** How many digest messages appeared in the channel while `work` ran, and its result. */
  postedDuring<T>(work: () => Promise<T>): Promise<{ posted: number; result: T }>;
  /** GET /metrics on the bot's HTTP server, as Prometheus scrapes it (the drivers run with METRICS=on). */
  scrape(): Promise<string>;
  /** The direct messages the person was sent, oldest first, each as text. */
  directMessages(person: Person): Promise<string[]>;
  /** Makes the platform refuse direct messages to the person, as it does when they closed them (absent where that cannot happen). */
  closeDirectMessages?(person: Person): void;
  stop(): Promise<void>;
}

export interface DriverFactory {
  name: string;
  /** Whether the platform can refuse a direct message (the console's one user always gets them). */
  refusesDirectMessages: boolean;
  start(store: Store, now: Date): Promise<ContractDriver>;
}

const silent = createLogger({ level: 'silent' });

function servicesFor(store: Store, now: Date, env: Env): Services {
  const config = loadBotConfig({ LOG_LEVEL: 'silent', METRICS: 'on', ...env }, '/nonexistent');
  return {
    store,
    config,
    log: silent,
    now: () => now,
    sourceStatus: () => ({ lastSuccessAt: now, lastError: null, note: null }),
    metrics: createPrometheusMetrics(() => now),
  };
}

async function scrape(hosted: HostedAdapter): Promise<string> {
  const res = await fetch(hosted.url('/metrics'));
  if (res.status !== 200) throw new Error(`GET /metrics answered ${res.status}`);
  return res.text();
}

async function until<T>(probe: () => T | null | undefined | false, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const HF_PAPER = /huggingface\.co\/papers\/(\d{4}\.\d{4,5})/;

export const consoleDriver: DriverFactory = {
  name: 'console',
  refusesDirectMessages: false,
  async start(store, now) {
    const services = servicesFor(store, now, { CONSOLE_ADMINS: 'admin' });
    let output = '';
    let session: { person: Person; input: PassThrough; hosted: HostedAdapter } | null = null;

    /** The console's user is the person at the terminal: another person is another session. */
    async function at(person: Person) {
      if (session?.person === person) return session;
      await end();
      const input = new PassThrough();
      const terminal = new PassThrough();
      terminal.on('data', (d) => (output += String(d)));
      session = { person, input, hosted: await hostAdapter(consoleAdapter, services, { input, output: terminal, user: person }) };
      return session;
    }
    async function end() {
      if (!session) return;
      session.input.end();
      await session.hosted.stop();
      session = null;
    }
    /** One terminal, one line at a time: people "at once" take turns, as they would at one keyboard. */
    let turn: Promise<unknown> = Promise.resolve();
    function type(person: Person, line: string): Promise<string> {
      const typed = turn.then(() => typeNow(person, line));
      turn = typed.catch(() => {});
      return typed;
    }
    /** Types lines, then a line the console answers with its help: what was printed before it answers the lines. */
    async function typeNow(person: Person, line: string): Promise<string> {
      const { input } = await at(person);
      const from = output.length;
      input.write(`${line}\nhello?\n`);
      const end = await until(() => {
        const i = output.indexOf(CONSOLE_HELP, from);
        return i >= 0 ? i + 1 : null;
      }, `the console's answer to ${line}`);
      return output.slice(from, end - 1);
    }

    const poster = (await at('admin')).hosted.poster;
    return {
      platform: 'console',
      channelId: 'console',
      workspaceId: null,
      poster,
      userId: (person) => person,
      async command(text, person) {
        const printed = await type(person, `/papers ${text}`);
        // Each numbered message runs from its `[n] ` line to the next one.
        const messages = [...printed.matchAll(/^\[(\d+)\] [\s\S]*?(?=^\[\d+\] |(?![\s\S]))/gm)].map((m) => ({
          id: m[1]!,
          paperIds: [...m[0].matchAll(/arXiv (\d{4}\.\d{4,5})/g)].map((a) => a[1]!),
        }));
        const visibility = printed.startsWith('(only you can see this)') ? 'private' : 'public';
        return { visibility, text: printed, messages: visibility === 'public' ? messages : [] };
      },
      async react(messageId, emoji, person, opts = {}) {
        return type(person, `${opts.remove ? 'unreact' : 'react'} ${messageId} ${emoji}`);
      },
      async click(messageId, control, person, opts = {}) {
        const printed = await type(person, `click ${messageId} ${control}${opts.entry ? ` ${opts.entry}` : ''}`);
        // A thread opened is printed in the channel first; the answer after it is the clicker's alone.
        const answer = printed.slice(printed.indexOf('(only you can see this)'));
        return { visibility: answer.startsWith('(only you can see this)') ? 'private' : 'public', text: answer, messages: [] };
      },
      async threadsOn(messageId) {
        return output.split('\n').filter((line) => line.startsWith(`Discussion thread on [${messageId}]:`)).length;
      },
      async postedDuring(work) {
        const from = output.length;
        const result = await work();
        // A paper is a numbered message; the header, a line of its own.
        return { posted: output.slice(from).match(/^(\[\d+\] |Top \d+ papers? from Hugging Face)/gm)?.length ?? 0, result };
      },
      scrape: async () => scrape((await at('admin')).hosted),
      async directMessages(person) {
        // Each is printed after its marker line; what follows it up to the next marker is taken as its text.
        const marker = `(direct message to ${person})\n`;
        return output
          .split(/^(?=\(direct message to )/m)
          .filter((part) => part.startsWith(marker))
          .map((part) => part.slice(marker.length));
      },
      stop: end,
    };
  },
};

/** Discord with commands and clicks over the gateway, or POSTed to the bot's interactions endpoint (reactions stay on the gateway). */
const discordDriverOver = (interactions: 'gateway' | 'http'): DriverFactory => ({
  name: interactions === 'gateway' ? 'Discord' : 'Discord over HTTP interactions',
  refusesDirectMessages: true,
  async start(store, now) {
    const fake = await startFakeDiscord();
    const services = servicesFor(store, now, {
      DISCORD_TOKEN: 'contract-token',
      DISCORD_APPLICATION_ID: fake.applicationId,
      DISCORD_API_URL: fake.apiUrl,
      DISCORD_INTERACTIONS: interactions,
      DISCORD_PUBLIC_KEY: fake.publicKeyHex,
    });
    const hosted = await hostAdapter(discordAdapter, services);
    if (interactions === 'http') fake.useInteractionsEndpoint(hosted.url('/discord/interactions'));
    const channelId = fake.channelIds[0]!;
    const ids: Record<Person, string> = { admin: '111111111111111111', member: '222222222222222222' };
    const MANAGE_CHANNELS = 1n << 4n;
    const after = (index: number, pred: (r: RecordedRequest) => boolean) => (r: RecordedRequest) => fake.requests.indexOf(r) >= index && pred(r);

    /** What the person is shown of an interaction's answer: the callback's message, or the edit of a deferred one. */
    async function answerOf(token: string): Promise<Seen & { body: any }> {
      const callback = await fake.waitForRequest((r) => r.path.endsWith(`/${token}/callback`));
      const deferred = callback.body.type !== 4;
      const answer = deferred
        ? (await fake.waitForRequest((r) => r.path.includes(token) && (r.method === 'PATCH' || (r.method === 'POST' && r.path.startsWith('/webhooks'))))).body
        : callback.body.data;
      const flags = (deferred ? callback.body.data?.flags : answer.flags) ?? 0;
      const visibility = (flags & 64) === 64 || (answer.flags ?? 0) & 64 ? 'private' : 'public';
      return { visibility, text: textOf(answer), messages: [], body: answer };
    }

    /** The message a callback, an edit or a follow-up carried, as text. */
    const textOf = (body: {
      content?: string;
      embeds?: { title?: string; description?: string; fields?: { name: string; value: string }[]; footer?: { text: string } }[];
    }) =>
      [
        body.content ?? '',
        ...(body.embeds ?? []).flatMap((e) => [
          e.title ?? '',
          e.description ?? '',
          ...(e.fields ?? []).flatMap((f) => [f.name, f.value]),
          e.footer?.text ?? '',
        ]),
      ].join('\n');

    return {
      platform: 'discord',
      channelId,
      workspaceId: fake.guildId,
      poster: hosted.poster,
      userId: (person) => ids[person],
      async command(text, person) {
        const { command, args } = parseCommandText(text);
        const { token } = fake.sendCommand(command, args, { userId: ids[person], permissions: person === 'admin' ? MANAGE_CHANNELS : 0n });
        const callback = await fake.waitForRequest((r) => r.path.endsWith(`/${token}/callback`));
        const answer =
          callback.body.type === 4
            ? callback.body.data
            : (await fake.waitForRequest((r) => r.path.includes(token) && (r.method === 'PATCH' || (r.method === 'POST' && r.path.startsWith('/webhooks')))))
                .body;
        const visibility = ((answer.flags ?? 0) & 64) === 64 ? 'private' : 'public';
        const paperIds = (answer.embeds ?? []).flatMap((e: { url?: string }) => HF_PAPER.exec(e.url ?? '')?.slice(1) ?? []);
        const messages = visibility === 'public' && paperIds.length ? [{ id: fake.interactionReply(token)!.id, paperIds }] : [];
        return { visibility, text: textOf(answer), messages };
      },
      async react(messageId, emoji, person, opts = {}) {
        const from = fake.requests.length;
        fake.sendReaction(opts.remove ? 'remove' : 'add', { userId: ids[person], channelId, messageId, emoji });
        // The confirmation is a DM.
        const dm = await fake.waitForRequest(after(from, (r) => r.method === 'POST' && fake.dmChannels.has(r.path.split('/')[2]!)));
        return textOf(dm.body);
      },
      async click(messageId, control, person, opts = {}) {
        // The component as the message shows it: a button, or the Save menu and the entry's option.
        const components = (fake.messages.get(messageId)?.components ?? []).flatMap((row) => row.components as any[]);
        const button = components.find((c) => c.type === 2 && c.custom_id.split(':')[1] === control);
        const menu = components.find((c) => c.type === 3);
        const { token } = button
          ? fake.sendClick({ messageId, customId: button.custom_id, userId: ids[person] })
          : fake.sendClick({ messageId, customId: menu.custom_id, values: [menu.options[(opts.entry ?? 1) - 1].value], userId: ids[person] });
        const { body: _body, ...seen } = await answerOf(token);
        return seen;
      },
      async threadsOn(messageId) {
        return fake.threads.has(messageId) ? [...fake.messages.values()].filter((m) => m.channel_id === messageId).length : 0;
      },
      async postedDuring(work) {
        const before = new Set(fake.messages.keys());
        const result = await work();
        return { posted: [...fake.messages.values()].filter((m) => m.channel_id === channelId && !before.has(m.id)).length, result };
      },
      scrape: () => scrape(hosted),
      async directMessages(person) {
        return [...fake.messages.values()]
          .filter((m) => fake.dmChannels.get(m.channel_id) === ids[person])
          .map((m) => textOf(m as Parameters<typeof textOf>[0]));
      },
      closeDirectMessages(person) {
        fake.closedDms.add(ids[person]);
      },
      async stop() {
        await hosted.stop();
        await fake.close();
      },
    };
  },
});

export const discordDriver = discordDriverOver('gateway');
export const discordHttpDriver = discordDriverOver('http');

const SLACK_SECRET = 'contract-signing-secret-0123456789';
const SLACK_EMOJI: Record<string, string> = { '🔖': 'bookmark', '1️⃣': 'one', '2️⃣': 'two', '3️⃣': 'three' };

export const slackDriver: DriverFactory = {
  name: 'Slack',
  refusesDirectMessages: true,
  async start(store, now) {
    const fake = await startFakeSlack();
    const ids: Record<Person, string> = { admin: 'UADMIN0001', member: 'UMEMBER001' };
    const services = servicesFor(store, now, {
      SLACK_BOT_TOKEN: 'xoxb-contract',
      SLACK_SIGNING_SECRET: SLACK_SECRET,
      SLACK_API_URL: fake.apiUrl,
      SLACK_ADMINS: ids.admin,
    });
    const hosted = await hostAdapter(slackAdapter, services);
    const slashCommand = Object.fromEntries(new URLSearchParams(readFixture('platform/slack-slash-command.txt')));
    const reactionAdded = JSON.parse(readFixture('platform/slack-reaction-added.json')) as {
      event: Record<string, unknown> & { item: Record<string, unknown> };
    };
    const blockActions = JSON.parse(readFixture('platform/slack-block-actions.json')) as Record<string, any>;
    const channelId = 'CCONTRACT';
    let commands = 0;

    /** What Slack shows of a message's blocks, as text. */
    const textOf = (blocks: unknown): string => {
      const texts: string[] = [];
      const walk = (v: unknown) => {
        if (Array.isArray(v)) v.forEach(walk);
        else if (v && typeof v === 'object') {
          const o = v as Record<string, unknown>;
          if ((o.type === 'mrkdwn' || o.type === 'plain_text') && typeof o.text === 'string') texts.push(o.text);
          Object.values(o).forEach(walk);
        }
      };
      walk(blocks);
      return texts.join('\n');
    };
    /** The papers of a message: each title links to the paper (`*1. <https://huggingface.co/papers/ID|title>*`). */
    const paperIdsOf = (blocks: unknown): string[] => {
      const titles = textOf(blocks)
        .split('\n')
        .filter((line) => /^\*(\d+\. )?<https:\/\/huggingface\.co\/papers\//.test(line));
      return titles.map((line) => HF_PAPER.exec(line)![1]!);
    };

    let clicks = 0;

    return {
      platform: 'slack',
      channelId,
      workspaceId: slashCommand.team_id ?? null,
      poster: hosted.poster,
      userId: (person) => ids[person],
      async command(text, person) {
        const responseId = `contract-${++commands}`;
        const posted = fake.callsTo('chat.postMessage').length;
        const form = { ...slashCommand, command: '/papers', text, channel_id: channelId, user_id: ids[person], response_url: fake.responseUrl(responseId) };
        const ack = await sendToBot(hosted.url('/slack/events'), SLACK_SECRET, { form });
        if (ack.text) {
          const body = JSON.parse(ack.text) as { response_type: string; blocks: unknown };
          return { visibility: body.response_type === 'in_channel' ? 'public' : 'private', text: textOf(body.blocks), messages: [] };
        }
        const answer = await until(
          () =>
            (fake.callsTo('chat.postMessage').length > posted ? fake.messages.get(channelId)!.at(-1)! : null) ??
            fake.responses.find((r) => r.id === responseId),
          `the answer to ${text}`,
        );
        if ('ts' in answer) return { visibility: 'public', text: textOf(answer.blocks), messages: [{ id: answer.ts, paperIds: paperIdsOf(answer.blocks) }] };
        return { visibility: answer.body.response_type === 'in_channel' ? 'public' : 'private', text: textOf(answer.body.blocks), messages: [] };
      },
      async react(messageId, emoji, person, opts = {}) {
        const confirmations = fake.callsTo('chat.postEphemeral').length;
        const event = {
          ...reactionAdded.event,
          type: opts.remove ? 'reaction_removed' : 'reaction_added',
          user: ids[person],
          reaction: SLACK_EMOJI[emoji] ?? emoji,
          item: { ...reactionAdded.event.item, channel: channelId, ts: messageId },
        };
        await sendToBot(hosted.url('/slack/events'), SLACK_SECRET, { json: { ...reactionAdded, event } });
        const calls = await fake.waitForCalls('chat.postEphemeral', confirmations + 1);
        return textOf(calls.at(-1)!.body.blocks);
      },
      async click(messageId, control, person, opts = {}) {
        // The element as the message shows it: a button, or the Save static_select and the entry's option.
        const message = fake.messages.get(channelId)!.find((m) => m.ts === messageId)!;
        const elements = (message.blocks as any[]).flatMap((b) => (b.type === 'actions' ? b.elements : []));
        const button = elements.find((e) => e.type === 'button' && String(e.action_id).split(':')[1] === control);
        const select = elements.find((e) => e.type === 'static_select');
        const action = button
          ? { type: 'button', action_id: button.action_id, block_id: 'b', value: button.value }
          : { type: 'static_select', action_id: select.action_id, block_id: 'b', selected_option: select.options[(opts.entry ?? 1) - 1] };
        const responseId = `click-${++clicks}`;
        const payload = {
          ...blockActions,
          user: { ...blockActions.user, id: ids[person] },
          container: { type: 'message', message_ts: messageId, channel_id: channelId, is_ephemeral: false },
          channel: { id: channelId, name: 'contract' },
          message: { type: 'message', ts: messageId, text: message.text },
          response_url: fake.responseUrl(responseId),
          actions: [action],
        };
        await sendToBot(hosted.url('/slack/events'), SLACK_SECRET, { form: { payload: JSON.stringify(payload) } });
        const answer = await until(() => fake.responses.find((r) => r.id === responseId), `the answer to ${control}`);
        return { visibility: answer.body.response_type === 'in_channel' ? 'public' : 'private', text: textOf(answer.body.blocks), messages: [] };
      },
      async threadsOn(messageId) {
        return (fake.messages.get(channelId) ?? []).filter((m) => m.thread_ts === messageId).length;
      },
      async postedDuring(work) {
        const before = fake.messages.get(channelId)?.length ?? 0;
        const result = await work();
        return { posted: (fake.messages.get(channelId)?.length ?? 0) - before, result };
      },
      scrape: () => scrape(hosted),
      async directMessages(person) {
        return (fake.messages.get(`D${ids[person].slice(1)}`) ?? []).map((m) => textOf(m.blocks));
      },
      closeDirectMessages(person) {
        fake.unreachableUsers.set(ids[person], 'user_not_found');
      },
      async stop() {
        await hosted.stop();
        await fake.close();
      },
    };
  },
};

export const DRIVERS: DriverFactory[] = [consoleDriver, discordDriver, discordHttpDriver, slackDriver];
