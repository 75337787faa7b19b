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

/** Options of every Web API client: SLACK_API_URL (the loopback fake in tests), bounded retries and timeout. */
export function webClientOptions(slack: SlackConfig, retryConfig: webApi.RetryOptions = RETRY_POLICY): webApi.WebClientOptions {
  return { slackApiUrl: slack.apiUrl ?? undefined, retryConfig, timeout: REQUEST_TIMEOUT_MS };
}

/**
 * A Web API client of our own, for posting without Bolt: it carries SLACK_BOT_TOKEN when there is
 * one (with OAuth, each call passes its workspace's token) and logs through pino like Bolt does.
 */
export function createWebClient(slack: SlackConfig, log: Logger, retryConfig?: webApi.RetryOptions): webApi.WebClient {
  return new webApi.WebClient(slack.botToken ?? undefined, { ...webClientOptions(slack, retryConfig), logger: boltLogger(log) });
}
