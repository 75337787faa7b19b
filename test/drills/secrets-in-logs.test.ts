import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { startFakeDiscord } from '../fakes/discord';
import { sendToBot, startFakeSlack } from '../fakes/slack';
import { repoRoot } from '../helpers/fixtures';
import { storeKinds, testDatabase } from '../helpers/stores';
import { drillLine } from './report';
import { freePort } from '../helpers/net';

/**
 * Drill: `papers start` with every credential set, Discord and Slack against their loopback fakes,
 * at LOG_LEVEL=trace, driven through commands, errors, a forged request, an unreachable source
 * and a shutdown. Not one line of its output may contain a secret it was given.
 */

it('drill secrets-in-logs: no token, signing secret or database password appears in any output line', async () => {
  const discord = await startFakeDiscord();
  const slack = await startFakeSlack();
  const dir = mkdtempSync(path.join(tmpdir(), 'papers-secrets-'));
  const pg = storeKinds.includes('postgres') ? testDatabase('postgres') : null;
  const secrets = {
    DISCORD_TOKEN: 'MTA5OTk5OTk5OTk5OTk5OTk5OQ.drill.discord-token-secret-value',
    SLACK_BOT_TOKEN: 'xoxb-drill_slack_bot_token_1111',
    SLACK_SIGNING_SECRET: 'drill-signing-secret-0f9e8d7c6b5a',
    ...(pg ? { DB_PASSWORD: 'drill-db-password-4b5c' } : {}),
  };
  const databaseUrl = pg ? pg.url.replace('postgres://postgres@', `postgres://postgres:${secrets.DB_PASSWORD}@`) : `sqlite:${path.join(dir, 'papers.db')}`;
  const port = await freePort();
  const child = spawn(process.execPath, ['bin/papers.mjs', 'start'], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? '',
      LOG_LEVEL: 'trace',
      HF_BASE_URL: 'http://127.0.0.1:9',
      DATABASE_URL: databaseUrl,
      HOST: '127.0.0.1',
      PORT: String(port),
      DISCORD_TOKEN: secrets.DISCORD_TOKEN,
      DISCORD_APPLICATION_ID: discord.applicationId,
      DISCORD_API_URL: discord.apiUrl,
      SLACK_BOT_TOKEN: secrets.SLACK_BOT_TOKEN,
      SLACK_SIGNING_SECRET: secrets.SLACK_SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
    },
  });
  let output = '';
  child.stdout.on('data', (d) => (output += String(d)));
  const ready = new Promise<void>((resolve) =>
    child.stderr.on('data', (d) => {
      output += String(d);
      if (output.includes('"event":"ready"')) resolve();
    }),
  );
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  try {
    await Promise.race([ready, exited]);
    expect(output).toContain('"event":"ready"');

    // Discord: answers, a validation error, a rate limit on the reply, a channel the bot cannot see.
    discord.rateLimitNext('POST', /\/callback$/, 0.05);
    for (const [sub, options] of [
      ['today', {}],
      ['subscribe', { tz: 'Mars/Olympus' }],
      ['search', { query: 'video' }],
      ['bookmarks', {}],
    ] as const) {
      const { token } = discord.sendCommand(sub, options);
      await discord.waitForRequest((r) => r.path.endsWith(`/${token}/callback`) && r.status < 400);
    }
    // Slack: a signed command, a forged one, a stale one.
    const events = `http://127.0.0.1:${port}/slack/events`;
    const form = {
      command: '/papers',
      text: 'today',
      user_id: 'U1',
      user_name: 'u',
      channel_id: 'C1',
      channel_name: 'general',
      team_id: 'T1',
      response_url: slack.responseUrl('s'),
      trigger_id: 't',
    };
    expect((await sendToBot(events, secrets.SLACK_SIGNING_SECRET, { form })).status).toBe(200);
    expect((await sendToBot(events, 'wrong-secret', { form })).status).toBe(401);
    expect((await sendToBot(events, secrets.SLACK_SIGNING_SECRET, { form }, { timestamp: 1 })).status).toBe(401);
  } finally {
    child.kill('SIGTERM');
    await exited;
    await discord.close();
    await slack.close();
    await pg?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
  const lines = output.split('\n').filter(Boolean);
  const leaks = lines.filter((l) => Object.values(secrets).some((s) => l.includes(s)));
  drillLine(
    'secrets-in-logs',
    `${lines.length} output lines at LOG_LEVEL=trace from papers start (Discord + Slack + ${pg ? 'Postgres with password' : 'SQLite'}), ${Object.keys(secrets).length} secrets searched, ${leaks.length} leaks`,
  );
  expect(leaks).toEqual([]);
  expect(lines.length).toBeGreaterThan(10);
}, 60_000);
