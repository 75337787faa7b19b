import { tmpdir } from 'node:os';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main';
import type { CliContext } from '../../cli/context';
import { openStore } from '../../src/store/open';
import { startFakeDiscord } from '../fakes/discord';
import { startFakeSource, type FakeSource } from '../fakes/hf-server';
import { startFakeSlack } from '../fakes/slack';
import { testDatabase } from '../helpers/stores';
import { realPapers, subscription } from './harness';

function capture(env: Record<string, string>) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const ctx: CliContext = { env, cwd: process.cwd(), stdin: Readable.from([]), stdout, stderr, shutdownSignal: new Promise(() => {}) };
  return { ctx, out: () => out, err: () => err };
}

describe('papers post-daily', () => {
  let source: FakeSource;
  let db: ReturnType<typeof testDatabase>;
  let env: Record<string, string>;

  beforeAll(async () => {
    source = await startFakeSource();
    db = testDatabase('sqlite');
    env = { DATABASE_URL: db.url, HF_BASE_URL: source.url, ARXIV_API_URL: source.url, LOG_LEVEL: 'silent', PORT: '1' };
    const store = await openStore(db.url);
    await store.papers.upsert(realPapers, new Date('2025-10-14T08:00:00Z'));
    await store.subscriptions.upsert(subscription('console', { top: 3 }));
    await store.close();
  });
  afterAll(async () => {
    await source.close();
    await db.cleanup();
  });

  async function papers(...args: string[]) {
    const io = capture(env);
    const code = await main(['post-daily', ...args], io.ctx);
    return { code, out: io.out(), err: io.err() };
  }

  it('posts the day for every channel, then a second run for the same date posts nothing', async () => {
    const first = await papers('--all', '--date', '2025-10-14');
    expect(first.code).toBe(0);
    expect(first.out).toContain('console:console 2025-10-14: posted 4 message(s)');
    const title = realPapers.find((p) => first.out.includes(p.title))?.title;
    expect(title).toBeDefined();
    // Only the posted messages: not the console chat's banner or help.
    expect(first.out).not.toContain('papers console:');
    expect(first.out).not.toContain('/papers help');
    // Ranked as of that day, not of the day the command runs.
    expect(first.out).toMatch(/Why: .*(listed|new) today/);
    expect(first.out).not.toMatch(/\d+ days? (ago|old)/);
    // The source was asked first (today's and yesterday's lists).
    expect(source.requests.some((r) => r.url.startsWith('/api/daily_papers?date='))).toBe(true);

    const second = await papers('--subscription', 'console:console', '--date', '2025-10-14');
    expect(second.code).toBe(0);
    expect(second.out).toContain('console:console 2025-10-14: already posted; nothing sent');
    expect(second.out).not.toContain(title!);
  });

  it('--dry-run prints what the channel would get and why papers were left out, posting nothing', async () => {
    const dry = await papers('--all', '--date', '2025-10-15', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.out).toContain('console:console 2025-10-15: would post 3 paper(s) from the 2025-10-14 list');
    expect(dry.out.match(/\(already posted\)/g)).toHaveLength(3);
    const again = await papers('--all', '--date', '2025-10-15', '--dry-run');
    expect(again.out).toBe(dry.out);
  });

  it('--dry-run for a past date gives the reasons of that day in the subscription’s zone', async () => {
    const store = await openStore(db.url);
    await store.subscriptions.upsert(subscription('tokyo', { timezone: 'Asia/Tokyo' }));
    await store.close();
    const dry = await papers('--subscription', 'console:tokyo', '--date', '2025-10-14', '--dry-run');
    expect(dry.out).toContain('console:tokyo 2025-10-14: would post 3 paper(s) from the 2025-10-14 list');
    const planned = dry.out.split('\n').filter((line) => /^ {2}\d+\. /.test(line));
    expect(planned.length).toBeGreaterThan(0);
    for (const line of planned) expect(line).toMatch(/ · (listed|new) today\)$/);
    expect(dry.out).not.toMatch(/\d+ days? (ago|old)/);
  });

  it('includes subscriptions declared in the subscriptions file', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const file = `${mkdtempSync(`${tmpdir()}/papers-cli-`)}/subs.yaml`;
    writeFileSync(file, 'subscriptions:\n  - {platform: console, channel: from-file, time: "09:00", tz: UTC, top: 2}\n');
    const io = capture({ ...env, PAPERS_CONFIG: file });
    expect(await main(['post-daily', '--subscription', 'console:from-file', '--date', '2025-10-14', '--dry-run'], io.ctx)).toBe(0);
    expect(io.out()).toContain('console:from-file 2025-10-14: would post 2 paper(s)');
  });

  it('a bad subscriptions file is one line naming the file and line', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const file = `${mkdtempSync(`${tmpdir()}/papers-cli-`)}/subs.yaml`;
    writeFileSync(file, 'subscriptions:\n  - {platform: irc, channel: x, time: "09:00", tz: UTC}\n');
    const io = capture({ ...env, PAPERS_CONFIG: file });
    expect(await main(['post-daily', '--all'], io.ctx)).toBe(1);
    expect(io.err()).toBe(`papers post-daily: ${file}:2:16: subscriptions[0].platform: expected one of discord, slack, console\n`);
  });

  it('--users sends the personal digests due, --dry-run shows per person what and why, and a second run sends nothing', async () => {
    const store = await openStore(db.url);
    await store.follows.add({ platform: 'console', userId: 'ada', follow: { kind: 'topic', value: 'NVFP4 quantization' }, at: new Date(), max: 25 });
    const settings = { digest: 'daily' as const, weekDay: 'mon' as const, time: '00:00', timezone: 'UTC', top: 5, alerts: false };
    await store.personal.set({ platform: 'console', userId: 'ada', workspaceId: null, settings, now: new Date() });
    await store.close();
    const dry = await papers('--users', '--dry-run', '--date', '2025-10-15');
    expect(dry.code).toBe(0);
    expect(dry.out).toContain('console user ada 2025-10-15: would send 1 paper(s) of 2025-10-14');
    expect(dry.out).toMatch(/1\. 2510\.11696 {2}QeRL.*\(follows: NVFP4 quantization\)/);
    expect(dry.out).toMatch(/- 2510\.11690 {2}Diffusion Transformers.*\(matches none of your follows\)/);
    const sent = await papers('--users', '--date', '2025-10-15');
    expect(sent.out).toContain('console user ada 2025-10-15: sent 2 direct message(s)');
    expect(sent.out).toContain('(direct message to ada)');
    expect((await papers('--users', '--date', '2025-10-15')).out).toBe('console user ada 2025-10-15: already sent; nothing sent\n');
  });

  it('operator mistakes: one line on stderr and a non-zero exit', async () => {
    const cases: [string[], number, RegExp][] = [
      [[], 2, /give one of --subscription ID, --all or --users/],
      [['--all', '--subscription', 'x'], 2, /give one of/],
      [['--all', '--users'], 2, /give one of/],
      [['--all', '--date', '2025-02-30'], 2, /--date must be a calendar date as YYYY-MM-DD, got "2025-02-30"/],
      [['--all', '--when', 'now'], 2, /Unknown option '--when'/],
      [['--subscription', 'slack:nope'], 1, /no subscription "slack:nope"/],
    ];
    for (const [args, code, message] of cases) {
      const r = await papers(...args);
      expect(r.code).toBe(code);
      expect(r.err).toMatch(message);
      expect(r.err.trim().split('\n')).toHaveLength(1);
    }
  });
});

