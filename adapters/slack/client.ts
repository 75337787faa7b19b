import { webApi } from '@slack/bolt';
import type { AppConfig } from '../../src/config/schema';
import type { Logger } from '../../src/log';
import { boltLogger } from './logger';

type SlackConfig = NonNullable<AppConfig['slack']>;

/**
 * The Web API client's retries. Its default retries 5xx for about half an hour, which would hold a
 * chat answer or a digest fan-out hostage; a few quick retries (~7 s in all) then a clear failure
 * lets the scheduler retry the delivery later instead.
 */
export const RETRY_POLICY = { retries: 3, factor: 2, minTimeout: 1000, maxTimeout: 4000, randomize: true } satisfies webApi.RetryOptions;
const REQUEST_TIMEOUT_MS = 10_000;
/**
 * Digest messages in flight at once (the client queues the rest; its timeout starts at the send).
 * With hundreds in flight on a busy process each waits on all the others, can time out although
 * Slack takes it later, and then its re-send may miss it in the history; 32 keep far ahead of
 * Slack's pace of one message per second per channel at a loopback or internet round trip.
 */
const POSTS_IN_FLIGHT = 32;

/** Options of every Web API client: SLACK_API_URL (the loopback fake in tests), bounded retries and timeout. */
export function webClientOptions(slack: SlackConfig, retryConfig: webApi.RetryOptions = RETRY_POLICY, timeoutMs = REQUEST_TIMEOUT_MS): webApi.WebClientOptions {
  return { slackApiUrl: slack.apiUrl ?? undefined, retryConfig, timeout: timeoutMs };
}

/**
 * A Web API client of our own, for posting without Bolt: it carries SLACK_BOT_TOKEN when there is
 * one (with OAuth, each call passes its workspace's token) and logs through pino like Bolt does.
 */
export function createWebClient(slack: SlackConfig, log: Logger, retryConfig?: webApi.RetryOptions, timeoutMs?: number): webApi.WebClient {
  return new webApi.WebClient(slack.botToken ?? undefined, { ...webClientOptions(slack, retryConfig, timeoutMs), logger: boltLogger(log) });
}

/**
 * The client digest messages are posted with, which never re-sends on its own. A chat.postMessage
 * that timed out or got a 5xx may have landed, and the client's blind retry would show it twice;
 * instead the send fails, and the fan-out's retry goes through the poster, which first looks for
 * the message in the channel's history. A 429 is handed back at once too, rather than pausing every
 * request of the client for Retry-After: Slack did not take that message, and only its channel
 * has to wait.
 */
export function createPostingClient(slack: SlackConfig, log: Logger, timeoutMs?: number): webApi.WebClient {
  return new webApi.WebClient(slack.botToken ?? undefined, {
    ...webClientOptions(slack, { retries: 0 }, timeoutMs),
    rejectRateLimitedCalls: true,
    maxRequestConcurrency: POSTS_IN_FLIGHT,
    logger: boltLogger(log),
  });
}
