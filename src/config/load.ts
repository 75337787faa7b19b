import { existsSync } from 'node:fs';
import type { z } from 'zod';
import { ConfigError } from '../errors';
import { EnvSchema, type AdapterSettingsSpec, type AppConfig } from './schema';

export type Env = Record<string, string | undefined>;

/**
 * The one place that reads the environment: the core's variables and every adapter's (each
 * adapter declares its own, and which of them are secrets). Throws ConfigError with one line
 * naming what is wrong.
 */
export function loadConfig(env: Env, cwd = process.cwd(), adapters: readonly AdapterSettingsSpec[] = []): AppConfig {
  const schema = adapters.reduce((s, a) => s.extend(a.env), EnvSchema as z.ZodObject<z.ZodRawShape>);
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? '');
    throw new ConfigError(issue.message.includes(name) ? issue.message : `${name}: ${issue.message}`);
  }
  const vars = parsed.data as Record<string, unknown>;
  const e = parsed.data as z.output<typeof EnvSchema>;

  const resolved: Record<string, unknown> = {};
  for (const adapter of adapters) {
    const settings = adapter.resolve(vars);
    if (settings !== null) resolved[adapter.id] = settings;
  }
  const secretNames = new Set(adapters.flatMap((a) => a.secrets));
  const secrets = Object.entries(vars)
    .filter(([name, value]) => secretNames.has(name) && typeof value === 'string' && value !== '')
    .map(([, value]) => value as string);
  for (const name of ['PAPERS_SECRET_KEY', 'PAPERS_SECRET_KEY_PREVIOUS'])
    if (typeof env[name] === 'string' && env[name]!.trim()) secrets.push(env[name]!.trim());
  if (e.PAPERS_SECRET_KEY_PREVIOUS && !e.PAPERS_SECRET_KEY) throw new ConfigError('PAPERS_SECRET_KEY_PREVIOUS is set but PAPERS_SECRET_KEY is not');
  const dbPassword = e.DATABASE_URL?.match(/^postgres(?:ql)?:\/\/[^:/@]+:([^@]+)@/)?.[1];
  if (dbPassword) secrets.push(dbPassword);

  const defaultSubscriptions = `${cwd}/config/subscriptions.yaml`;
  return {
    databaseUrl: e.DATABASE_URL ?? 'sqlite:./data/papers.db',
    hfBaseUrl: (e.HF_BASE_URL ?? 'https://huggingface.co').replace(/\/+$/, ''),
    arxivApiUrl: (e.ARXIV_API_URL ?? 'https://export.arxiv.org').replace(/\/+$/, ''),
    arxivCategories: e.ARXIV_CATEGORIES,
    adapters: resolved,
    platforms: adapters.map((a) => a.id),
    http: { port: e.PORT, host: e.HOST ?? '0.0.0.0' },
    metrics: e.METRICS === 'on',
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
    secretKeys: e.PAPERS_SECRET_KEY ? { current: e.PAPERS_SECRET_KEY, previous: e.PAPERS_SECRET_KEY_PREVIOUS ?? null } : null,
    secrets,
  };
}
