import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { discordAdapter } from '../../adapters/discord/index';
import { loadBotConfig } from '../../adapters/index';
import type { Services } from '../../src/chat/command';
import { createLogger } from '../../src/log';
import { createScheduler } from '../../src/schedule/scheduler';
import { openStore } from '../../src/store/open';
import type { Store } from '../../src/store/types';
import { bundledPapers, NOW } from '../commands/services';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord';
import { hostAdapter, type HostedAdapter } from '../helpers/host';
import { openTestStore, storeKinds } from '../helpers/stores';

/**
 * Discord's Interactions Endpoint URL (DISCORD_INTERACTIONS=http): what Discord checks before it
 * accepts the URL (401 on a bad signature, PONG to a PING), and HTTP-only replicas
 * (`papers start --no-gateway`) answering through the same runtime and posting each digest once.
 */

const silent = createLogger({ level: 'silent' });
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function replica(fake: FakeDiscord, store: Store): Promise<HostedAdapter> {
  const config = loadBotConfig(
    {
      LOG_LEVEL: 'silent',
      DISCORD_TOKEN: 'http-token',
      DISCORD_APPLICATION_ID: fake.applicationId,
      DISCORD_API_URL: fake.apiUrl,
      DISCORD_INTERACTIONS: 'http',
      DISCORD_PUBLIC_KEY: fake.publicKeyHex,
    },
    '/nonexistent',
  );
  const services: Services = { store, config, log: silent, now: () => NOW, sourceStatus: () => ({ lastSuccessAt: NOW, lastError: null, note: null }) };
  const hosted = await hostAdapter(discordAdapter, services, {}, { gateway: false, http: true });
  cleanups.push(() => hosted.stop());
  return hosted;
}

async function setup(kind: 'sqlite' | 'postgres' = 'sqlite') {
  const fake = await startFakeDiscord();
  cleanups.push(() => fake.close());
  const db = await openTestStore(kind);
  cleanups.push(db.cleanup);
  await db.store.papers.upsert(bundledPapers(), NOW);
  return { fake, db };
}

/** A `/papers paper 2510.11696` interaction as Discord POSTs it. */
function paperCommand(fake: FakeDiscord) {
  return {
    type: 2,
    id: '900000000000000001',
    token: 'http-token-1',
    application_id: fake.applicationId,
    guild_id: fake.guildId,
    channel_id: fake.channelIds[0],
    channel: { id: fake.channelIds[0], type: 0 },
    member: { user: { id: '222222222222222222', username: 'member' }, permissions: '0' },
    data: { id: '1', name: 'papers', type: 1, options: [{ type: 1, name: 'paper', options: [{ type: 3, name: 'id', value: '2510.11696' }] }] },
  };
}

function post(url: string, body: string, headers: Record<string, string>) {
  return fetch(url, { method: 'POST', headers, body });
}

