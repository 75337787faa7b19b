import type { Writable } from 'node:stream';
import type { AdapterDeps, PosterDeps, RunningAdapter } from '../adapters/types';
import type { ConsoleIO } from '../adapters/console/main';
import type { Platform } from '../src/chat/command';
import type { DigestPoster } from '../src/chat/poster';
import type { AppConfig } from '../src/config/schema';
import { ConfigError, errorMessage } from '../src/errors';

/**
 * How `papers start` runs a platform (connected: commands, reactions and the poster) and how
 * `papers post-daily` posts to it (the poster alone, with no connection, so it is safe beside a
 * running bot). Each platform's module is loaded only when used, so a console run never loads
 * discord.js or Bolt.
 */
interface PlatformEntry {
  start(deps: AdapterDeps, io: ConsoleIO): Promise<RunningAdapter>;
  poster(deps: PosterDeps, output: Writable): Promise<DigestPoster>;
}

const PLATFORMS: Record<Platform, PlatformEntry> = {
  discord: {
    start: async (deps) => (await import('../adapters/discord/main')).startDiscord(deps),
    poster: async ({ config }) => {
      if (!config.discord) throw new ConfigError('Discord needs DISCORD_TOKEN');
      const [{ createDiscordPoster }, { createRest }] = await Promise.all([import('../adapters/discord/poster'), import('../adapters/discord/rest')]);
      return createDiscordPoster(createRest(config.discord));
    },
  },
  slack: {
    start: async (deps) => (await import('../adapters/slack/main')).startSlack(deps),
    poster: async (deps) => (await import('../adapters/slack/poster')).createSlackPoster(deps),
  },
  console: {
    start: async (deps, io) => (await import('../adapters/console/main')).startConsole(deps, io),
    poster: async (deps, output) => (await import('../adapters/console/main')).createConsolePoster(deps, output),
  },
};

/** The platforms to serve: every configured one, plus the console when none is, or when asked (`--console`). */
export function chosenPlatforms(config: AppConfig, opts: { console: boolean }): Platform[] {
  const configured: Platform[] = [...(config.discord ? ['discord' as const] : []), ...(config.slack ? ['slack' as const] : [])];
  return opts.console || configured.length === 0 ? [...configured, 'console'] : configured;
}

/**
 * Starts each platform's adapter in order. If one fails, those already started are stopped
 * before the error goes on, so no connection outlives a failed start.
 */
export async function startAdapters(platforms: Platform[], deps: AdapterDeps, io: ConsoleIO): Promise<RunningAdapter[]> {
  const started: RunningAdapter[] = [];
  try {
    for (const platform of platforms) started.push(await PLATFORMS[platform].start(deps, io));
    return started;
  } catch (err) {
    for (const adapter of started.reverse()) {
      await adapter.stop().catch((stopErr: unknown) => deps.log.error({ err: errorMessage(stopErr), part: adapter.platform }, 'stop failed'));
    }
    throw err;
  }
}

/** The digest posters of the platforms, without connecting; the console's prints to `output`. */
export async function createPosters(platforms: Platform[], deps: PosterDeps, output: Writable): Promise<DigestPoster[]> {
  return Promise.all(platforms.map((p) => PLATFORMS[p].poster(deps, output)));
}
