/**
 * The real Discord and Slack adapters started against the loopback fakes, on a store holding the
 * real 2025-10-14 Daily Papers list: what the latency and fan-out benches drive.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { discordAdapter } from '../adapters/discord/index';
import { slackAdapter } from '../adapters/slack/index';
import type { Services } from '../src/chat/command';
import type { Env } from '../src/config/load';
import { loadBotConfig } from '../adapters/index';
import type { AppConfig } from '../src/config/schema';
import { createLogger } from '../src/log';
import type { Paper } from '../src/model/paper';
import { parseListing } from '../src/parse/index';
import type { Store } from '../src/store/types';
import { openTestStore } from '../test/helpers/stores';
import { hostAdapter, type HostedAdapter } from '../test/helpers/host';

export const LIST_DATE = '2025-10-14';
/** The morning after the list: `/papers today` shows it. */
export const NOW = new Date('2025-10-14T10:00:00Z');
export const SIGNING_SECRET = 'bench-signing-secret-0123456789';
export const log = createLogger({ level: 'silent' });

const bundled = fileURLToPath(new URL('../src/sources/bundled/hf-daily-papers-2025-10-14.json', import.meta.url));
export const realPapers: Paper[] = parseListing(readFileSync(bundled, 'utf8')).papers;

/** A SQLite store in a temp file with the real list in it. */
export async function benchStore(): Promise<{ store: Store; cleanup(): Promise<void> }> {
  const { store, cleanup } = await openTestStore('sqlite');
  await store.papers.upsert(realPapers, NOW);
  return { store, cleanup };
}

export function benchConfig(env: Env, schedule: Partial<AppConfig['schedule']> = {}): AppConfig {
  const config = loadBotConfig({ LOG_LEVEL: 'silent', ...env }, '/nonexistent');
  return { ...config, http: { host: '127.0.0.1', port: 0 }, schedule: { ...config.schedule, ...schedule } };
}

/** What the commands get in the benches: the store, silent logs, the morning after the list. */
export function benchServices(store: Store, config: AppConfig = benchConfig({})): Services {
  return { store, config, log, now: () => NOW, sourceStatus: () => ({ lastSuccessAt: NOW, lastError: null, note: null }) };
}

/**
 * The Discord adapter, run as `papers start` runs it, against the fake Discord at apiUrl; with
 * `publicKeyHex`, as an HTTP-only replica (`--no-gateway`, DISCORD_INTERACTIONS=http).
 */
export async function startBenchDiscord(store: Store, fake: { apiUrl: string; applicationId: string; publicKeyHex?: string }): Promise<HostedAdapter> {
  const http = fake.publicKeyHex ? { DISCORD_INTERACTIONS: 'http', DISCORD_PUBLIC_KEY: fake.publicKeyHex } : {};
  const config = benchConfig({ DISCORD_TOKEN: 'bench-bot-token', DISCORD_APPLICATION_ID: fake.applicationId, DISCORD_API_URL: fake.apiUrl, ...http });
  return hostAdapter(discordAdapter, benchServices(store, config), {}, fake.publicKeyHex ? { gateway: false, http: true } : undefined);
}

/** The Slack adapter in HTTP mode, run as `papers start` runs it on an ephemeral loopback port, its Web API the fake Slack. */
export async function startBenchSlack(store: Store, apiUrl: string): Promise<HostedAdapter> {
  const config = benchConfig({ SLACK_BOT_TOKEN: 'xoxb-bench', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: apiUrl });
  return hostAdapter(slackAdapter, benchServices(store, config));
}