describe('papers post-daily posts to the configured platforms without connecting to them', () => {
  let source: FakeSource;
  let db: ReturnType<typeof testDatabase>;

  beforeAll(async () => {
    source = await startFakeSource();
  });
  afterAll(async () => {
    await source.close();
  });

  /** A fresh database with the real list and one subscription, then `post-daily --all` for that day. */
  async function postDaily(sub: ReturnType<typeof subscription>, env: Record<string, string>) {
    db = testDatabase('sqlite');
    const store = await openStore(db.url);
    await store.papers.upsert(realPapers, new Date('2025-10-14T08:00:00Z'));
    await store.subscriptions.upsert(sub);
    await store.close();
    const io = capture({ DATABASE_URL: db.url, HF_BASE_URL: source.url, ARXIV_API_URL: source.url, LOG_LEVEL: 'silent', PORT: '1', ...env });
    try {
      return { code: await main(['post-daily', '--all', '--date', '2025-10-14'], io.ctx), out: io.out(), err: io.err() };
    } finally {
      await db.cleanup();
    }
  }

  it('Discord: through REST, with no gateway session', async () => {
    const fake = await startFakeDiscord();
    try {
      const channelId = fake.channelIds[0]!;
      const r = await postDaily(subscription(channelId, { platform: 'discord', top: 2 }), { DISCORD_TOKEN: 'fake-bot-token', DISCORD_API_URL: fake.apiUrl });
      expect(r.err).toBe('');
      expect(r.out).toBe(`discord:${channelId} 2025-10-14: posted 3 message(s)\n`);
      expect(fake.requests.filter((q) => q.method === 'POST' && q.path === `/channels/${channelId}/messages`)).toHaveLength(3);
      expect(fake.identifies).toHaveLength(0);
      expect(fake.requests.some((q) => q.path === '/gateway/bot')).toBe(false);
    } finally {
      await fake.close();
    }
  });

  it('Slack in Socket Mode: through the Web API alone, with no second Socket Mode connection', async () => {
    const fake = await startFakeSlack();
    try {
      const env = { SLACK_BOT_TOKEN: 'xoxb-fake', SLACK_APP_TOKEN: 'xapp-test-token', SLACK_API_URL: fake.apiUrl, PORT: '1' };
      const r = await postDaily(subscription('CDAILY', { platform: 'slack', top: 2 }), env);
      expect(r.err).toBe('');
      expect(r.out).toBe('slack:CDAILY 2025-10-14: posted 3 message(s)\n');
      const posted = fake.messages.get('CDAILY')!;
      expect(posted).toHaveLength(3);
      for (const m of posted)
        expect(m.metadata).toMatchObject({ event_type: 'papers_digest', event_payload: { key: expect.stringMatching(/^slack:CDAILY@2025-10-14:/) } });
      // Neither a Bolt app (it would call auth.test) nor a Socket Mode connection that could answer commands.
      expect(fake.callsTo('apps.connections.open')).toHaveLength(0);
      expect(fake.callsTo('auth.test')).toHaveLength(0);
    } finally {
      await fake.close();
    }
  });
});
