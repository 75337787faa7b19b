import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBotConfig } from '../../adapters/index';
import { slackAdapter } from '../../adapters/slack/index';
import { hostAdapter, type HostedAdapter } from '../helpers/host';
import type { Services } from '../../src/chat/command';
import { createLogger } from '../../src/log';
import { readFixture } from '../helpers/fixtures';
import { openTestStore } from '../helpers/stores';
import { bundledPapers } from '../commands/services';
import { sendToBot, startFakeSlack, type FakeSlack } from '../fakes/slack';
import { drillLine } from './report';
import { sqliteFingerprint } from './store-dump';

/**
 * Drill: hostile and broken Slack requests through the real Bolt app on loopback. A replayed old
 * request (validly signed, years ago) and payloads with fields missing are answered 2xx or 4xx,
 * never crash the app, and store nothing.
 */

const signed = JSON.parse(readFixture('platform/slack-slash-command.signature.json')) as { signing_secret: string; headers: Record<string, string> };
const SECRET = signed.signing_secret;
const rawCommand = readFixture('platform/slack-slash-command.txt');
const slashCommand = Object.fromEntries(new URLSearchParams(rawCommand));
const reactionAdded = JSON.parse(readFixture('platform/slack-reaction-added.json')) as Record<string, any>;

let fake: FakeSlack;
let slack: HostedAdapter;
let url: string;
let dbUrl: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  fake = await startFakeSlack();
  const db = await openTestStore('sqlite');
  dbUrl = db.url;
  cleanup = db.cleanup;
  await db.store.papers.upsert(bundledPapers(), new Date('2025-10-16T10:00:00Z'));
  const config = loadBotConfig({ SLACK_BOT_TOKEN: 'xoxb-drill', SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fake.apiUrl }, '/nonexistent');
  const log = createLogger({ level: 'silent' });
  const services: Services = {
    store: db.store,
    config,
    log,
    now: () => new Date('2025-10-16T10:00:00Z'),
    sourceStatus: () => ({ lastSuccessAt: null, lastError: null, note: null }),
  };
  slack = await hostAdapter(slackAdapter, services);
  url = slack.url('/slack/events');
});

afterAll(async () => {
  await slack?.stop();
  await fake?.close();
  await cleanup?.();
});

describe('drill slack-replay', () => {
  it("Slack's own validly signed request from 2018, replayed byte for byte, is refused and changes nothing", async () => {
    const before = sqliteFingerprint(dbUrl);
    const headers = Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v]));
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await fetch(url, { method: 'POST', headers, body: rawCommand })).status);
    // The same bytes re-signed now, but as a subscribe from someone else: the signature no longer matches.
    const tampered = rawCommand.replace('text=', 'text=subscribe');
    statuses.push((await fetch(url, { method: 'POST', headers, body: tampered })).status);
    expect(statuses.every((s) => s === 401)).toBe(true);
    expect(fake.responses).toHaveLength(0);
    expect(sqliteFingerprint(dbUrl)).toBe(before);
    drillLine(
      'slack-replay',
      `${statuses.length - 1} replays of a validly signed 2018 request and 1 tampered copy: all 401, 0 responses sent, store unchanged`,
    );
  });
});

describe('drill slack-missing-fields', () => {
  it('slash commands and events with any field missing or empty: 2xx or 4xx, the app keeps serving, nothing stored', async () => {
    // Answers that carry papers are recorded in posts (so reactions resolve); what users own must not change.
    const owned = ['subscriptions', 'bookmarks', 'papers', 'deliveries'];
    const before = sqliteFingerprint(dbUrl, owned);
    const statuses = new Map<number, number>();
    const count = (s: number) => statuses.set(s, (statuses.get(s) ?? 0) + 1);
    // A subscribe from a user who may not manage the channel would still write if a missing field
    // confused the permission check; with SLACK_ADMINS unset anyone may, so use a read-only command.
    const base = { ...slashCommand, command: '/papers', text: 'today', response_url: fake.responseUrl('missing') };
    for (const field of Object.keys(base)) {
      for (const variant of ['drop', 'empty'] as const) {
        const form: Record<string, string> = { ...base };
        if (variant === 'drop') delete form[field];
        else form[field] = '';
        const res = await sendToBot(url, SECRET, { form });
        count(res.status);
        // Without a command Bolt has no listener to route to (404); anything else is still acked.
        expect(res.status, `${variant} ${field}`).toBe(field === 'command' ? 404 : 200);
      }
    }
    const serverErrors: string[] = [];
    const event = reactionAdded.event as Record<string, any>;
    const eventVariants: Record<string, unknown>[] = [
      ...Object.keys(reactionAdded).map((k) => Object.fromEntries(Object.entries(reactionAdded).filter(([key]) => key !== k))),
      ...Object.keys(event).map((k) => ({ ...reactionAdded, event: Object.fromEntries(Object.entries(event).filter(([key]) => key !== k)) })),
      ...Object.keys(event.item as object).map((k) => ({
        ...reactionAdded,
        event: { ...event, item: Object.fromEntries(Object.entries(event.item as object).filter(([key]) => key !== k)) },
      })),
      { ...reactionAdded, event: null },
      { ...reactionAdded, event: { ...event, item: null } },
      {},
    ];
    for (const json of eventVariants) {
      const res = await sendToBot(url, SECRET, { json });
      count(res.status);
      if (res.status >= 500) serverErrors.push(JSON.stringify(json).slice(0, 200));
    }
    // Known: both fail inside Bolt before any listener runs (`event: null`, and `item: null`, which
    // Bolt's getTypeAndConversation reads as event.item.channel); Slack never sends either (both need
    // the signing secret), and the app keeps serving.
    expect(serverErrors.map((e) => (e.includes('"event":null') ? 'event null' : e.includes('"item":null') ? 'item null' : e))).toEqual([
      'event null',
      'item null',
    ]);
    const health = await fetch(slack.url('/healthz'));
    expect(health.status).toBe(200);
    expect(sqliteFingerprint(dbUrl, owned)).toBe(before);
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    drillLine(
      'slack-missing-fields',
      `${total} signed payloads with a field dropped or empty (slash command and reaction event): statuses ${[...statuses].map(([s, n]) => `${s}x${n}`).join(', ')}, 5xx only for ${serverErrors.length} shapes Slack never sends (event null, item null), app still healthy, subscriptions/bookmarks/papers unchanged`,
    );
  });
});
