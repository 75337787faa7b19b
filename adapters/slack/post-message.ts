import pLimit from 'p-limit';
import { Agent, request } from 'undici';
import { z } from 'zod';
import type { SlackMessage } from './render';
import { createWorkspaceGate } from './workspace-gate';

/**
 * chat.postMessage as one JSON request on keep-alive connections, for the hot paths: digest
 * fan-outs and public answers (and discussion threads, which are replies). Slack's WebClient form-encodes every body and, even with debug
 * logging off, builds redacted copies of it for its debug lines: about 2 ms of CPU per message with
 * a digest's blocks against 0.4 ms here (bench/RESULTS.md), which made a 500-channel fan-out, and
 * the answers of a burst of commands, CPU-bound. It sends once and never retries: a send that failed
 * may have landed, and only the caller knows how to look (the digest poster reads the history, an
 * answer falls back to response_url). Everything else still goes through WebClient.
 */

export interface PostMessageArgs extends SlackMessage {
  channel: string;
  unfurl_links: boolean;
  unfurl_media: boolean;
  /** A reply in this message's thread. */
  thread_ts?: string;
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
}

/** Slack answered `ok: false`; code is its error string (`not_in_channel`, `channel_not_found`, …). */
export class SlackApiError extends Error {
  constructor(readonly code: string) {
    super(`Slack answered ${code}`);
  }
}

/**
 * Slack answered 429: this message was not taken. `workspace`: the limit is the workspace's, not the
 * channel's (see createWorkspaceGate), and every message to the workspace waits retryAfterSec.
 */
export class SlackRateLimitedError extends Error {
  constructor(
    readonly retryAfterSec: number,
    readonly workspace = false,
  ) {
    super(`Slack rate limited the message (retry after ${retryAfterSec} s)`);
  }
}

const PostMessageResponse = z.object({ ok: z.boolean(), error: z.string().optional(), ts: z.string().optional(), channel: z.string().optional() });

/**
 * Messages in flight at once; the rest wait their turn before their timeout starts. With hundreds in
 * flight on a busy process each would wait on all the others, could time out although Slack takes
 * it later, and then its re-send could miss it in the history; 32 keep far ahead of Slack's pace of
 * one message per second per channel at a loopback or internet round trip.
 */
const IN_FLIGHT = 32;

/** `channel`: where the message went; a message to a user id lands in their IM channel, whose id differs. */
export type PostMessage = (token: string, args: PostMessageArgs) => Promise<{ ts: string; channel: string }>;

/** onRateLimited: told of each 429 (GET /metrics counts them). */
export function createPostMessage(opts: { apiUrl: string; timeoutMs: number; onRateLimited?: () => void }): PostMessage {
  const url = new URL('chat.postMessage', opts.apiUrl);
  const dispatcher = new Agent({ connections: IN_FLIGHT });
  const limit = pLimit(IN_FLIGHT);
  const gate = createWorkspaceGate();
  return (token, args) =>
    limit(async () => {
      // Inside the in-flight limit: what waits here has not been sent, so a pause holds it back.
      await gate.open(token);
      const res = await request(url, {
        method: 'POST',
        dispatcher,
        headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${token}` },
        body: JSON.stringify(args),
        signal: AbortSignal.timeout(opts.timeoutMs),
      });
      if (res.statusCode === 429) {
        opts.onRateLimited?.();
        await res.body.dump();
        const retryAfterSec = Number(res.headers['retry-after']) || 1;
        throw new SlackRateLimitedError(retryAfterSec, gate.limited(token, args.channel, retryAfterSec));
      }
      if (res.statusCode !== 200) {
        await res.body.dump();
        throw new Error(`chat.postMessage answered HTTP ${res.statusCode}`);
      }
      // A proxy or captive portal may answer 200 with a page of its own; a body cut off by the
      // timeout is the timeout's error, not a strange page.
      const parsed = PostMessageResponse.safeParse(parseJson(await res.body.text()));
      if (!parsed.success) throw new Error('chat.postMessage answered something other than a Web API response');
      if (!parsed.data.ok) throw new SlackApiError(parsed.data.error ?? 'unknown_error');
      if (!parsed.data.ts) throw new Error('Slack accepted the message but returned no ts');
      gate.took(token);
      return { ts: parsed.data.ts, channel: parsed.data.channel ?? args.channel };
    });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
