import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createHash } from 'node:crypto';

/**
 * A loopback stand-in for huggingface.co and export.arxiv.org. It serves real fixture bytes and,
 * when scripted, the faults a real source shows: errors, rate limits, hangs, cut-off bodies.
 */

/** What the server does with the next request. 'serve' answers normally. */
export type Step =
  | { kind: 'serve' }
  | { kind: 'status'; status: number; body?: string; headers?: Record<string, string> }
  /** Accepts the request and never answers. */
  | { kind: 'hang' }
  /** Sends only the first `bytes` of the real body, then ends the response cleanly. */
  | { kind: 'truncate'; bytes: number }
  /** A 200 with an HTML page instead of JSON, as a proxy or captive portal would send. */
  | { kind: 'html' }
  /** A 200 whose body is `bytes` long, streamed without a Content-Length. */
  | { kind: 'oversize'; bytes: number };

export interface FakeSource {
  /** `http://127.0.0.1:PORT`, usable as HF_BASE_URL and ARXIV_API_URL. */
  url: string;
  /** Daily lists by date, as the raw JSON text `/api/daily_papers?date=D` returns. Missing dates answer `[]`. */
  days: Map<string, string>;
  /** Like the real API, answer at most this many items when a request has no `limit` (null: all). */
  defaultLimit: number | null;
  /** Other paths (with query) and the raw body served there. */
  files: Map<string, { body: string; contentType: string }>;
  /** Steps for the next requests, consumed in order; when empty every request is served. */
  script(...steps: Step[]): void;
  /** Each request as it came, and the ETag it was answered with (served ones only). */
  requests: { url: string; headers: IncomingMessage['headers']; etag?: string }[];
  close(): Promise<void>;
}

export const HTML_ERROR_PAGE = '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>';

export async function startFakeSource(): Promise<FakeSource> {
  const days = new Map<string, string>();
  const files = new Map<string, { body: string; contentType: string }>();
  const steps: Step[] = [];
  const requests: FakeSource['requests'] = [];
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => {
    const request: FakeSource['requests'][number] = { url: req.url ?? '', headers: req.headers };
    requests.push(request);
    const step = steps.shift() ?? { kind: 'serve' };
    const found = lookup(req.url ?? '/', fake);
    switch (step.kind) {
      case 'serve':
        request.etag = serve(req, res, found);
        return;
      case 'status':
        res.writeHead(step.status, { 'content-type': 'text/plain', ...step.headers });
        return res.end(step.body ?? `${step.status}`);
      case 'hang':
        return;
      case 'truncate':
        res.writeHead(200, { 'content-type': found?.contentType ?? 'application/json' });
        return res.end((found?.body ?? '').slice(0, step.bytes));
      case 'html':
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return res.end(HTML_ERROR_PAGE);
      case 'oversize': {
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        let sent = 0;
        const pump = (): void => {
          while (sent < step.bytes && !res.destroyed) {
            sent += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        return pump();
      }
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const fake: FakeSource = {
    url: `http://127.0.0.1:${port}`,
    days,
    files,
    defaultLimit: null,
    requests,
    script: (...more) => void steps.push(...more),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}

function lookup(rawUrl: string, { days, files, defaultLimit }: FakeSource): { body: string; contentType: string } | null {
  const exact = files.get(rawUrl);
  if (exact) return exact;
  const url = new URL(rawUrl, 'http://fake');
  if (url.pathname !== '/api/daily_papers') return null;
  const date = url.searchParams.get('date') ?? '';
  const text = days.get(date) ?? '[]';
  const limit = url.searchParams.get('limit') ?? defaultLimit;
  if (limit === null) return { body: text, contentType: 'application/json; charset=utf-8' };
  // `limit` items of page `p` (0-based).
  const page = Number(url.searchParams.get('p') ?? 0);
  const items = (JSON.parse(text) as unknown[]).slice(page * Number(limit), (page + 1) * Number(limit));
  return { body: JSON.stringify(items), contentType: 'application/json; charset=utf-8' };
}

/** Answers with the body (or 304 when the client's If-None-Match is its ETag); returns the ETag sent. */
function serve(req: IncomingMessage, res: ServerResponse, found: { body: string; contentType: string } | null): string | undefined {
  if (!found) {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":"Not Found"}');
    return undefined;
  }
  const etag = `W/"${createHash('sha1').update(found.body).digest('hex')}"`;
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, { etag });
    res.end();
    return etag;
  }
  res.writeHead(200, { 'content-type': found.contentType, etag, 'content-length': Buffer.byteLength(found.body) });
  res.end(found.body);
  return etag;
}
