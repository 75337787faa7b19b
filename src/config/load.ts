import { existsSync } from 'node:fs';
import { ConfigError } from '../errors';
import { EnvSchema, type AppConfig } from './schema';

export type Env = Record<string, string | undefined>;

/** The one place that reads the environment. Throws ConfigError with one line naming what is wrong. */
export function loadConfig(env: Env, cwd = process.cwd()): AppConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? '');
    throw new ConfigError(issue.message.includes(name) ? issue.message : `${name}: ${issue.message}`);
  }
  const e = parsed.data;

  if (e.DISCORD_APPLICATION_ID && !e.DISCORD_TOKEN) throw new ConfigError('DISCORD_APPLICATION_ID is set but DISCORD_TOKEN is not');
  const slackOn = Boolean(e.SLACK_BOT_TOKEN || e.SLACK_CLIENT_ID || e.SLACK_APP_TOKEN);
  if (slackOn && !e.SLACK_SIGNING_SECRET && !e.SLACK_APP_TOKEN)
    throw new ConfigError('Slack needs SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode)');
  if (slackOn && !e.SLACK_BOT_TOKEN && !(e.SLACK_CLIENT_ID && e.SLACK_CLIENT_SECRET))
    throw new ConfigError('Slack needs SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (OAuth)');

  const defaultSubscriptions = `${cwd}/config/subscriptions.yaml`;
  const secrets = [e.DISCORD_TOKEN, e.SLACK_BOT_TOKEN, e.SLACK_SIGNING_SECRET, e.SLACK_APP_TOKEN, e.SLACK_CLIENT_SECRET, e.SLACK_STATE_SECRET]
    .filter((s): s is string => Boolean(s));
  const dbPassword = e.DATABASE_URL?.match(/^postgres(?:ql)?:\/\/[^:/@]+:([^@]+)@/)?.[1];
  if (dbPassword) secrets.push(dbPassword);

  return {
    databaseUrl: e.DATABASE_URL ?? 'sqlite:./data/papers.db',
    hfBaseUrl: (e.HF_BASE_URL ?? 'https://huggingface.co').replace(/\/+$/, ''),
    arxivApiUrl: (e.ARXIV_API_URL ?? 'https://export.arxiv.org').replace(/\/+$/, ''),
    arxivCategories: e.ARXIV_CATEGORIES,
    discord: e.DISCORD_TOKEN
      ? {
          token: e.DISCORD_TOKEN,
          applicationId: e.DISCORD_APPLICATION_ID ?? null,
          apiUrl: e.DISCORD_API_URL?.replace(/\/+$/, '') ?? null,
          shards: e.DISCORD_SHARDS === undefined ? null : e.DISCORD_SHARDS === 'auto' ? 'auto' : Number(e.DISCORD_SHARDS),
          dmConfirmations: e.DISCORD_DM_CONFIRMATIONS !== 'false',
        }
      : null,
    slack: slackOn
      ? {
          botToken: e.SLACK_BOT_TOKEN ?? null,
          signingSecret: e.SLACK_SIGNING_SECRET ?? null,
          appToken: e.SLACK_APP_TOKEN ?? null,
          apiUrl: e.SLACK_API_URL ? e.SLACK_API_URL.replace(/\/*$/, '/') : null,
          clientId: e.SLACK_CLIENT_ID ?? null,
          clientSecret: e.SLACK_CLIENT_SECRET ?? null,
          stateSecret: e.SLACK_STATE_SECRET ?? null,
          admins: (e.SLACK_ADMINS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
        }
      : null,
    http: { port: e.PORT, host: e.HOST ?? '0.0.0.0' },
    logLevel: e.LOG_LEVEL ?? 'info',
    logLevelExplicit: e.LOG_LEVEL !== undefined,
    refreshMinutes: e.REFRESH_MINUTES,
    subscriptionsFile: e.PAPERS_CONFIG ?? (existsSync(defaultSubscriptions) ? defaultSubscriptions : null),
    schedule: {
      skipPostedDays: e.SKIP_POSTED_DAYS,
      catchUpHours: e.CATCH_UP_HOURS,
      emptyDigest: (e.EMPTY_DIGEST as 'skip' | 'note' | undefined) ?? 'skip',
      staleDigest: (e.STALE_DIGEST as 'post' | 'skip' | undefined) ?? 'post',
      concurrency: e.FANOUT_CONCURRENCY,
      maxAttempts: 3,
      disableAfter: 3,
      claimStaleMs: 60_000,
    },
    secrets,
  };
}
