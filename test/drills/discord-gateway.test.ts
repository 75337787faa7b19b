import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discordAdapter } from '../../adapters/discord/index';
import { loadBotConfig } from '../../adapters/index';
import type { Services } from '../../src/chat/command';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord';
import { repoRoot } from '../helpers/fixtures';
import { hostAdapter } from '../helpers/host';
import { freePort } from '../helpers/net';
import { runPapers } from '../helpers/run-cli';
import { openTestStore } from '../helpers/stores';
import { bundledPapers } from '../commands/services';
import { captureLog } from '../sources/capture-log';
import { drillLine } from './report';

/**
 * Drill: what an independent Discord server implementation showed, reproduced on the loopback fake.
 * A gateway that keeps refusing, a failed login, a signal while connecting, a malformed event and a
 * rejected command tree each end in a log line and a bounded, clean exit (or are survived).
 */

let fake: FakeDiscord;
let dir: string;

beforeEach(async () => {
  fake = await startFakeDiscord();
  dir = mkdtempSync(path.join(tmpdir(), 'papers-discord-gateway-'));
});

afterEach(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Started {
  child: ChildProcessWithoutNullStreams;
  exited: Promise<number | null>;
  stderr(): string;
  /** Resolves once stderr holds a line matching `pattern`. */
  line(pattern: RegExp): Promise<string>;
}

async function papersStart(): Promise<Started> {
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
  const waiters: { pattern: RegExp; resolve(line: string): void }[] = [];
  child.stderr.on('data', (d) => {
    stderr += String(d);
    for (const w of [...waiters]) {
      const hit = stderr.split('\n').find((l) => w.pattern.test(l));
      if (hit) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(hit);
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    stderr: () => stderr,
    line: (pattern) =>
      new Promise((resolve, reject) => {
        const hit = stderr.split('\n').find((l) => pattern.test(l));
        if (hit) return resolve(hit);
        waiters.push({ pattern, resolve });
        void exited.then(() => reject(new Error(`exited before a line matching ${pattern}:\n${stderr}`)));
      }),
  };
}

const events = (stderr: string, name: string) =>
  stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((e) => e.event === name);

describe('papers start against a Discord gateway that will not let it in', () => {
  it('logs each refused connection with its close code, then gives up: exit 1 and one line', async () => {
    fake.refuseGateway(4002);
    const run = await papersStart();
    expect(await run.exited).toBe(1);
    const closes = events(run.stderr(), 'discord_gateway_closed');
    expect(closes.length).toBeGreaterThanOrEqual(1);
    expect(closes.every((e) => e.code === 4002)).toBe(true);
    const plain = run
      .stderr()
      .split('\n')
      .filter((l) => l && !l.startsWith('{'));
    expect(plain).toEqual(['papers start: Discord login failed: the Discord gateway refused 5 connections in a row (last close code 4002)']);
    drillLine('discord-gateway', `${fake.refusals()} refused connections (close 4002), ${closes.length} logged with the code, exit 1 with one line`);
  });

  it.each([
    ['while the store is being opened', /"msg":"database migrated"/],
    ['while the gateway keeps refusing', /"event":"discord_gateway_closed"/],
  ])('stops on SIGTERM %s: exit 0, and no connection attempt after', async (_when, moment) => {
    fake.refuseGateway(4000);
    const run = await papersStart();
    await run.line(moment);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(events(run.stderr(), 'stopping')).toHaveLength(1);
    const refused = fake.refusals();
    await new Promise((r) => setTimeout(r, 1200)); // discord.js retries every ~0.5 s
    expect(fake.refusals()).toBe(refused);
  });

  it.each([
    ['a rejected token (GET /gateway/bot 401)', () => fake.failGatewayBot(401), 'An invalid token was provided.'],
    ['a gateway closing with 4004 (authentication failed)', () => fake.refuseGateway(4004), 'Authentication failed'],
  ])('exits 1 with one line after %s', async (_what, arrange, reason) => {
    arrange();
    const run = await papersStart();
    expect(await run.exited).toBe(1);
    expect(run.stderr()).toContain(`papers start: Discord login failed: ${reason}\n`);
  });
});

it('survives a malformed gateway event (a message whose application.install_params is null) and answers the next command', async () => {
  const { store, cleanup } = await openTestStore('sqlite');
  const now = new Date('2025-10-15T10:00:00Z');
  await store.papers.upsert(bundledPapers(), now);
  const config = loadBotConfig({ DISCORD_TOKEN: 'fake-bot-token', DISCORD_APPLICATION_ID: fake.applicationId, DISCORD_API_URL: fake.apiUrl });
  const { log, events: logged } = captureLog();
  const services: Services = { store, config, log, now: () => now, sourceStatus: () => ({ lastSuccessAt: now, lastError: null, note: null }) };
  const adapter = await hostAdapter(discordAdapter, services);
  try {
    fake.dispatch('MESSAGE_CREATE', {
      id: '1300000000000009999',
      channel_id: fake.channelIds[0],
      guild_id: fake.guildId,
      author: { id: '80351110224678913', username: 'someone', discriminator: '0', avatar: null, global_name: null },
      content: 'hi',
      timestamp: '2025-10-15T10:00:00.000000+00:00',
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: [],
      embeds: [],
      pinned: false,
      type: 0,
      application: { id: '1300000000000008888', name: 'Some activity', icon: null, description: '', install_params: null },
    });
    const { token } = fake.sendCommand('today');
    const callback = await fake.waitForRequest((r) => r.path.endsWith(`/${token}/callback`));
    expect(callback.body.type).toBe(4);
    const dropped = logged().filter((e) => e.event === 'discord_event_dropped');
    expect(dropped).toEqual([expect.objectContaining({ type: 'MESSAGE_CREATE', level: 50 })]);
  } finally {
    await adapter.stop();
    await cleanup();
  }
});

it('papers register shows the field errors of an Invalid Form Body', async () => {
  fake.failNext('PUT', /\/commands$/, 400, {
    code: 50035,
    message: 'Invalid Form Body',
    errors: { '0': { options: { '2': { description: { _errors: [{ code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 100 in length.' }] } } } } },
  });
  const { code, stderr } = await runPapers(['register'], {
    env: { DISCORD_TOKEN: 'fake-bot-token', DISCORD_APPLICATION_ID: fake.applicationId, DISCORD_API_URL: fake.apiUrl },
  });
  expect(code).toBe(1);
  expect(stderr.trim().split('\n')).toEqual([
    'papers register: Discord refused the commands: Invalid Form Body; 0.options[2].description[BASE_TYPE_BAD_LENGTH]: Must be between 1 and 100 in length.',
  ]);
});
