import type { Adapter } from '../src/chat/adapter';
import type { AppConfig } from '../src/config/schema';
import { loadConfig, type Env } from '../src/config/load';
import { consoleAdapter } from './console/index';
import { discordAdapter } from './discord/index';
import { slackAdapter } from './slack/index';

/**
 * Every chat platform the bot knows: the only list of them. Adding one is a folder with the same
 * files as the others, exporting one Adapter (src/chat/adapter.ts), and a line here.
 */
export const ADAPTERS: readonly Adapter[] = [discordAdapter, slackAdapter, consoleAdapter];

/** The configuration from the environment, with every adapter's variables validated too. */
export function loadBotConfig(env: Env, cwd?: string): AppConfig {
  return loadConfig(env, cwd, ADAPTERS);
}

/**
 * The adapters to run: every configured one, plus the fallbacks (the console) when none is
 * configured or when asked for (`--console`).
 */
export function chosenAdapters(config: AppConfig, opts: { fallback: boolean }): Adapter[] {
  const configured = ADAPTERS.filter((a) => !a.fallback && a.isConfigured(config));
  return opts.fallback || configured.length === 0 ? [...configured, ...ADAPTERS.filter((a) => a.fallback)] : configured;
}
