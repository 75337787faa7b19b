import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import type { Logger } from '../log';
import type { MetaRepository } from '../store/types';
import { errorMessage } from '../errors';

const packageJson = z.object({ version: z.string() }).parse(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')));

/** Sources like to know who is calling; HF and arXiv both ask clients to identify themselves. */
export const USER_AGENT = `papers-bot/${packageJson.version}`;

export interface FetchOptions {
  log?: Logger;
  /** Time until the response headers arrive (connecting, TLS, server think time). */
  connectTimeoutMs?: number;
  /** Time for one whole attempt, headers and body. */
  timeoutMs?: number;
  /** Attempts after the first one, on network errors, timeouts, 5xx, 408 and 429. */
  retries?: number;
  /** First backoff; doubles per attempt, with jitter, up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** A Retry-After longer than this is not waited for: the fetch fails instead. */
  maxRetryAfterMs?: number;
  /** Bodies larger than this are refused (the download is aborted as soon as it passes the cap). */
  maxBytes?: number;
  accept?: string;
  /** Send If-None-Match / If-Modified-Since from validators kept in the store's meta table. */
  conditional?: MetaRepository;
  /** Cancels the whole fetch, including backoff waits (used when the bot shuts down). */
  signal?: AbortSignal;
  /** Injectable so tests do not wait for backoff. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  now?: () => Date;
}

export type FetchResult =
  | {
      notModified: false;
      url: string;
      status: number;
      contentType: string | null;
      text: string;
      /**
       * Stores this response's validators for the next conditional request. Call it only after the
       * body was used successfully: remembering the ETag of a body that failed to parse would turn
       * every later refresh into a 304 and the good data would never arrive.
       */
      rememberValidators(): Promise<void>;
    }
  | { notModified: true; url: string };

/** A fetch that did not produce a usable body. The message is one line an operator can act on. */
export class FetchError extends Error {
  override name = 'FetchError';
  constructor(
    readonly url: string,
    readonly reason: string,
    readonly status: number | null = null,
    /** Whether trying again later might help. */
    readonly retryable = false,
  ) {
    super(`cannot fetch ${url}: ${reason}`);
  }
}

const Validators = z.object({ etag: z.string().optional(), lastModified: z.string().optional() });
type Validators = z.infer<typeof Validators>;

const defaults = {
  connectTimeoutMs: 10_000,
  timeoutMs: 30_000,
  retries: 3,
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 120_000,
  maxBytes: 20 * 1024 * 1024,
};

export function validatorsKey(url: string): string {
  return `http-validators:${url}`;
}

/** GET a text resource with timeouts, retries, a size cap and conditional requests. Throws FetchError. */
export async function fetchText(url: string, opts: FetchOptions = {}): Promise<FetchResult> {
  const o = { ...defaults, ...definedOnly(opts) };
  const sleep = opts.sleep ?? ((ms, signal) => delay(ms, undefined, { signal }));
  const random = opts.random ?? Math.random;
  const now = opts.now ?? (() => new Date());

  const known = opts.conditional ? await readValidators(opts.conditional, url) : {};
  const headers: Record<string, string> = { 'user-agent': USER_AGENT, accept: opts.accept ?? '*/*' };
  if (known.etag) headers['if-none-match'] = known.etag;
  if (known.lastModified) headers['if-modified-since'] = known.lastModified;

  for (let attempt = 0; ; attempt++) {
    let failure: FetchError;
    let retryAfterMs: number | null = null;
    try {
      const res = await attemptOnce(url, headers, o, opts.signal);
      if (res.status === 304) {
        opts.log?.debug({ url }, 'fetch not modified');
        return { notModified: true, url };
      }
      if (res.ok) {
        const fresh: Validators = { etag: res.etag ?? undefined, lastModified: res.lastModified ?? undefined };
        opts.log?.debug({ url, status: res.status, bytes: res.byteLength }, 'fetched');
        return {
          notModified: false,
          url,
          status: res.status,
          contentType: res.contentType,
          text: res.text,
          rememberValidators: async () => {
            if (opts.conditional && (fresh.etag || fresh.lastModified)) {
              await opts.conditional.set(validatorsKey(url), JSON.stringify(fresh));
            }
          },
        };
      }
      const retryable = res.status >= 500 || res.status === 429 || res.status === 408;
      failure = new FetchError(url, `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`, res.status, retryable);
      retryAfterMs = parseRetryAfter(res.retryAfter, now());
    } catch (err) {
      if (!(err instanceof FetchError)) throw err;
      failure = err;
    }

    if (!failure.retryable || attempt >= o.retries) {
      throw attempt > 0 ? new FetchError(url, `${failure.reason} (after ${attempt + 1} attempts)`, failure.status, failure.retryable) : failure;
    }
    if (retryAfterMs !== null && retryAfterMs > o.maxRetryAfterMs) {
      throw new FetchError(url, `${failure.reason}; the server asks to retry after ${Math.ceil(retryAfterMs / 1000)} s`, failure.status, true);
    }
    // Equal jitter: at least half the exponential step, so many bots restarting together spread out.
    const step = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** attempt);
    const waitMs = Math.max(retryAfterMs ?? 0, Math.round(step / 2 + random() * (step / 2)));
    opts.log?.warn({ url, attempt: attempt + 1, error: failure.reason, retryInMs: waitMs }, 'fetch failed, retrying');
    try {
      await sleep(waitMs, opts.signal);
    } catch {
      throw new FetchError(url, 'aborted');
    }
  }
}

