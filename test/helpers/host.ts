import { PassThrough } from 'node:stream';
import type { Adapter, Inbound, Terminal } from '../../src/chat/adapter';
import type { Services } from '../../src/chat/command';
import { startHost, type RunningHost } from '../../src/chat/host';
import type { DigestPoster } from '../../src/chat/poster';
import { chatHandlers } from '../../commands/kit/handlers';

export interface HostedAdapter {
  host: RunningHost;
  /** The one adapter's digest poster. */
  poster: DigestPoster;
  /** A URL on the bot's HTTP server (loopback, an ephemeral port). */
  url(path: string): string;
  /** Resolves with the reason once the adapter asks the process to stop (the console's input ended). */
  stopRequested: Promise<string>;
  stop(): Promise<void>;
}

/**
 * One adapter run as `papers start` runs it (src/chat/host.ts: the chat runtime, the commands, one
 * HTTP server), on an ephemeral loopback port, with the given services.
 */
export async function hostAdapter(
  adapter: Adapter,
  services: Services,
  terminal: Partial<Terminal> = {},
  /** Which inbound connections it serves (`papers start --no-gateway | --gateway-only`); default both. */
  inbound?: Inbound,
): Promise<HostedAdapter> {
  const config = { ...services.config, http: { host: '127.0.0.1', port: 0 } };
  let stopRequested!: (reason: string) => void;
  const requested = new Promise<string>((resolve) => (stopRequested = resolve));
  const host = await startHost({
    adapters: [adapter],
    config,
    services: { ...services, config },
    log: services.log,
    handlers: chatHandlers,
    terminal: { input: terminal.input ?? new PassThrough(), output: terminal.output ?? new PassThrough(), user: terminal.user },
    healthz: () => ({ status: 200, body: 'ok' }),
    requestStop: stopRequested,
    ...(inbound ? { inbound } : {}),
    signal: new AbortController().signal,
  });
  let stopped: Promise<void> | undefined;
  return {
    host,
    poster: host.posters[0]!,
    url: (path) => `http://127.0.0.1:${host.address!.port}${path}`,
    stopRequested: requested,
    stop: () => (stopped ??= host.stop()),
  };
}
