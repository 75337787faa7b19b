import { webApi } from '@slack/bolt';
import type { Services } from '../../src/chat/command';
import type { Logger } from '../../src/log';
import { boltLogger } from './logger';
import type { SlackSettings } from './settings';

/**
 * The Web API client's retries. Its default retries 5xx for about half an hour, which would hold a
 * chat answer or a digest fan-out hostage; a few quick retries (~7 s in all) then a clear failure
 * lets the scheduler retry the delivery later instead.
 */
export const RETRY_POLICY = { retries: 3, factor: 2, minTimeout: 1000, maxTimeout: 4000, randomize: true } satisfies webApi.RetryOptions;
export const REQUEST_TIMEOUT_MS = 10_000;
/** WebClient's own default, for clients of ours that do not go through it (post-message.ts). */
const SLACK_API_URL = 'https://slack.com/api/';

/** SLACK_API_URL (GovSlack, a proxy, the loopback fake in tests) or Slack's. */
export function slackApiUrl(slack: SlackSettings): string {
  return slack.apiUrl ?? SLACK_API_URL;
}

/** Options of every Web API client: SLACK_API_URL (the loopback fake in tests), bounded retries and timeout. */
export function webClientOptions(
  slack: SlackSettings,
  retryConfig: webApi.RetryOptions = RETRY_POLICY,
  timeoutMs = REQUEST_TIMEOUT_MS,
): webApi.WebClientOptions {
  return { slackApiUrl: slackApiUrl(slack), retryConfig, timeout: timeoutMs };
}

/**
 * A Web API client of our own, for posting without Bolt: it carries SLACK_BOT_TOKEN when there is
 * one (with OAuth, each call passes its workspace's token) and logs through pino like Bolt does.
 */
export function createWebClient(slack: SlackSettings, log: Logger, retryConfig?: webApi.RetryOptions, timeoutMs?: number): webApi.WebClient {
  return new webApi.WebClient(slack.botToken ?? undefined, { ...webClientOptions(slack, retryConfig, timeoutMs), logger: boltLogger(log) });
}

/** Counts a 429 from Slack where metrics are on. */
export function rateLimited(services: Pick<Services, 'metrics'>): (() => void) | undefined {
  const { metrics } = services;
  return metrics ? () => metrics.rateLimited('slack', 'route') : undefined;
}
