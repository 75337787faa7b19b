import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorMessage } from '../errors';
import type { Logger } from '../log';
import type { HttpRoute } from '../chat/adapter';

export interface HttpServer {
  address: AddressInfo;
  /** Stops taking connections and resolves when the open ones have ended. */
  close(): Promise<void>;
}

/**
 * The bot's one HTTP server: the adapters' routes (Slack's events, OAuth) and GET /healthz on one
 * port. Anything else goes to `fallback` (the REST proxy's forwarding), or is 404; a route that
 * throws is a 500 with nothing of the error shown.
 */
export async function startHttpServer(opts: {
  host: string;
  port: number;
  routes: HttpRoute[];
  log: Logger;
  fallback?: HttpRoute['handle'];
}): Promise<HttpServer> {
  const routes = new Map(opts.routes.map((r) => [`${r.method} ${r.path}`, r]));
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const handle = routes.get(`${req.method} ${path}`)?.handle ?? opts.fallback;
    if (!handle) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    Promise.resolve()
      .then(() => handle(req, res))
      .catch((err: unknown) => {
        opts.log.error({ err: errorMessage(err), path }, 'http route failed');
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end();
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    address: server.address() as AddressInfo,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
