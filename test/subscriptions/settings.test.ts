import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ArgValue } from '../../src/chat/command';
import { settingsKey } from '../../src/digest/selection-cache';
import { readSubscriptionsFile } from '../../src/schedule/config-file';
import type { SubscriptionSettings } from '../../src/store/types';
import { subscriptionFields } from '../../src/subscriptions/display';
import { DEFAULT_SETTINGS, SETTINGS, SETTING_OPTIONS, type CompleteSettings } from '../../src/subscriptions/settings';
import { findCommand } from '../../commands/index';
import { dispatch } from '../../commands/kit/dispatch';
import { TARGET_CHANNEL_OPTION } from '../../commands/kit/channel';
import { invocation, testServices } from '../commands/services';
import { textOf } from '../commands/reply-text';
import { ADAPTERS } from '../../adapters/index';

/** The platforms a subscriptions file may name: the adapters' ids. */
const PLATFORMS = ADAPTERS.map((a) => a.id);

const dir = mkdtempSync(path.join(tmpdir(), 'papers-settings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let t: Awaited<ReturnType<typeof testServices>>;
beforeEach(async () => void (t = await testServices({ papers: [] })));
afterEach(async () => t.cleanup());

/** Just the settings of a stored subscription or a file's entry. */
const settingsOf = (s: SubscriptionSettings): SubscriptionSettings => ({
  time: s.time,
  timezone: s.timezone,
  top: s.top,
  topics: s.topics,
  minUpvotes: s.minUpvotes,
  rank: s.rank,
  arxiv: s.arxiv,
  threads: s.threads,
  publish: s.publish,
  every: s.every,
  weekDay: s.weekDay,
});

/** One setting given to `/papers subscribe`: the stored settings, or the refusal. */
async function bySubscribe(option: string, value: ArgValue): Promise<SubscriptionSettings | string> {
  const reply = await dispatch(invocation('subscribe', { [option]: value }), t.svc);
  const stored = await t.svc.store.subscriptions.get('console:general');
  await t.svc.store.subscriptions.delete('console:general');
  return stored ? settingsOf(stored) : textOf(reply);
}

/** The same setting in a subscriptions file (as JSON, which is YAML, so its type is kept): the entry's settings, or the error after its place. */
function byFile(option: string, value: ArgValue): SubscriptionSettings | string {
  const file = path.join(dir, `s${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, `subscriptions:\n  - ${JSON.stringify({ platform: 'console', channel: 'general', [option]: value })}\n`);
  try {
    return settingsOf(readSubscriptionsFile(file, PLATFORMS)[0]!);
  } catch (err) {
    return (err as Error).message.replace(/^.*?subscriptions\[0\]: /, '');
  }
}

describe('subscription settings, declared once', () => {
  it.each<[string, ArgValue]>([
    ['time', '9:00'],
    ['time', '09:00'],
    ['time', '24:00'],
    ['time', '9am'],
    ['tz', 'europe/berlin'],
    ['tz', 'Mars/Olympus'],
    ['every', 'week'],
    ['every', 'weekday'],
    ['every', 'Week'],
    ['every', 'fortnight'],
    ['day', 'fri'],
    ['day', 'friday'],
    ['top', 3],
    ['top', '3'],
    ['top', 0],
    ['top', 11],
    ['topics', 'llm, -robotics'],
    ['topics', 'none'],
    ['topics', 'llm, <script>'],
    ['min-upvotes', 2],
    ['min-upvotes', -1],
    ['rank', 'popular'],
    ['rank', 'Channel'],
    ['rank', 'nope'],
    ['arxiv', 'cs.lg, cs.CL'],
    ['arxiv', 'none'],
    ['arxiv', 'nonsense!'],
    ['threads', 'on'],
    ['threads', true],
    ['threads', 'off'],
    ['threads', 'maybe'],
    ['publish', 'on'],
    ['publish', false],
    ['publish', 'yes please'],
  ])('%s %j: the command and the subscriptions file accept the same, or refuse with the same words', async (option, value) => {
    expect(byFile(option, value)).toEqual(await bySubscribe(option, value));
  });

  it('reads 9:00 as 09:00 in both', async () => {
    expect(await bySubscribe('time', '9:00')).toMatchObject({ time: '09:00' });
    expect(byFile('time', '9:00')).toMatchObject({ time: '09:00' });
  });

  it('gives the declared defaults to a channel that sets nothing, by command or file', async () => {
    expect(DEFAULT_SETTINGS).toEqual(Object.fromEntries(Object.entries(SETTINGS).map(([field, s]) => [field, s.default])));
    await dispatch(invocation('subscribe'), t.svc);
    expect(settingsOf((await t.svc.store.subscriptions.get('console:general'))!)).toEqual(DEFAULT_SETTINGS);
    const file = path.join(dir, 'bare.yaml');
    writeFileSync(file, 'subscriptions:\n  - {platform: console, channel: general}\n');
    expect(readSubscriptionsFile(file, PLATFORMS)[0]).toMatchObject(DEFAULT_SETTINGS);
  });

  it('are the options of subscribe, in order, after the channel it may name', () => {
    expect(findCommand('subscribe')!.options).toEqual([TARGET_CHANNEL_OPTION, ...SETTING_OPTIONS]);
    expect(SETTING_OPTIONS.map((o) => o.name)).toEqual(['time', 'tz', 'every', 'day', 'top', 'topics', 'min-upvotes', 'rank', 'arxiv', 'threads', 'publish']);
  });

  it('are shown by their declared labels, then the status', async () => {
    await dispatch(invocation('subscribe', { rank: 'popular' }), t.svc);
    const fields = subscriptionFields((await t.svc.store.subscriptions.get('console:general'))!);
    const declared = Object.values(SETTINGS).flatMap((s) => ('display' in s ? [s.display.label] : []));
    expect(fields.map((f) => f.label)).toEqual([...declared, 'Status']);
    expect(fields).toContainEqual({ label: 'Ranking', value: 'popular (by upvotes)' });
    expect(textOf(await dispatch(invocation('settings'), t.svc))).toContain('Ranking: popular (by upvotes)');
  });

  it('make the selection cache key exactly when they rank', () => {
    // Typed by field, so a new setting needs a value here too.
    const changed: CompleteSettings = {
      time: '10:00',
      timezone: 'Europe/Berlin',
      every: 'week',
      weekDay: 'fri',
      top: 3,
      topics: ['llm'],
      minUpvotes: 2,
      rank: 'popular',
      arxiv: ['cs.LG'],
      threads: true,
      publish: true,
    };
    for (const [field, setting] of Object.entries(SETTINGS) as [keyof CompleteSettings, (typeof SETTINGS)[keyof CompleteSettings]][]) {
      const before = settingsKey(DEFAULT_SETTINGS);
      const after = settingsKey({ ...DEFAULT_SETTINGS, [field]: changed[field] });
      expect(after !== before, `${field} ranks: ${setting.ranks}`).toBe(setting.ranks);
    }
    // Absent optional settings count as their defaults.
    const { rank: _rank, arxiv: _arxiv, ...required } = DEFAULT_SETTINGS;
    expect(settingsKey(required)).toBe(settingsKey(DEFAULT_SETTINGS));
  });
});
