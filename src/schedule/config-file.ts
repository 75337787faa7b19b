import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import type { Logger } from 'pino';
import type { Store, SubscriptionInput } from '../store/types';
import { optionValueSchema } from '../chat/option-value';
import { ConfigError, errorMessage } from '../errors';
import { subscriptionId } from '../subscriptions/id';
import { DEFAULT_SETTINGS, SETTINGS, withSettings, type Setting, type SettingValues } from '../subscriptions/settings';

/**
 * Subscriptions declared as data (config/subscriptions.yaml, or PAPERS_CONFIG), next to those made
 * with `/papers subscribe`. The setting keys are the subscribe options, read by the same parsers
 * (src/subscriptions/settings.ts), so the file takes what the command takes and says what the
 * command says. The file is the source of truth for its entries: synced into the store at start
 * with origin 'config'; entries removed from it are removed from the store.
 */

/** A setting as the file may write it: as `/papers subscribe` takes it, or a list setting as a YAML list. */
function settingEntry(setting: Setting): z.ZodType {
  const value = optionValueSchema(setting.option);
  // A YAML list is the comma-separated text; an empty one is what the options call "none".
  const listed = 'list' in setting && setting.list ? z.preprocess((v) => (Array.isArray(v) ? (v.length ? v.join(',') : 'none') : v), value) : value;
  return listed.optional();
}

// Each entry is its option's own parser, so the values are SettingValues; zod cannot follow that through fromEntries.
const settingEntries = Object.fromEntries(Object.values(SETTINGS).map((s) => [s.option.name, settingEntry(s)])) as {
  [N in keyof SettingValues]-?: z.ZodType<SettingValues[N]>;
};

/** The file's schema; `platforms` are the adapters' ids (adapters/index.ts), the core knows none. */
function fileSchema(platforms: readonly string[]) {
  const expected = `expected one of ${platforms.join(', ')}`;
  const entry = z.strictObject({
    platform: z.string({ error: expected }).refine((p) => platforms.includes(p), { error: expected }),
    /** Discord guild id / Slack team id. */
    workspace: z.union([z.string().min(1), z.number().transform(String)], { error: 'expected a workspace id (quote long ids)' }).optional(),
    channel: z.union([z.string().min(1), z.number().transform(String)], { error: 'expected a channel id (quote long ids)' }),
    ...settingEntries,
  });
  return z.strictObject(
    { subscriptions: z.array(entry, { error: 'expected a list of subscriptions' }) },
    { error: 'expected a mapping with a "subscriptions:" list' },
  );
}

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

const SETTING_KEYS: ReadonlySet<string> = new Set(Object.values(SETTINGS).map((s) => s.option.name));

const showPath = (p: Path) => p.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('');

/**
 * Reads and validates a subscriptions file whose entries may name these platforms. Throws
 * ConfigError naming the file, line, path and what is expected.
 */
export function readSubscriptionsFile(file: string, platforms: readonly string[], createdBy = `config:${path.basename(file)}`): SubscriptionInput[] {
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
  const parsed = fileSchema(platforms).safeParse(data ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const p = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
    const what = issue.code === 'unrecognized_keys' ? `unknown key "${issue.keys.join('", "')}"` : issue.message;
    // A setting's message names the setting, as the command's does: the path need only name the entry.
    const shown = p.length === 3 && SETTING_KEYS.has(String(p[2])) ? p.slice(0, 2) : p;
    throw new ConfigError(`${locate(file, doc, lc, p)}: ${shown.length ? `${showPath(shown)}: ` : ''}${what}`);
  }

  const seen = new Map<string, number>();
  return parsed.data.subscriptions.map((e, i) => {
    const key = subscriptionId(e.platform, e.channel);
    const first = seen.get(key);
    if (first !== undefined) {
      throw new ConfigError(
        `${locate(file, doc, lc, ['subscriptions', i])}: subscriptions[${i}]: channel ${key} is already subscribed by subscriptions[${first}]`,
      );
    }
    seen.set(key, i);
    return {
      platform: e.platform,
      workspaceId: e.workspace ?? null,
      channelId: e.channel,
      ...withSettings(DEFAULT_SETTINGS, e),
      origin: 'config',
      createdBy,
    };
  });
}

/** Makes the store's config-origin subscriptions match the file. */
export async function syncConfigSubscriptions(
  store: Store,
  file: string,
  platforms: readonly string[],
  log: Logger,
): Promise<{ upserted: number; removed: number }> {
  const entries = readSubscriptionsFile(file, platforms);
  const wanted = new Set<string>();
  for (const entry of entries) {
    const sub = await store.subscriptions.upsert(entry);
    wanted.add(sub.id);
  }
  let removed = 0;
  for (const sub of await store.subscriptions.list()) {
    if (sub.origin === 'config' && !wanted.has(sub.id) && (await store.subscriptions.delete(sub.id))) removed++;
  }
  log.info({ file, upserted: entries.length, removed }, 'subscriptions file synced');
  return { upserted: entries.length, removed };
}