interface RawResponse {
  status: number;
  statusText: string;
  ok: boolean;
  contentType: string | null;
  etag: string | null;
  lastModified: string | null;
  retryAfter: string | null;
  text: string;
  byteLength: number;
}

/** One request. Every failure becomes a FetchError saying whether a retry may help. */
async function attemptOnce(url: string, headers: Record<string, string>, o: typeof defaults, outer: AbortSignal | undefined): Promise<RawResponse> {
  // The connect timer is a controller of our own because it must be cancelled once headers arrive.
  const connect = new AbortController();
  const connectTimer = setTimeout(() => connect.abort(), o.connectTimeoutMs);
  const total = AbortSignal.timeout(o.timeoutMs);
  const signal = AbortSignal.any([connect.signal, total, ...(outer ? [outer] : [])]);
  const abortReason = (): FetchError | null =>
    outer?.aborted
      ? new FetchError(url, 'aborted')
      : connect.signal.aborted
        ? new FetchError(url, `no response within ${o.connectTimeoutMs} ms`, null, true)
        : total.aborted
          ? new FetchError(url, `response not complete within ${o.timeoutMs} ms`, null, true)
          : null;

  try {
    const res = await fetch(url, { headers, signal, redirect: 'follow' });
    clearTimeout(connectTimer);
    const base = {
      status: res.status,
      statusText: res.statusText,
      ok: res.ok,
      contentType: res.headers.get('content-type'),
      etag: res.headers.get('etag'),
      lastModified: res.headers.get('last-modified'),
      retryAfter: res.headers.get('retry-after'),
    };
    if (!res.ok || res.status === 304) {
      await res.body?.cancel();
      return { ...base, text: '', byteLength: 0 };
    }
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (declared > o.maxBytes) {
      await res.body?.cancel();
      throw tooLarge(url, o.maxBytes);
    }
    const bytes = await readCapped(res, o.maxBytes, url);
    return { ...base, text: bytes.toString('utf8'), byteLength: bytes.length };
  } catch (err) {
    if (err instanceof FetchError) throw err;
    throw abortReason() ?? new FetchError(url, networkReason(err), null, true);
  } finally {
    clearTimeout(connectTimer);
  }
}

async function readCapped(res: Response, maxBytes: number, url: string): Promise<Buffer> {
  if (!res.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge(url, maxBytes);
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}

function tooLarge(url: string, maxBytes: number): FetchError {
  return new FetchError(url, `response larger than ${maxBytes} bytes`, null, false);
}

/** undici reports "fetch failed" with the useful part (ECONNREFUSED, ENOTFOUND...) in the cause. */
function networkReason(err: unknown): string {
  const cause = err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
  if (cause?.code === 'ECONNREFUSED') return 'connection refused';
  if (cause?.code === 'ENOTFOUND') return 'host not found';
  if (cause?.code) return `${cause.message ?? 'network error'} (${cause.code})`;
  return cause?.message ?? errorMessage(err);
}

/** Retry-After is either delay-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now: Date): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now.getTime());
}

async function readValidators(meta: MetaRepository, url: string): Promise<Validators> {
  const raw = await meta.get(validatorsKey(url));
  if (!raw) return {};
  try {
    const parsed = Validators.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

function definedOnly<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}
