import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SlackApiError, SlackRateLimitedError, createPostMessage } from '../../adapters/slack/post-message';

/**
 * chat.postMessage's answers other than success, from a loopback server answering as told: each
 * must become an error the callers tell apart (rate limited, refused, unreachable), never a ts.
 */

let server: Server | undefined;
afterEach(
  () =>
    new Promise<void>((resolve) => {
      if (!server) return resolve();
      server.close(() => resolve());
      // A server that never answers still holds its connections open.
      server.closeAllConnections();
    }),
);

async function serving(handle: (res: ServerResponse) => void, timeoutMs = 2000) {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => handle(res));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return createPostMessage({ apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`, timeoutMs });
}

const answering = (status: number, body: string, headers: Record<string, string> = {}) =>
  serving((res) => {
    res.writeHead(status, headers);
    res.end(body);
  });

const message = { channel: 'C1', text: 'hello', blocks: [], unfurl_links: false, unfurl_media: false };

describe('Slack chat.postMessage over undici', () => {
  it('reports a 429 with its Retry-After', async () => {
    const post = await answering(429, '{"ok":false,"error":"ratelimited"}', { 'retry-after': '3' });
    const err = await post('xoxb-fake', message).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SlackRateLimitedError);
    expect(err).toMatchObject({ retryAfterSec: 3 });
  });

  it("reports Slack's refusal by its error code", async () => {
    const post = await answering(200, '{"ok":false,"error":"channel_not_found"}', { 'content-type': 'application/json' });
    await expect(post('xoxb-fake', message)).rejects.toEqual(new SlackApiError('channel_not_found'));
  });

  it('reports an HTTP error and a page that is not a Web API answer (a proxy, a captive portal)', async () => {
    const failing = await answering(503, 'Service Unavailable');
    await expect(failing('xoxb-fake', message)).rejects.toThrow('chat.postMessage answered HTTP 503');
    server!.close();
    const html = await answering(200, '<html><body>Sign in to continue</body></html>', { 'content-type': 'text/html' });
    await expect(html('xoxb-fake', message)).rejects.toThrow('chat.postMessage answered something other than a Web API response');
    server!.close();
    const otherJson = await answering(200, '{"status":"up"}', { 'content-type': 'application/json' });
    await expect(otherJson('xoxb-fake', message)).rejects.toThrow('chat.postMessage answered something other than a Web API response');
  });

  it('gives up on a server that does not answer, or stops halfway, after the timeout', async () => {
    const silent = await serving(() => {}, 100);
    await expect(silent('xoxb-fake', message)).rejects.toThrow(/timeout/i);
    server!.closeAllConnections();
    server!.close();
    const stalled = await serving((res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"ok":');
    }, 100);
    await expect(stalled('xoxb-fake', message)).rejects.toThrow(/timeout/i);
  });
});
