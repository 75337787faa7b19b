import { z } from 'zod';
import { ConfigError } from '../../src/errors';
import { flag, httpUrl, optional } from '../../src/config/schema';

/** Discord's environment variables, validated with the rest of the configuration at start. */
export const DISCORD_ENV = {
  DISCORD_TOKEN: optional,
  DISCORD_APPLICATION_ID: optional,
  DISCORD_API_URL: httpUrl('DISCORD_API_URL'),
  DISCORD_SHARDS: optional.transform((v, ctx): DiscordSettings['shards'] => {
    if (v === undefined) return null;
    if (v === 'auto') return 'auto';
    if (/^[1-9]\d*$/.test(v)) return Number(v);
    const m = /^(\d+)-(\d+)\/([1-9]\d*)$/.exec(v);
    if (m && Number(m[1]) <= Number(m[2]) && Number(m[2]) < Number(m[3])) return { first: Number(m[1]), last: Number(m[2]), total: Number(m[3]) };
    ctx.addIssue({
      code: 'custom',
      message: `DISCORD_SHARDS must be "auto", a number of shards, or A-B/N (shards A to B of N, A <= B < N), got "${v}"`,
    });
    return z.NEVER;
  }),
  DISCORD_DM_CONFIRMATIONS: flag('DISCORD_DM_CONFIRMATIONS', true),
  /** Where commands and clicks arrive: the gateway, or POST /discord/interactions (the Interactions Endpoint URL). */
  DISCORD_INTERACTIONS: optional.refine((v) => v === undefined || v === 'gateway' || v === 'http', {
    message: 'DISCORD_INTERACTIONS must be gateway or http',
  }),
  /** The application's public key (hex), which signs HTTP interactions. */
  DISCORD_PUBLIC_KEY: optional.refine((v) => v === undefined || /^[0-9a-fA-F]{64}$/.test(v), {
    message: 'DISCORD_PUBLIC_KEY must be the 64 hex digits the developer portal shows',
  }),
};

export const DISCORD_SECRETS = ['DISCORD_TOKEN'] as const;

export interface ShardRange {
  first: number;
  last: number;
  total: number;
}

export interface DiscordSettings {
  token: string;
  applicationId: string | null;
  /** REST base override (a proxy, the loopback fake in tests); the gateway address then comes from it. */
  apiUrl: string | null;
  /**
   * null: one gateway connection in this process; 'auto' or a count: every shard, each in a child
   * process under discord.js's ShardingManager; a range: shards first..last of total in this
   * process, so several machines split the gateway.
   */
  shards: 'auto' | number | ShardRange | null;
  dmConfirmations: boolean;
  /** Where commands and clicks arrive; with `http` the gateway connection is only for reactions. */
  interactions: 'gateway' | 'http';
  /** Checks HTTP interactions' signatures; set whenever interactions is http. */
  publicKey: string | null;
}

type DiscordEnv = z.output<z.ZodObject<typeof DISCORD_ENV>>;

/** Discord's settings, or null without DISCORD_TOKEN. */
export function resolveDiscord(e: DiscordEnv): DiscordSettings | null {
  if (e.DISCORD_APPLICATION_ID && !e.DISCORD_TOKEN) throw new ConfigError('DISCORD_APPLICATION_ID is set but DISCORD_TOKEN is not');
  if (!e.DISCORD_TOKEN) return null;
  const interactions = e.DISCORD_INTERACTIONS === 'http' ? 'http' : 'gateway';
  if (interactions === 'http' && !e.DISCORD_PUBLIC_KEY)
    throw new ConfigError("DISCORD_INTERACTIONS=http needs DISCORD_PUBLIC_KEY (the application's public key)");
  return {
    token: e.DISCORD_TOKEN,
    applicationId: e.DISCORD_APPLICATION_ID ?? null,
    apiUrl: e.DISCORD_API_URL?.replace(/\/+$/, '') ?? null,
    shards: e.DISCORD_SHARDS,
    dmConfirmations: e.DISCORD_DM_CONFIRMATIONS,
    interactions,
    publicKey: e.DISCORD_PUBLIC_KEY ?? null,
  };
}
