import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBotConfig } from '../../adapters/index';
import { slackAdapter } from '../../adapters/slack/index';
import { UNINSTALLED, storeInstallations } from '../../adapters/slack/installations';
import type { Installation } from '@slack/bolt';
import { ConfigError } from '../../src/errors';
import { createLogger } from '../../src/log';
import { openStore } from '../../src/store/open';
import type { Store } from '../../src/store/types';
import { DEFAULT_SETTINGS } from '../../src/subscriptions/settings';
import { sendToBot, startFakeSlack, type FakeSlack } from '../fakes/slack';
import { readFixture } from '../helpers/fixtures';
import { hostAdapter, type HostedAdapter } from '../helpers/host';
import { runPapers } from '../helpers/run-cli';
import { openTestStore, TEST_SECRET_KEY } from '../helpers/stores';
import { createSecretBox } from '../../src/store/secret-box';
import { drillLine } from './report';

/**
 * Drill: what installing into several Slack workspaces through OAuth showed. A workspace without an
 * installation is answered; an uninstall or a revoked token drops the token and pauses that
 * workspace's daily posts (installing again resumes them); the SQLite file holding the tokens is
 * readable by its owner only; a missing SLACK_STATE_SECRET stops `papers start` before anything.
 */

const SECRET = 'oauth-drill-signing-secret';
const NOW = new Date('2025-10-15T08:00:00Z');
const OAUTH_ENV = {
  SLACK_CLIENT_ID: '111.222',
  SLACK_CLIENT_SECRET: 'client-secret-xyz',
  SLACK_STATE_SECRET: 'state-secret-xyz',
  SLACK_SIGNING_SECRET: SECRET,
  PAPERS_SECRET_KEY: TEST_SECRET_KEY,
};
const box = createSecretBox({ current: Buffer.from(TEST_SECRET_KEY, 'base64'), previous: null });
const slashCommand = Object.fromEntries(new URLSearchParams(readFixture('platform/slack-slash-command.txt')));

let fake: FakeSlack;
let store: Store;
let cleanup: () => Promise<void>;
let slack: HostedAdapter;

function installation(teamId: string): Installation {
  return {
    team: { id: teamId, name: teamId },
    enterprise: undefined,
    user: { id: 'UINSTALLER', token: undefined, scopes: undefined },
    bot: { id: `B${teamId}`, userId: `U${teamId}`, token: `xoxb-${teamId}`, scopes: ['chat:write'] },
    isEnterpriseInstall: false,
  };
}

async function subscribe(teamId: string, channelId: string) {
  await store.subscriptions.upsert({ platform: 'slack', workspaceId: teamId, channelId, ...DEFAULT_SETTINGS, origin: 'command', createdBy: 'U1' });
}

const enabled = async (teamId: string) =>
  (await store.subscriptions.list({ platform: 'slack' })).filter((s) => s.workspaceId === teamId).map((s) => [s.channelId, s.enabled, s.disabledReason]);

beforeAll(async () => {
  fake = await startFakeSlack();
  ({ store, cleanup } = await openTestStore('sqlite'));
  const config = loadBotConfig({ ...OAUTH_ENV, SLACK_API_URL: fake.apiUrl }, '/nonexistent');
  const services = {
    store,
    config,
    log: createLogger({ level: 'silent' }),
    now: () => NOW,
    sourceStatus: () => ({ lastSuccessAt: NOW, lastError: null, note: null }),
  };
  slack = await hostAdapter(slackAdapter, services);
});

afterAll(async () => {
  await slack?.stop();
  await fake?.close();
  await cleanup?.();
});

describe('Slack OAuth', () => {
  it('answers a slash command from a workspace without an installation, privately, with the install link', async () => {
    const res = await sendToBot(slack.url('/slack/events'), SECRET, { form: { ...slashCommand, team_id: 'TNOTINSTALLED', command: '/papers', text: 'today' } });
    expect(res.status).toBe(200);
    const answer = JSON.parse(res.text) as { response_type: string; text: string };
    expect(answer.response_type).toBe('ephemeral');
    // Slack reaches request URLs over HTTPS only (a TLS proxy in front of the bot), so the link is https.
    expect(answer.text).toContain(`<${slack.url('/slack/install').replace('http:', 'https:')}|install it>`);
  });

  it.each([
    ['app_uninstalled', { type: 'app_uninstalled' }],
    ['tokens_revoked', { type: 'tokens_revoked', tokens: { oauth: [], bot: ['UTREVOKED'] } }],
  ])('%s drops the installation and pauses the workspace; installing again resumes it', async (_name, event) => {
    const team = `T${_name.toUpperCase().replace(/_/g, '')}`;
    await storeInstallations(store, box).storeInstallation(installation(team));
    await storeInstallations(store, box).storeInstallation(installation('TOTHER'));
    await subscribe(team, `C1${team}`);
    await subscribe(team, `C2${team}`);
    await subscribe('TOTHER', 'COTHER');

    const res = await sendToBot(slack.url('/slack/events'), SECRET, {
      json: { token: 'x', team_id: team, api_app_id: 'A1', type: 'event_callback', event_id: `Ev${team}`, event_time: 1, event },
    });
    expect(res.status).toBe(200);
    await expect.poll(() => store.installations.get('slack', `team:${team}`)).toBeNull();
    expect(await enabled(team)).toEqual([
      [`C1${team}`, false, UNINSTALLED],
      [`C2${team}`, false, UNINSTALLED],
    ]);
    expect(await enabled('TOTHER')).toEqual([['COTHER', true, null]]);
    expect(await store.installations.get('slack', 'team:TOTHER')).not.toBeNull();

    await storeInstallations(store, box).storeInstallation(installation(team));
    expect(await enabled(team)).toEqual([
      [`C1${team}`, true, null],
      [`C2${team}`, true, null],
    ]);
  });
});

describe('secrets on disk and at start', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'papers-oauth-drill-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the SQLite database (and its WAL) readable by its owner only', async () => {
    const file = path.join(dir, 'tokens.db');
    const opened = await openStore(`sqlite:${file}`);
    await storeInstallations(opened, box).storeInstallation(installation('TMODE'));
    const modes = [file, `${file}-wal`].map((f) => statSync(f).mode & 0o777);
    await opened.close();
    expect(modes).toEqual([0o600, 0o600]);
  });

  it('refuses to start without SLACK_STATE_SECRET before touching the database', async () => {
    const { SLACK_STATE_SECRET: _, ...env } = OAUTH_ENV;
    expect(() => loadBotConfig(env, '/nonexistent')).toThrow(ConfigError);
    const file = path.join(dir, 'never.db');
    const { code, stderr } = await runPapers(['start'], { env: { ...env, DATABASE_URL: `sqlite:${file}` } });
    expect(code).toBe(1);
    expect(stderr).toBe('papers start: Slack OAuth needs SLACK_STATE_SECRET (a random string) to protect the install flow\n');
    expect(() => statSync(file)).toThrow();
    drillLine(
      'slack-oauth',
      'uninstalled workspace answered with the install link; 2 uninstall events dropped tokens, paused 4 subscriptions, resumed on install; db 0600',
    );
  });
});