describe('POST /discord/interactions', () => {
  it('answers a command signed by Discord in the response, through the runtime', async () => {
    const { fake, db } = await setup();
    const bot = await replica(fake, db.store);
    const body = JSON.stringify(paperCommand(fake));
    const res = await post(bot.url('/discord/interactions'), body, fake.signedHeaders(body));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const answer = (await res.json()) as { type: number; data: { embeds: { title: string }[]; allowed_mentions: unknown } };
    expect(answer.type).toBe(4);
    expect(answer.data.embeds[0]?.title).toContain('QeRL');
    expect(answer.data.allowed_mentions).toEqual({ parse: [] });
    // Public: recorded under the interaction, so a reaction on the answer finds its paper.
    await bot.host.stop();
    expect(await db.store.posts.find('discord', fake.channelIds[0]!, '900000000000000001')).toMatchObject({ paperIds: ['2510.11696'] });
  });

  it('answers with a file by deferring in the response and sending the file with the edit', async () => {
    const { fake, db } = await setup();
    const bot = await replica(fake, db.store);
    fake.useInteractionsEndpoint(bot.url('/discord/interactions'));
    const userId = '222222222222222222';
    await db.store.bookmarks.add({ platform: 'discord', userId, paperId: '2510.11696', messageId: null, at: NOW });
    const { token } = fake.sendCommand('bookmarks', { action: 'export', format: 'bibtex' }, { userId });
    const callback = await fake.waitForRequest((r) => r.path.endsWith(`/${token}/callback`));
    expect(callback.body).toEqual({ type: 5, data: { flags: 64 } });
    const edit = await fake.waitForRequest((r) => r.method === 'PATCH' && r.path.includes(token));
    expect(edit.files.map((f) => f.name)).toEqual([expect.stringMatching(/\.bib$/)]);
    expect(edit.files[0]!.content).toContain('2510.11696');
  });

  it('answers PING with PONG', async () => {
    const { fake, db } = await setup();
    const bot = await replica(fake, db.store);
    const body = JSON.stringify({ type: 1, id: '1', application_id: fake.applicationId, token: 't' });
    const res = await post(bot.url('/discord/interactions'), body, fake.signedHeaders(body));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ type: 1 });
  });

  it('reads a body of up to 1 MiB, and refuses a larger one with 413 before checking it', async () => {
    const { fake, db } = await setup();
    const bot = await replica(fake, db.store);
    const url = bot.url('/discord/interactions');
    // A signed PING padded to exactly the limit is still read, checked and answered.
    const ping = JSON.stringify({ type: 1, id: '1', application_id: fake.applicationId, token: 't' });
    const atLimit = ping.padEnd(1 << 20, ' ');
    const answered = await post(url, atLimit, fake.signedHeaders(atLimit));
    expect(answered.status).toBe(200);
    expect(await answered.json()).toEqual({ type: 1 });

    const over = `${atLimit} `;
    expect((await post(url, over, fake.signedHeaders(over))).status).toBe(413);
  });

  it('leaves a signed command of another name unanswered (400), and passes nothing on', async () => {
    const { fake, db } = await setup();
    const bot = await replica(fake, db.store);
    const command = paperCommand(fake);
    const body = JSON.stringify({ ...command, data: { ...command.data, name: 'weather' } });
    const res = await post(bot.url('/discord/interactions'), body, fake.signedHeaders(body));
    expect(res.status).toBe(400);
    expect(fake.requests.filter((r) => r.path.includes('/interactions/') || r.path.startsWith('/webhooks'))).toEqual([]);
  });

  it('refuses with 401 a tampered body, another key, a missing header and an old or non-numeric timestamp, and answers none of them', async () => {
    const { fake, db } = await setup();
    const bot = await replica(fake, db.store);
    const url = bot.url('/discord/interactions');
    const body = JSON.stringify(paperCommand(fake));
    const headers = fake.signedHeaders(body);

    const tampered = body.replace('2510.11696', '2510.11697');
    expect((await post(url, tampered, headers)).status).toBe(401);

    const other = generateKeyPairSync('ed25519');
    const { sign } = await import('node:crypto');
    const forged = sign(null, Buffer.from(headers['x-signature-timestamp'] + body), other.privateKey).toString('hex');
    expect((await post(url, body, { ...headers, 'x-signature-ed25519': forged })).status).toBe(401);

    const { 'x-signature-ed25519': _sig, ...noSignature } = headers;
    expect((await post(url, body, noSignature)).status).toBe(401);
    const { 'x-signature-timestamp': _ts, ...noTimestamp } = headers;
    expect((await post(url, body, noTimestamp)).status).toBe(401);

    const anHourAgo = String(Math.floor(Date.now() / 1000) - 3600);
    expect((await post(url, body, fake.signedHeaders(body, anHourAgo))).status).toBe(401);
    // Signed, but with no time to hold it to (nor to remember it by until then).
    expect((await post(url, body, fake.signedHeaders(body, 'soon'))).status).toBe(401);

    // A PING is not answered without a signature either: Discord checks exactly that.
    const ping = JSON.stringify({ type: 1 });
    expect((await post(url, ping, { 'content-type': 'application/json' })).status).toBe(401);
    expect(fake.requests.filter((r) => r.path.includes('/interactions/') || r.path.startsWith('/webhooks'))).toEqual([]);
  });

  it('refuses with 401 a signed copy replayed within the window, and answers it once', async () => {
    const { fake, db } = await setup();
    const bot = await replica(fake, db.store);
    const body = JSON.stringify(paperCommand(fake));
    const headers = fake.signedHeaders(body);
    expect((await post(bot.url('/discord/interactions'), body, headers)).status).toBe(200);
    const replayed = await post(bot.url('/discord/interactions'), body, headers);
    expect(replayed.status).toBe(401);
    expect(await replayed.text()).toBe('request already seen');
  });

  it('is not served by a --gateway-only process, which holds the gateway for reactions', async () => {
    const { fake, db } = await setup();
    const config = loadBotConfig(
      {
        LOG_LEVEL: 'silent',
        DISCORD_TOKEN: 't',
        DISCORD_APPLICATION_ID: fake.applicationId,
        DISCORD_API_URL: fake.apiUrl,
        DISCORD_INTERACTIONS: 'http',
        DISCORD_PUBLIC_KEY: fake.publicKeyHex,
      },
      '/nonexistent',
    );
    const services: Services = {
      store: db.store,
      config,
      log: silent,
      now: () => NOW,
      sourceStatus: () => ({ lastSuccessAt: NOW, lastError: null, note: null }),
    };
    const bot = await hostAdapter(discordAdapter, services, {}, { gateway: true, http: false });
    cleanups.push(() => bot.stop());
    expect(fake.identifies).toHaveLength(1);
    const body = JSON.stringify({ type: 1 });
    expect((await post(bot.url('/discord/interactions'), body, fake.signedHeaders(body))).status).toBe(404);
  });

  it('is not served with DISCORD_INTERACTIONS=gateway', async () => {
    const { fake, db } = await setup();
    const config = loadBotConfig(
      { LOG_LEVEL: 'silent', DISCORD_TOKEN: 't', DISCORD_APPLICATION_ID: fake.applicationId, DISCORD_API_URL: fake.apiUrl },
      '/nonexistent',
    );
    const services: Services = {
      store: db.store,
      config,
      log: silent,
      now: () => NOW,
      sourceStatus: () => ({ lastSuccessAt: NOW, lastError: null, note: null }),
    };
    const bot = await hostAdapter(discordAdapter, services);
    cleanups.push(() => bot.stop());
    const body = JSON.stringify({ type: 1 });
    expect((await post(bot.url('/discord/interactions'), body, fake.signedHeaders(body))).status).toBe(404);
  });
});

