import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors';
import { readSubscriptionsFile, syncConfigSubscriptions } from '../../src/schedule/config-file';
import { openTestStore } from '../helpers/stores';
import { repoRoot } from '../helpers/fixtures';
import { log, subscription } from './harness';
import { ADAPTERS } from '../../adapters/index';

/** The platforms a subscriptions file may name: the adapters' ids. */
const PLATFORMS = ADAPTERS.map((a) => a.id);

const dir = mkdtempSync(path.join(tmpdir(), 'papers-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(text: string): string {
  const f = path.join(dir, `s${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(f, text);
  return f;
}

function errorOf(f: string): string {
  try {
    readSubscriptionsFile(f, PLATFORMS);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('subscriptions file', () => {
  it('reads the example file shipped in config/', () => {
    const subs = readSubscriptionsFile(path.join(repoRoot, 'config/subscriptions.example.yaml'), PLATFORMS);
    expect(subs).toEqual([
      expect.objectContaining({
        platform: 'discord',
        workspaceId: '1180000000000000000',
        channelId: '1180000000000000001',
        time: '09:00',
        timezone: 'Europe/Berlin',
        top: 5,
        topics: ['agents', 'reasoning', '-crypto'],
        minUpvotes: 0,
        rank: 'balanced',
        threads: true,
        publish: false,
        every: 'day',
        origin: 'config',
      }),
      expect.objectContaining({
        platform: 'slack',
        workspaceId: 'T0123ABCD',
        channelId: 'C0123ABCD',
        time: '08:30',
        timezone: 'America/New_York',
        every: 'weekday',
        top: 3,
        topics: [],
        minUpvotes: 10,
      }),
    ]);
  });

  it('names the file, line and path of what is wrong, and what is expected', () => {
    const f = file(
      'subscriptions:\n  - platform: console\n    channel: a\n    time: "09:00"\n    tz: UTC\n  - platform: console\n    channel: b\n    time: "25:00"\n    tz: UTC\n',
    );
    expect(errorOf(f)).toBe(`${f}:8:11: subscriptions[1]: time must be HH:MM from 00:00 to 23:59, e.g. 09:00`);

    const zone = file('subscriptions:\n  - platform: slack\n    channel: C1\n    time: "09:00"\n    tz: Mars/Olympus\n');
    expect(errorOf(zone)).toBe(
      `${zone}:5:9: subscriptions[0]: Unknown time zone "Mars/Olympus". Use an IANA zone such as Europe/Berlin, America/New_York or UTC.`,
    );

    const number = file('subscriptions:\n  - platform: slack\n    channel: C1\n    time: 900\n    tz: UTC\n');
    expect(errorOf(number)).toMatch(/:4:11: subscriptions\[0\]: time must be HH:MM from 00:00 to 23:59, e\.g\. 09:00$/);

    const missing = file('subscriptions:\n  - platform: slack\n    time: "09:00"\n    tz: UTC\n');
    expect(errorOf(missing)).toMatch(/:2:5: subscriptions\[0\]\.channel: expected a channel id/);

    const extra = file('subscriptions:\n  - platform: slack\n    channel: C1\n    time: "09:00"\n    tz: UTC\n    colour: red\n');
    expect(errorOf(extra)).toMatch(/:2:5: subscriptions\[0\]: unknown key "colour"$/);

    const topics = file('subscriptions:\n  - platform: slack\n    channel: C1\n    time: "09:00"\n    tz: UTC\n    topics: ["llm", "<script>"]\n');
    expect(errorOf(topics)).toMatch(/:6:13: subscriptions\[0\]: topics: "<script>" is not a topic/);

    const dup = file(
      'subscriptions:\n  - {platform: slack, channel: C1, time: "09:00", tz: UTC}\n  - {platform: slack, channel: C1, time: "10:00", tz: UTC}\n',
    );
    expect(errorOf(dup)).toBe(`${dup}:3:5: subscriptions[1]: channel slack:C1 is already subscribed by subscriptions[0]`);
  });

  it('reports broken YAML, a wrong shape, and a missing file in one line', () => {
    const broken = file('subscriptions:\n  - platform: slack\n   channel: [C1\n');
    expect(errorOf(broken)).toMatch(new RegExp(`^${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: invalid YAML: [^\\n]+$`));
    expect(errorOf(file('- platform: slack\n'))).toMatch(/:1:1: expected a mapping with a "subscriptions:" list$/);
    expect(errorOf(file('subscriptions: 3\n'))).toMatch(/:1:16: subscriptions: expected a list of subscriptions$/);
    expect(errorOf(path.join(dir, 'nope.yaml'))).toMatch(/nope\.yaml: cannot read the subscriptions file \(ENOENT\)$/);
  });

  it('syncs into the store: config entries replace command ones for the same channel; removed entries go', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    try {
      await store.subscriptions.upsert(subscription('a', { time: '07:00' }));
      await store.subscriptions.upsert(subscription('kept'));
      const f = file(
        'subscriptions:\n  - {platform: console, channel: a, time: "09:30", tz: Europe/Berlin}\n  - {platform: console, channel: b, time: "10:00", tz: UTC}\n',
      );
      await syncConfigSubscriptions(store, f, PLATFORMS, log);
      expect(await store.subscriptions.get('console:a')).toMatchObject({ origin: 'config', time: '09:30', timezone: 'Europe/Berlin' });

      writeFileSync(f, 'subscriptions:\n  - {platform: console, channel: a, time: "09:30", tz: Europe/Berlin}\n');
      expect(await syncConfigSubscriptions(store, f, PLATFORMS, log)).toEqual({ upserted: 1, removed: 1 });
      expect(await store.subscriptions.get('console:b')).toBeNull();
      // Subscriptions made with /papers subscribe are not the file's to remove.
      expect(await store.subscriptions.get('console:kept')).toMatchObject({ origin: 'command' });
    } finally {
      await cleanup();
    }
  });
});
