import { fileURLToPath } from 'node:url';
import { ShardingManager } from 'discord.js';
import { z } from 'zod';
import type { DiscordSettings } from './settings';
import { ConfigError, errorMessage } from '../../src/errors';
import type { Logger } from '../../src/log';

const GatewayBot = z.object({ shards: z.number().int().min(1) });

/**
 * How many shards to run: DISCORD_SHARDS as given, or for `auto` the count Discord recommends.
 * ShardingManager's own `auto` asks discord.com directly and ignores a REST override, so with
 * DISCORD_API_URL set the recommendation is fetched from that API here.
 */
export async function resolveShardCount(discord: DiscordSettings, fetchImpl: typeof fetch = fetch): Promise<number | 'auto'> {
  if (discord.shards === null) return 1;
  if (typeof discord.shards === 'object') return discord.shards.total;
  if (discord.shards !== 'auto') return discord.shards;
  if (!discord.apiUrl) return 'auto';
  const url = `${discord.apiUrl}/v10/gateway/bot`;
  let body: unknown;
  try {
    const res = await fetchImpl(url, { headers: { authorization: `Bot ${discord.token}` }, signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    body = await res.json();
  } catch (err) {
    throw new ConfigError(`DISCORD_SHARDS=auto: cannot ask ${url} for the shard count: ${errorMessage(err)}`);
  }
  const parsed = GatewayBot.safeParse(body);
  if (!parsed.success) throw new ConfigError(`DISCORD_SHARDS=auto: ${url} gave no usable shard count`);
  return parsed.data.shards;
}

/**
 * Runs the gateway side (commands, reactions) in one child process per shard. The daily fan-out
 * stays in this process: it posts through REST, which reaches every channel whichever shard
 * owns it, so it runs once rather than once per shard.
 */
export async function startShards(discord: DiscordSettings, log: Logger): Promise<{ stop(): Promise<void> }> {
  const totalShards = await resolveShardCount(discord);
  // Run from the build (dist/, see bin/papers.mjs) the shard entry is JavaScript; from the sources
  // it is TypeScript, run through tsx as bin/papers.mjs runs the CLI.
  const built = import.meta.url.endsWith('.js');
  const manager = new ShardingManager(fileURLToPath(new URL(built ? './shard.js' : './shard.ts', import.meta.url)), {
    token: discord.token,
    totalShards,
    mode: 'process',
    execArgv: built ? [] : ['--import', 'tsx'],
  });
  manager.on('shardCreate', (shard) => log.info({ shardId: shard.id, totalShards: manager.totalShards }, 'discord shard started'));
  await manager.spawn();
  return {
    async stop() {
      for (const shard of manager.shards.values()) shard.kill();
    },
  };
}
