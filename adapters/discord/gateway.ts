import { SimpleShardingStrategy, type WebSocketOptions } from 'discord.js';
import { ConfigError, errorMessage } from '../../src/errors';
import type { Logger } from '../../src/log';

/** How long the first connection may take, and how many refusals in a row end it sooner. */
export interface GatewayLimits {
  /** From login to ready; Discord answers within seconds, so a minute means it is not letting us in. */
  readyWithinMs: number;
  /** Connections closed by the gateway before ready (discord.js retries them all silently). */
  refusals: number;
}

/** @discordjs/ws's manager, as discord.js hands it to `ws.buildStrategy`. */
type GatewayManager = Parameters<NonNullable<WebSocketOptions['buildStrategy']>>[0];

/**
 * The manager's events this module uses, by their wire names (discord.js exports its own, older
 * WebSocketShardEvents under the same name, which shadows @discordjs/ws's).
 */
interface GatewayEvents {
  on(event: 'closed', listener: (payload: { code: number; shardId: number }) => void): unknown;
  on(event: 'hello', listener: (payload: { shardId: number }) => void): unknown;
  emit(event: string, ...args: unknown[]): boolean;
}

export const DEFAULT_GATEWAY_LIMITS: GatewayLimits = { readyWithinMs: 60_000, refusals: 5 };

/**
 * Watches the gateway connection discord.js manages: every close is logged with its code, the first
 * connection gives up after `limits` (discord.js would retry forever without a word), and a dispatch
 * that discord.js cannot handle (a malformed event) is logged and dropped instead of killing the
 * process from inside its packet handler.
 */
export function watchGateway(log: Logger, limits: GatewayLimits = DEFAULT_GATEWAY_LIMITS) {
  let refusals = 0;
  let lastCode: number | null = null;
  let ready = false;
  let stopped = false;
  let giveUp!: (err: Error) => void;
  const gaveUp = new Promise<never>((_, reject) => (giveUp = reject));
  gaveUp.catch(() => {}); // read only while connecting
  const timer = setTimeout(() => {
    const seen = refusals ? ` (${refusals} refused, last close code ${lastCode})` : '';
    giveUp(new ConfigError(`the Discord gateway was not ready within ${limits.readyWithinMs / 1000} s${seen}`));
  }, limits.readyWithinMs);

  return {
    /** Rejects with the reason once the first connection is given up. */
    gaveUp,
    /** The first connection is up: from now on closes are only logged (discord.js resumes). */
    connected() {
      ready = true;
      clearTimeout(timer);
    },
    /** Call with client.destroy(): a shard waiting to reconnect when it ran is closed at its next hello. */
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
    /** discord.js's `ws.buildStrategy`: the one public place that sees the gateway manager. */
    buildStrategy(manager: GatewayManager) {
      const events = manager as unknown as GatewayEvents;
      const strategy = new SimpleShardingStrategy(manager);
      // @discordjs/ws ignores destroy() while a shard sleeps before reconnecting (it is "idle" then)
      // and forgets the shard, so a client destroyed mid-retry would reconnect forever in the
      // background. Each shard is kept from its hello on, and closed at its next hello once stopped.
      const shards = (strategy as unknown as { shards: Map<number, { destroy(): Promise<void> }> }).shards;
      const seen = new Map<number, { destroy(): Promise<void> }>();
      events.on('hello', ({ shardId }) => {
        const shard = shards.get(shardId) ?? seen.get(shardId);
        if (shard) seen.set(shardId, shard);
        if (stopped) void shard?.destroy();
      });
      events.on('closed', ({ code, shardId }) => {
        lastCode = code;
        if (!ready) refusals += 1;
        log.warn({ event: 'discord_gateway_closed', shardId, code, ...(ready ? {} : { attempt: refusals }) }, 'the Discord gateway closed the connection');
        if (!ready && refusals >= limits.refusals) {
          clearTimeout(timer);
          giveUp(new ConfigError(`the Discord gateway refused ${refusals} connections in a row (last close code ${code})`));
        }
      });
      // discord.js handles dispatches synchronously inside this emit; one it cannot parse would
      // throw out of the websocket's message handler and end the process.
      const emit = events.emit.bind(manager);
      events.emit = (event, ...args) => {
        try {
          return emit(event, ...args);
        } catch (err) {
          if (event !== 'dispatch') throw err;
          const data = (args[0] as { data?: { t?: unknown } } | undefined)?.data;
          log.error({ event: 'discord_event_dropped', type: data?.t ?? null, err: errorMessage(err) }, 'a Discord event could not be handled; skipped');
          return true;
        }
      };
      return strategy;
    },
  };
}
