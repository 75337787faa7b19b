import { DiscordAPIError, REST } from 'discord.js';
import type { AppConfig } from '../../src/config/schema';

type DiscordConfig = NonNullable<AppConfig['discord']>;

/**
 * A REST client for the bot token. DISCORD_API_URL (a REST proxy, or the loopback fake in tests)
 * replaces https://discord.com/api; the gateway address is then asked of that API too.
 */
export function createRest(config: DiscordConfig): REST {
  return new REST(config.apiUrl ? { api: config.apiUrl } : {}).setToken(config.token);
}

// Discord's JSON error codes (developers/topics/opcodes-and-status-codes.mdx).
export const CANNOT_DM_USER = 50007;

export function isApiError(err: unknown, code: number): boolean {
  return err instanceof DiscordAPIError && err.code === code;
}
