import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import type { Logger } from 'pino';
import type { Store, SubscriptionInput } from '../store/types';
import { ConfigError, errorMessage } from '../errors';
import { parseArxivCategories } from '../model/arxiv-categories';
import { RANK_MODES } from '../rank/modes';
import { parseTopics } from '../rank/topics';
import { subscriptionId } from '../subscriptions/id';
import { isValidTimeZone, TIME_OF_DAY } from './time';

/**
 * Subscriptions declared as data (config/subscriptions.yaml, or PAPERS_CONFIG), next to those made
 * with `/papers subscribe`. Keys mirror the subscribe options. The file is the source of truth for
 * its entries: synced into the store at start with origin 'config'; entries removed from it are
 * removed from the store.
 */

/**
 * A setting written as a YAML list or as the comma-separated text `/papers subscribe` takes, checked
 * by that command's own parser, whose error becomes the issue.
 */
function listOf(expected: string, parse: (text: string) => string[]) {
  return z
    .union([z.string(), z.array(z.string())], { error: expected })
    .default([])
    .transform((v, ctx) => {
      try {
        return parse(Array.isArray(v) ? v.join(',') : v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: errorMessage(err) });
        return z.NEVER;
      }
    });
}

const Entry = z.strictObject({
  platform: z.enum(['discord', 'slack', 'console'], { error: 'expected discord, slack or console' }),
  /** Discord guild id / Slack team id. */
  workspace: z.union([z.string().min(1), z.number().transform(String)], { error: 'expected a workspace id (quote long ids)' }).optional(),
  channel: z.union([z.string().min(1), z.number().transform(String)], { error: 'expected a channel id (quote long ids)' }),
  time: z.string({ error: 'expected a time as "HH:MM" (quoted)' }).regex(TIME_OF_DAY, 'expected a time as HH:MM, 00:00 to 23:59'),
  tz: z.string({ error: 'expected an IANA time zone such as Europe/Berlin' }).refine(isValidTimeZone, {
    error: (iss) => `expected an IANA time zone such as Europe/Berlin, got "${String(iss.input)}"`,
  }),
  top: z.int({ error: 'expected a whole number from 1 to 10' }).min(1, 'expected a whole number from 1 to 10').max(10, 'expected a whole number from 1 to 10').default(5),
  topics: listOf('expected topics as a list or "a, b, -c"', parseTopics),
  'min-upvotes': z.int({ error: 'expected a whole number, 0 or more' }).min(0, 'expected a whole number, 0 or more').default(0),
  rank: z.enum(RANK_MODES, { error: 'expected popular, balanced or channel' }).default('balanced'),
  arxiv: listOf('expected arXiv categories as a list or "cs.LG, cs.CL"', parseArxivCategories),
});

const FileSchema = z.strictObject(
  { subscriptions: z.array(Entry, { error: 'expected a list of subscriptions' }) },
  { error: 'expected a mapping with a "subscriptions:" list' },
);

type Path = (string | number)[];

/** `file:line:col` of the YAML node at `path` (or its nearest existing parent). */
function locate(file: string, doc: Document, lc: LineCounter, path: Path): string {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range) {
      const { line, col } = lc.linePos(range[0]);
      return `${file}:${line}:${col}`;
    }
  }
  return file;
}

const showPath = (p: Path) => p.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('');

/** Reads and validates a subscriptions file. Throws ConfigError naming the file, line, path and what is expected. */
export function readSubscriptionsFile(file: string, createdBy = `config:${path.basename(file)}`): SubscriptionInput[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${file}: cannot read the subscriptions file (${(err as NodeJS.ErrnoException).code ?? errorMessage(err)})`);
  }
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax) {
    const { line, col } = lc.linePos(syntax.pos[0]);
    throw new ConfigError(`${file}:${line}:${col}: invalid YAML: ${syntax.message.split('\n')[0]}`);
  }
  const data: unknown = doc.toJS();
  const parsed = FileSchema.safeParse(data ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const p = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
    const what = issue.code === 'unrecognized_keys' ? `unknown key "${issue.keys.join('", "')}"` : issue.message;
    throw new ConfigError(`${locate(file, doc, lc, p)}: ${p.length ? `${showPath(p)}: ` : ''}${what}`);
  }

  const seen = new Map<string, number>();
  return parsed.data.subscriptions.map((e, i) => {
    const key = subscriptionId(e.platform, e.channel);
    const first = seen.get(key);
    if (first !== undefined) {
      throw new ConfigError(`${locate(file, doc, lc, ['subscriptions', i])}: subscriptions[${i}]: channel ${key} is already subscribed by subscriptions[${first}]`);
    }
    seen.set(key, i);
    return {
      platform: e.platform,
      workspaceId: e.workspace ?? null,
      channelId: e.channel,
      time: e.time,
      timezone: e.tz,
      top: e.top,
      topics: e.topics,
      minUpvotes: e['min-upvotes'],
      rank: e.rank,
      arxiv: e.arxiv,
      origin: 'config',
      createdBy,
    };
  });
}

/** Makes the store's config-origin subscriptions match the file. */
export async function syncConfigSubscriptions(store: Store, file: string, log: Logger): Promise<{ upserted: number; removed: number }> {
  const entries = readSubscriptionsFile(file);
  const wanted = new Set<string>();
  for (const entry of entries) {
    const sub = await store.upsertSubscription(entry);
    wanted.add(sub.id);
  }
  let removed = 0;
  for (const sub of await store.listSubscriptions()) {
    if (sub.origin === 'config' && !wanted.has(sub.id) && (await store.deleteSubscription(sub.id))) removed++;
  }
  log.info({ file, upserted: entries.length, removed }, 'subscriptions file synced');
  return { upserted: entries.length, removed };
}
