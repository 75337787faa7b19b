import { randomBytes } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import type { Installation } from '@slack/bolt';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storeInstallations, installedBotToken } from '../../adapters/slack/installations';
import { loadBotConfig } from '../../adapters/index';
import { ConfigError } from '../../src/errors';
import { createSecretBox, prepareSecretsAtRest } from '../../src/store/secret-box';
import type { Store } from '../../src/store/types';
import { runPapers } from '../helpers/run-cli';
import { openTestStore, storeKinds, testDatabaseUrl, type StoreKind } from '../helpers/stores';
import { drillLine } from './report';

/**
 * Drill: Slack installations' tokens at rest. Each is sealed with AES-256-GCM under
 * PAPERS_SECRET_KEY; the raw database (the SQLite file and its WAL, or every row of every table of
 * the PostgreSQL schema) holds no token; a key rotation re-encrypts; without the key, a process that
 * would use the tokens refuses to start.
 */

const OLD_KEY = Buffer.alloc(32, 1).toString('base64');
const NEW_KEY = Buffer.alloc(32, 2).toString('hex');
const keyOf = (k: string) => (k.length === 64 ? Buffer.from(k, 'hex') : Buffer.from(k, 'base64'));
// Made up at each run, shaped like Slack's (bot, refresh, user) so the search is for real-looking text.
const TOKENS = ['xoxb', 'xoxe', 'xoxp'].map((prefix) => `${prefix}-drill-${randomBytes(12).toString('hex')}`);

function installation(teamId: string): Installation {
  return {
    team: { id: teamId, name: teamId },
    enterprise: undefined,
    user: { id: 'UINSTALLER', token: TOKENS[2]!, scopes: ['identify'] },
    bot: { id: 'BDRILL', userId: 'UDRILL', token: TOKENS[0]!, refreshToken: TOKENS[1]!, expiresAt: 2_000_000_000, scopes: ['chat:write'] },
    isEnterpriseInstall: false,
  };
}

/** Everything the database holds, as text: the SQLite file and its WAL, or every row of the schema. */
async function rawDatabase(kind: StoreKind, url: string): Promise<string> {
  if (kind === 'sqlite') {
    const file = url.replace(/^sqlite:/, '');
    return [file, `${file}-wal`]
      .filter(existsSync)
      .map((f) => readFileSync(f).toString('latin1'))
      .join('');
  }
  const schema = new URL(url).searchParams.get('schema')!;
  const client = new pg.Client({ connectionString: testDatabaseUrl });
  await client.connect();
  try {
    const { rows: tables } = await client.query<{ name: string }>('select table_name as name from information_schema.tables where table_schema = $1', [schema]);
    const dumps = await Promise.all(tables.map((t) => client.query(`select t::text as row from "${schema}"."${t.name}" t`)));
    return dumps.flatMap((d) => d.rows.map((r: { row: string }) => r.row)).join('\n');
  } finally {
    await client.end();
  }
}

