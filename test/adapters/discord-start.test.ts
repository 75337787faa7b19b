import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openStore } from '../../src/store/open';
import { DEFAULT_SETTINGS } from '../../src/subscriptions/settings';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord';
import { repoRoot } from '../helpers/fixtures';
import { freePort } from '../helpers/net';
import { spawnPapers } from '../helpers/run-cli';

let fake: FakeDiscord;
let dir: string;

beforeEach(async () => {
  fake = await startFakeDiscord();
  dir = mkdtempSync(path.join(tmpdir(), 'papers-discord-start-'));
});

afterEach(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * `papers start` as an operator runs it with DISCORD_TOKEN set: the Discord adapter comes up next
 * to the scheduler and refresher, offline (Hugging Face on a closed port, so the bundled list).
 */
it('papers start with DISCORD_TOKEN connects to Discord, answers /papers today and stops on SIGTERM', async () => {
  const child = spawn(process.execPath, ['bin/papers.mjs', 'start'], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? '',
      HF_BASE_URL: 'http://127.0.0.1:9',
      DATABASE_URL: `sqlite:${path.join(dir, 'papers.db')}`,
      PORT: String(await freePort()),
      DISCORD_TOKEN: 'fake-bot-token',
      DISCORD_APPLICATION_ID: fake.applicationId,
      DISCORD_API_URL: fake.apiUrl,
    },
  });
  let stderr = '';
  const ready = new Promise<void>((resolve) =>
    child.stderr.on('data', (d) => {
      stderr += String(d);
      if (stderr.includes('"event":"ready"')) resolve();
    }),
  );
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  await Promise.race([ready, exited]);

  const readyEvent = stderr.split('\n').find((l) => l.includes('"event":"ready"'));
  expect(readyEvent, stderr).toBeDefined();
  expect(JSON.parse(readyEvent!).adapters).toEqual(['discord']);
  expect(stderr).not.toContain('fake-bot-token');

  const { token } = fake.sendCommand('today');
  const callback = await fake.waitForRequest((r) => r.path.endsWith(`/${token}/callback`));
  expect(callback.body.type).toBe(4);
  expect(callback.body.data.embeds.length).toBeGreaterThan(0);

  child.kill('SIGTERM');
  expect(await exited).toBe(0);
});

/**
 * An HTTP-only replica (`papers start --no-gateway`, DISCORD_INTERACTIONS=http): no gateway
 * connection, commands answered at POST /discord/interactions, /readyz and /metrics beside it.
 */
it('papers start --no-gateway answers HTTP interactions without connecting the gateway', async () => {
  const port = await freePort();
  const bot = spawnPapers(['start', '--no-gateway', '--no-scheduler'], {
    HF_BASE_URL: 'http://127.0.0.1:9',
    DATABASE_URL: `sqlite:${path.join(dir, 'papers.db')}`,
    PORT: String(port),
    HOST: '127.0.0.1',
    DISCORD_TOKEN: 'fake-bot-token',
    DISCORD_APPLICATION_ID: fake.applicationId,
    DISCORD_API_URL: fake.apiUrl,
    DISCORD_INTERACTIONS: 'http',
    DISCORD_PUBLIC_KEY: fake.publicKeyHex,
    METRICS: 'on',
  });
  await bot.ready;
  expect(fake.identifies).toEqual([]);

  fake.useInteractionsEndpoint(`http://127.0.0.1:${port}/discord/interactions`);
  const { token } = fake.sendCommand('today');
  const callback = await fake.waitForRequest((r) => r.path.endsWith(`/${token}/callback`));
  expect(callback.body.type).toBe(4);
  expect(callback.body.data.embeds.length).toBeGreaterThan(0);
  expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
  const scraped = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  expect(scraped).toMatch(/^papers_commands_total\{platform="discord",command="today",outcome="answered"\} 1$/m);
  // Hugging Face is unreachable here: never refreshed, so the age counts from the start, not 0.
  expect(Number(/^papers_seconds_since_refresh (\S+)$/m.exec(scraped)?.[1])).toBeGreaterThan(0);

  bot.child.kill('SIGTERM');
  expect(await bot.exited).toBe(0);
  expect(fake.identifies).toEqual([]);
});

it('papers start --no-gateway refuses gateway interactions with one line', async () => {
  const bot = spawnPapers(['start', '--no-gateway'], {
    HF_BASE_URL: 'http://127.0.0.1:9',
    DATABASE_URL: `sqlite:${path.join(dir, 'papers.db')}`,
    PORT: String(await freePort()),
    DISCORD_TOKEN: 'fake-bot-token',
    DISCORD_API_URL: fake.apiUrl,
  });
  expect(await bot.exited).not.toBe(0);
  expect(bot.stderr()).toContain('DISCORD_INTERACTIONS=http');
});

/**
 * A replica's first fan-out (the catch-up of posts due when it starts) can take minutes on
 * Discord's limits; the replica is ready, and answers, meanwhile.
 */
it('papers start is ready, and answers, while the fan-out due at start still waits on the channel limit', async () => {
  const slow = await startFakeDiscord({ rateLimits: { globalPerSecond: 50, channelMessages: { limit: 1, windowMs: 60_000 } } });
  const databaseUrl = `sqlite:${path.join(dir, 'papers.db')}`;
  const store = await openStore(databaseUrl);
  // Due a minute ago, so the start's catch-up posts it: a header and the papers, one a minute.
  const due = new Date(Date.now() - 60_000).toISOString().slice(11, 16);
  const channelId = slow.channelIds[0]!;
  await store.subscriptions.upsert({
    platform: 'discord',
    workspaceId: slow.guildId,
    channelId,
    ...DEFAULT_SETTINGS,
    time: due,
    timezone: 'UTC',
    origin: 'command',
    createdBy: 'test',
  });
  await store.close();
  const port = await freePort();
  const bot = spawnPapers(['start'], {
    HF_BASE_URL: 'http://127.0.0.1:9',
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    HOST: '127.0.0.1',
    DISCORD_TOKEN: 'fake-bot-token',
    DISCORD_APPLICATION_ID: slow.applicationId,
    DISCORD_API_URL: slow.apiUrl,
  });
  try {
    await bot.ready;
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    const { token } = slow.sendCommand('help');
    expect((await slow.waitForRequest((r) => r.path.endsWith(`/${token}/callback`))).body.type).toBe(4);
    // The digest started (its header is out) and is still waiting for the channel's next minute.
    await slow.waitForRequest((r) => r.method === 'POST' && r.path === `/channels/${channelId}/messages` && r.status === 200);
    const created = slow.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${channelId}/messages` && r.status === 200);
    expect(created).toHaveLength(1);
  } finally {
    bot.child.kill('SIGKILL');
    await bot.exited;
    await slow.close();
  }
});
