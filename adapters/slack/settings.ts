import type { z } from 'zod';
import { ConfigError } from '../../src/errors';
import { commaList, httpUrl, optional } from '../../src/config/schema';

/** Slack's environment variables, validated with the rest of the configuration at start. */
export const SLACK_ENV = {
  SLACK_BOT_TOKEN: optional,
  SLACK_SIGNING_SECRET: optional,
  SLACK_APP_TOKEN: optional,
  SLACK_API_URL: httpUrl('SLACK_API_URL'),
  SLACK_CLIENT_ID: optional,
  SLACK_CLIENT_SECRET: optional,
  SLACK_STATE_SECRET: optional,
  /** Comma-separated Slack user ids allowed to subscribe/unsubscribe; empty = anyone in the channel. */
  SLACK_ADMINS: commaList,
};

export const SLACK_SECRETS = ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'SLACK_CLIENT_SECRET', 'SLACK_STATE_SECRET'] as const;

export interface SlackSettings {
  /** One workspace; null with OAuth, where each workspace's token comes from its installation. */
  botToken: string | null;
  signingSecret: string | null;
  /** Socket Mode when set. */
  appToken: string | null;
  apiUrl: string | null;
  clientId: string | null;
  clientSecret: string | null;
  stateSecret: string | null;
  admins: string[];
}

/** Slack's variables, and the core's key that encrypts the installations OAuth stores. */
type SlackEnv = z.output<z.ZodObject<typeof SLACK_ENV>> & { PAPERS_SECRET_KEY?: Buffer };

/** Slack's settings, or null when none of its variables say to run it; ConfigError for a combination that cannot work. */
export function resolveSlack(e: SlackEnv): SlackSettings | null {
  if (!e.SLACK_BOT_TOKEN && !e.SLACK_CLIENT_ID && !e.SLACK_APP_TOKEN) return null;
  if (!e.SLACK_SIGNING_SECRET && !e.SLACK_APP_TOKEN) throw new ConfigError('Slack needs SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode)');
  if (!e.SLACK_BOT_TOKEN && !(e.SLACK_CLIENT_ID && e.SLACK_CLIENT_SECRET))
    throw new ConfigError('Slack needs SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (OAuth)');
  if (!e.SLACK_BOT_TOKEN && !e.SLACK_STATE_SECRET) throw new ConfigError('Slack OAuth needs SLACK_STATE_SECRET (a random string) to protect the install flow');
  if (!e.SLACK_BOT_TOKEN && !e.PAPERS_SECRET_KEY)
    throw new ConfigError('Slack OAuth needs PAPERS_SECRET_KEY (32 random bytes, e.g. `openssl rand -base64 32`) to keep the installed tokens encrypted');
  return {
    botToken: e.SLACK_BOT_TOKEN ?? null,
    signingSecret: e.SLACK_SIGNING_SECRET ?? null,
    appToken: e.SLACK_APP_TOKEN ?? null,
    apiUrl: e.SLACK_API_URL ? e.SLACK_API_URL.replace(/\/*$/, '/') : null,
    clientId: e.SLACK_CLIENT_ID ?? null,
    clientSecret: e.SLACK_CLIENT_SECRET ?? null,
    stateSecret: e.SLACK_STATE_SECRET ?? null,
    admins: e.SLACK_ADMINS,
  };
}
