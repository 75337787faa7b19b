import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadBotConfig } from '../../adapters/index';
import { slackAdapter } from '../../adapters/slack/index';
import type { Services } from '../../src/chat/command';
import { createLogger } from '../../src/log';
import { openStore } from '../../src/store/open';
import type { Store } from '../../src/store/types';
import { bundledPapers } from '../commands/services';
import { startFakeSlack, type FakeSlack } from '../fakes/slack';
import { readFixture, repoRoot } from '../helpers/fixtures';
import { hostAdapter, type HostedAdapter } from '../helpers/host';
import { testDatabase } from '../helpers/stores';
import { drillLine } from './report';

/**
 * Drill: another process holds SQLite's write lock while the bot works. A bookmark waiting for the
 * lock must not freeze the process (better-sqlite3's busy_timeout waits inside the call): a command
 * arriving meanwhile is answered while the lock is still held, and the bookmark lands once it is
 * released. The lock holder decides the order, so nothing here measures time.
 */

const SECRET = 'lock-drill-signing-secret';
const NOW = new Date('2025-10-15T08:00:00Z');
const reaction = JSON.parse(readFixture('platform/slack-reaction-added.json')) as {
  event: { user: string; reaction: string; item: { channel: string; ts: string } };
};
const command = Object.fromEntries(new URLSearchParams(readFixture('platform/slack-slash-command.txt')));

let fake: FakeSlack;
let store: Store;
let db: ReturnType<typeof testDatabase>;
let slack: HostedAdapter;

beforeAll(async () => {
  fake = await startFakeSlack();
  db = testDatabase('sqlite');
  store = await openStore(db.url);
  const paper = bundledPapers()[0]!;
  await store.papers.upsert([paper], NOW);
  await store.posts.record({
    platform: 'slack',
    channelId: reaction.event.item.channel,
    messageId: reaction.event.item.ts,
    paperIds: [paper.id],
    kind: 'digest',
    deliveryId: null,
    postedAt: NOW,
  });
  const config = loadBotConfig({ SLACK_BOT_TOKEN: 'xoxb-lock', SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fake.apiUrl }, '/nonexistent');
  const services: Services = {
    store,
    config,
    log: createLogger({ level: 'silent' }),
    now: () => NOW,
    sourceStatus: () => ({ lastSuccessAt: NOW, lastError: null, note: null }),
  };
  slack = await hostAdapter(slackAdapter, services);
});

afterAll(async () => {
  await slack?.stop();
  await store?.close();
  await fake?.close();
  await db?.cleanup();
});

it('answers a command while another process holds the write lock; the waiting bookmark lands after', async () => {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(repoRoot, 'test/drills/lock-holder-child.ts'),
      db.url.replace(/^sqlite:/, ''),
      slack.url('/slack/events'),
      SECRET,
      JSON.stringify({ ...reaction, event: { ...reaction.event, reaction: 'bookmark' } }),
      new URLSearchParams({ ...command, command: '/papers', text: 'help' }).toString(),
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines: string[] = [];
  for await (const line of createInterface({ input: child.stdout })) lines.push(line);

  expect(lines).toEqual(['locked', 'answered', 'released']);
  await expect.poll(() => store.bookmarks.list('slack', reaction.event.user)).toHaveLength(1);
  drillLine('sqlite-lock', 'write lock held by another process: the command was answered while it was held, the waiting bookmark landed after');
});