describe.each(storeKinds)('Slack tokens at rest on %s', (kind) => {
  let store: Store;
  let url: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ store, url, cleanup } = await openTestStore(kind));
  });
  afterEach(() => cleanup());

  it('stores no token in the clear; rotate-key re-encrypts; no key refuses to start', async () => {
    const oldBox = createSecretBox({ current: keyOf(OLD_KEY), previous: null });
    await storeInstallations(store, oldBox).storeInstallation(installation('TSEALED'));
    // An installation stored by an earlier version, in the clear: sealed at the next start.
    await store.installations.put('slack', 'team:TLEGACY', JSON.stringify(installation('TLEGACY')));
    expect(await rawDatabase(kind, url)).toContain(TOKENS[0]);
    await prepareSecretsAtRest(store, oldBox);

    const raw = await rawDatabase(kind, url);
    const found = TOKENS.filter((t) => raw.includes(t));
    expect(found).toEqual([]);
    expect(raw).toContain('enc:v1:');
    expect(await installedBotToken(store, oldBox, 'TSEALED')).toBe(TOKENS[0]);
    expect(await installedBotToken(store, oldBox, 'TLEGACY')).toBe(TOKENS[0]);

    // A tampered value does not open (GCM's tag), it does not decrypt to something else.
    const sealed = (await store.installations.get('slack', 'team:TSEALED'))!;
    const tampered = `${sealed.slice(0, -6)}${sealed.slice(-6, -5) === 'A' ? 'B' : 'A'}${sealed.slice(-5)}`;
    expect(() => oldBox.open(tampered)).toThrow();

    // Rotation: the new key, the old one as previous; running bots open both meanwhile.
    const env = { DATABASE_URL: url, PAPERS_SECRET_KEY: NEW_KEY, PAPERS_SECRET_KEY_PREVIOUS: OLD_KEY };
    const rotating = createSecretBox(loadBotConfig(env).secretKeys!);
    expect(await installedBotToken(store, rotating, 'TSEALED')).toBe(TOKENS[0]);
    const rotated = await runPapers(['rotate-key'], { env });
    expect(rotated).toMatchObject({ code: 0, stderr: '' });
    expect(rotated.stdout).toBe('re-encrypted 2 of 2 installation(s) with PAPERS_SECRET_KEY; PAPERS_SECRET_KEY_PREVIOUS can now be removed\n');
    const newOnly = createSecretBox({ current: keyOf(NEW_KEY), previous: null });
    expect(await installedBotToken(store, newOnly, 'TSEALED')).toBe(TOKENS[0]);
    expect(await installedBotToken(store, newOnly, 'TLEGACY')).toBe(TOKENS[0]);
    await expect(installedBotToken(store, oldBox, 'TSEALED')).rejects.toThrow(ConfigError);
    const afterRotation = await rawDatabase(kind, url);
    expect(TOKENS.filter((t) => afterRotation.includes(t))).toEqual([]);

    // Installations stored, no key: papers start and post-daily refuse with one line.
    for (const command of [['start'], ['post-daily', '--all']]) {
      const refused = await runPapers(command, { env: { DATABASE_URL: url } });
      expect(refused.code, refused.stderr).toBe(1);
      expect(refused.stderr).toBe(
        `papers ${command[0]}: the store holds 2 installation(s), whose tokens are kept encrypted: PAPERS_SECRET_KEY is not set (32 random bytes, e.g. \`openssl rand -base64 32\`)\n`,
      );
    }
    drillLine(
      `secrets-at-rest (${kind})`,
      `2 installations, ${TOKENS.length} tokens each: 0 found in the raw database after sealing, 0 after rotate-key; tampered value refused; start and post-daily refused without the key`,
    );
  });
});

it('PAPERS_SECRET_KEY is 32 bytes, as base64 or hex; anything else is refused at start', () => {
  expect(loadBotConfig({ PAPERS_SECRET_KEY: OLD_KEY }).secretKeys?.current).toEqual(Buffer.alloc(32, 1));
  expect(loadBotConfig({ PAPERS_SECRET_KEY: NEW_KEY }).secretKeys?.current).toEqual(Buffer.alloc(32, 2));
  for (const bad of ['short', Buffer.alloc(16).toString('base64'), 'x'.repeat(64)])
    expect(() => loadBotConfig({ PAPERS_SECRET_KEY: bad })).toThrow(/PAPERS_SECRET_KEY must be 32 random bytes/);
  expect(() => loadBotConfig({ PAPERS_SECRET_KEY_PREVIOUS: OLD_KEY })).toThrow('PAPERS_SECRET_KEY_PREVIOUS is set but PAPERS_SECRET_KEY is not');
  expect(() => loadBotConfig({ SLACK_CLIENT_ID: '1.2', SLACK_CLIENT_SECRET: 'c', SLACK_STATE_SECRET: 's', SLACK_SIGNING_SECRET: 'x' })).toThrow(
    /Slack OAuth needs PAPERS_SECRET_KEY/,
  );
});
