import { z } from 'zod';

/** The environment the bot reads, validated once at start by loadConfig (src/config/load.ts). */

/** An optional variable: unset and blank are the same, values are trimmed. */
export const optional = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

export const httpUrl = (name: string) =>
  optional.refine((v) => v === undefined || /^https?:\/\/[^\s]+$/.test(v), {
    message: `${name} must be an http(s) URL`,
  });

export const positiveInt = (name: string, fallback: number, max = Number.MAX_SAFE_INTEGER) =>
  optional.transform((v, ctx) => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > max) {
      ctx.addIssue({ code: 'custom', message: `${name} must be a whole number from 1 to ${max}, got "${v}"` });
      return z.NEVER;
    }
    return n;
  });

/** A comma-separated list, e.g. `U123, U456`; unset or blank is empty. */
export const commaList = optional.transform((v) =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

/** A true/false variable with a default. */
export const flag = (name: string, fallback: boolean) =>
  optional.transform((v, ctx) => {
    if (v === undefined) return fallback;
    if (v === 'true' || v === 'false') return v === 'true';
    ctx.addIssue({ code: 'custom', message: `${name} must be true or false` });
    return z.NEVER;
  });

/** arXiv category names: `cs.AI`, `stat.ML`, `hep-th`, `math.AG`. */
export const ARXIV_CATEGORY = /^[a-z-]+(\.[A-Za-z-]+)?$/;

/**
 * A 32-byte key for AES-256-GCM, given as base64 (`openssl rand -base64 32`) or as 64 hex digits.
 * Parsed to its bytes; anything else is refused at start.
 */
export const secretKey = (name: string) =>
  optional.transform((v, ctx) => {
    if (v === undefined) return undefined;
    const bytes = /^[0-9a-fA-F]{64}$/.test(v) ? Buffer.from(v, 'hex') : /^[A-Za-z0-9+/_-]{43}=?$/.test(v) ? Buffer.from(v, 'base64') : null;
    if (bytes?.length === 32) return bytes;
    ctx.addIssue({ code: 'custom', message: `${name} must be 32 random bytes as base64 (openssl rand -base64 32) or 64 hex digits` });
    return z.NEVER;
  });

export const EnvSchema = z.object({
  DATABASE_URL: optional,
  HF_BASE_URL: httpUrl('HF_BASE_URL'),
  ARXIV_API_URL: httpUrl('ARXIV_API_URL'),
  /** Comma-separated arXiv categories the refresher also fetches (e.g. `cs.CL,cs.LG`); empty = none. */
  ARXIV_CATEGORIES: optional.transform((v, ctx) => {
    const list = (v ?? '')
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean);
    const bad = list.find((c) => !ARXIV_CATEGORY.test(c));
    if (bad !== undefined) {
      ctx.addIssue({ code: 'custom', message: `ARXIV_CATEGORIES: "${bad}" is not an arXiv category like cs.CL or hep-th` });
      return z.NEVER;
    }
    return list;
  }),
  PORT: positiveInt('PORT', 3000, 65535),
  HOST: optional,
  LOG_LEVEL: optional.refine((v) => v === undefined || ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(v), {
    message: 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
  }),
  /** Minutes between refreshes of today's and yesterday's lists. */
  REFRESH_MINUTES: positiveInt('REFRESH_MINUTES', 15, 24 * 60),
  /** Path of a subscriptions file (YAML or JSON); default config/subscriptions.yaml when it exists. */
  PAPERS_CONFIG: optional,
  /** Days a paper posted in a channel is not posted there again. */
  SKIP_POSTED_DAYS: positiveInt('SKIP_POSTED_DAYS', 30, 3650),
  /** Hours after a subscription's time during which a late start still posts the day's digest. */
  CATCH_UP_HOURS: positiveInt('CATCH_UP_HOURS', 6, 24),
  /** What a day with nothing new posts: nothing, or a one-line note. */
  EMPTY_DIGEST: optional.refine((v) => v === undefined || v === 'skip' || v === 'note', {
    message: 'EMPTY_DIGEST must be skip or note',
  }),
  /** When the source is down at posting time: post from the last good data (marked), or skip. */
  STALE_DIGEST: optional.refine((v) => v === undefined || v === 'post' || v === 'skip', {
    message: 'STALE_DIGEST must be post or skip',
  }),
  FANOUT_CONCURRENCY: positiveInt('FANOUT_CONCURRENCY', 8, 256),
  /** `on`: GET /metrics serves Prometheus metrics on the HTTP server; unset or `off`: no such route. */
  METRICS: optional.refine((v) => v === undefined || v === 'on' || v === 'off', { message: 'METRICS must be on or off' }),
  /** Encrypts the tokens of installations kept in the store (Slack OAuth). */
  PAPERS_SECRET_KEY: secretKey('PAPERS_SECRET_KEY'),
  /** The key before the last rotation: still opens what it sealed until `papers rotate-key` has run. */
  PAPERS_SECRET_KEY_PREVIOUS: secretKey('PAPERS_SECRET_KEY_PREVIOUS'),
});

export interface AppConfig {
  databaseUrl: string;
  hfBaseUrl: string;
  arxivApiUrl: string;
  /** Categories fetched from arXiv besides the Daily Papers list; empty = none. */
  arxivCategories: string[];
  /** Each configured adapter's own settings, by adapter id (see Adapter.settingsOf in src/chat/adapter.ts). */
  adapters: Readonly<Record<string, unknown>>;
  /** Every platform the bot knows, configured or not: where a subscription may live. */
  platforms: readonly string[];
  http: { port: number; host: string };
  /** Whether GET /metrics is served (METRICS=on). */
  metrics: boolean;
  logLevel: string;
  /** Whether LOG_LEVEL was set, so a console-only run may pick a quieter default. */
  logLevelExplicit: boolean;
  refreshMinutes: number;
  subscriptionsFile: string | null;
  schedule: {
    skipPostedDays: number;
    catchUpHours: number;
    emptyDigest: 'skip' | 'note';
    staleDigest: 'post' | 'skip';
    concurrency: number;
    /** Attempts for one delivery before it is given up for the day. */
    maxAttempts: number;
    /** Consecutive permanent failures before a subscription is disabled. */
    disableAfter: number;
    /** A claim whose heartbeat is older than this belongs to a dead owner. */
    claimStaleMs: number;
  };
  /** PAPERS_SECRET_KEY (and the previous one while rotating); null when not set. */
  secretKeys: { current: Buffer; previous: Buffer | null } | null;
  /** Every secret value, so the logger can scrub them from any line. */
  secrets: string[];
}

/**
 * The settings an adapter reads from the environment (src/chat/adapter.ts): the one loader merges
 * every adapter's variables into its schema, so they are validated with the rest at start.
 */
export interface AdapterSettingsSpec {
  readonly id: string;
  /** Its environment variables, each a zod schema. */
  readonly env: z.ZodRawShape;
  /** Which of them hold secrets: their values are scrubbed from every log line. */
  readonly secrets: readonly string[];
  /** Its settings from the validated variables, or null when it is not configured; ConfigError when they contradict. */
  resolve(env: Record<string, unknown>): unknown;
}
