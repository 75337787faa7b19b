import { discordAdapter } from '../adapters/discord/index';
import { loadBotConfig } from '../adapters/index';
import { createLogger } from '../src/log';
import { ConfigError } from '../src/errors';
import type { CliContext } from './context';
import { commandArgs } from './args';

const USAGE = 'usage: papers rest-proxy  (serves Discord REST on HOST:PORT for every process of the deployment; forwards to DISCORD_API_URL or Discord)';

/**
 * `papers rest-proxy`: the deployment's one Discord REST client (adapters/discord/proxy.ts). The
 * other processes set DISCORD_API_URL=http://HOST:PORT/api. Runs until SIGTERM/SIGINT.
 */
export async function run(args: string[], ctx: CliContext): Promise<number> {
  if (!commandArgs(args, ctx, USAGE, {}, { noPositionals: true })) return 0;
  const config = loadBotConfig(ctx.env, ctx.cwd);
  const discord = discordAdapter.settingsOf(config);
  if (!discord) throw new ConfigError('papers rest-proxy needs DISCORD_TOKEN: one proxy serves one bot');
  const log = createLogger({ level: config.logLevel, secrets: config.secrets });
  const { startRestProxy } = await import('../adapters/discord/proxy');
  const proxy = await startRestProxy(discord, { host: config.http.host, port: config.http.port, log }).catch((err: unknown) => {
    throw new ConfigError(`cannot serve on ${config.http.host}:${config.http.port}: ${(err as Error).message} (set PORT or HOST)`);
  });
  log.info({ event: 'ready', port: proxy.address.port, upstream: discord.apiUrl ?? 'https://discord.com/api' }, 'ready');
  const reason = await ctx.shutdownSignal;
  log.info({ event: 'stopping', reason }, 'stopping');
  await proxy.close();
  return 0;
}