describe.skipIf(!storeKinds.includes('postgres'))('two HTTP-only replicas on one PostgreSQL', () => {
  it('both answer commands and clicks, and a daily digest is posted once', async () => {
    const { fake, db } = await setup('postgres');
    const otherStore = await openStore(db.url);
    cleanups.push(() => otherStore.close());
    const replicas = [await replica(fake, db.store), await replica(fake, otherStore)];

    // A load balancer spreads commands over both: each answers its own.
    const admin = { userId: '111111111111111111', permissions: 1n << 4n };
    const answers: unknown[] = [];
    for (const [i, bot] of replicas.entries()) {
      fake.useInteractionsEndpoint(bot.url('/discord/interactions'));
      const { token } = fake.sendCommand('paper', { id: '2510.11696' }, admin);
      const callback = await fake.waitForRequest((r) => r.path.endsWith(`/${token}/callback`));
      expect(callback.status, `replica ${i}`).toBe(204);
      answers.push(callback.body.data.embeds[0].title);
    }
    expect(answers).toEqual([expect.stringContaining('QeRL'), expect.stringContaining('QeRL')]);

    // A copy of a request one replica answered, replayed to the other: refused there too.
    const body = JSON.stringify({ ...paperCommand(fake), id: '900000000000000009', token: 'replayed' });
    const headers = fake.signedHeaders(body);
    expect((await post(replicas[0]!.url('/discord/interactions'), body, headers)).status).toBe(200);
    expect((await post(replicas[1]!.url('/discord/interactions'), body, headers)).status).toBe(401);

    // A click on the first replica's answer, served by the second: the record is in the shared store.
    const answered = fake.interactionReply(fake.requests.find((r) => r.path.endsWith('/callback'))!.path.split('/')[3]!)!;
    const save = (answered.components[0] as { components: { custom_id: string }[] }).components.find((c) => c.custom_id.includes(':save:'))!;
    const { token: clickToken } = fake.sendClick({ messageId: answered.id, customId: save.custom_id, userId: admin.userId });
    const click = await fake.waitForRequest((r) => r.path.endsWith(`/${clickToken}/callback`));
    expect(click.body.data.content).toContain('Saved');
    expect((await db.store.bookmarks.list('discord', admin.userId)).map((b) => b.paper.id)).toEqual(['2510.11696']);

    fake.useInteractionsEndpoint(replicas[0]!.url('/discord/interactions'));
    const { token } = fake.sendCommand('subscribe', { time: '09:00', tz: 'UTC', top: 3 }, admin);
    await fake.waitForRequest((r) => r.path.endsWith(`/${token}/callback`));
    expect(await db.store.subscriptions.list()).toHaveLength(1);

    // Both replicas' schedulers wake for the same post at once.
    const config = { ...loadBotConfig({}, '/nonexistent'), platforms: ['discord'] };
    const schedulers = replicas.map((bot, i) =>
      createScheduler({
        store: i === 0 ? db.store : otherStore,
        posters: [bot.poster],
        config,
        log: silent,
        clock: { now: () => new Date('2025-10-16T09:05:00Z') },
        owner: { host: `replica-${i}`, pid: 1000 + i },
        retryDelayMs: 0,
      }),
    );
    const reports = await Promise.all(schedulers.map((s) => s.catchUp()));
    const outcomes = reports.flatMap((r) => r.channels.map((c) => c.outcome)).sort();
    expect(outcomes).toContain('posted');
    expect(outcomes.filter((o) => o === 'posted')).toHaveLength(1);
    const posted = fake.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${fake.channelIds[0]}/messages` && r.status === 200);
    // The header and three papers, once.
    expect(posted).toHaveLength(4);
  });
});
