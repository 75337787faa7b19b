import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CannotMessageUser, PostError, type DigestPoster, type DirectRecipient, type PostTarget } from '../../src/chat/poster';
import type { Platform } from '../../src/chat/command';
import type { Reply } from '../../src/chat/reply';
import { papersOf } from '../../src/chat/reply';
import { loadBotConfig } from '../../adapters/index';
import type { AppConfig } from '../../src/config/schema';
import { createLogger } from '../../src/log';
import { parseListing } from '../../src/parse';
import type { Store, SubscriptionInput } from '../../src/store/types';
import { repoRoot } from '../helpers/fixtures';
import { DEFAULT_SETTINGS } from '../../src/subscriptions/settings';

/** What the scheduler tests share: a real listing, quiet logs, and a fake platform that records. */

export const log = createLogger({ level: 'silent' });

/** The bundled real Daily Papers list of 2025-10-14 (39 papers). */
export const realPapers = parseListing(readFileSync(path.join(repoRoot, 'src/sources/bundled/hf-daily-papers-2025-10-14.json'), 'utf8')).papers;
export const LIST_DATE = '2025-10-14';

export function testConfig(schedule: Partial<AppConfig['schedule']> = {}): AppConfig {
  const config = loadBotConfig({}, '/nonexistent');
  return { ...config, schedule: { ...config.schedule, ...schedule } };
}

export function subscription(channelId: string, over: Partial<SubscriptionInput> = {}): SubscriptionInput {
  return { platform: 'console', workspaceId: null, channelId, ...DEFAULT_SETTINGS, top: 3, origin: 'command', createdBy: 'test', ...over };
}

/**
 * Milliseconds from `iso` to `at`. On a fake clock that fakes setImmediate (as the scheduler tests'
 * does), each event-loop turn a delivery waits for (a group commit, a store slice) is 1 ms, so a post
 * made "at" its time shows a few ms after it.
 */
export const msAfter = (at: Date, iso: string) => at.getTime() - Date.parse(iso);

export async function seed(store: Store, subs: SubscriptionInput[]): Promise<void> {
  await store.papers.upsert(realPapers, new Date('2025-10-14T08:00:00Z'));
  await Promise.all(subs.map((s) => store.subscriptions.upsert(s)));
}

export interface Shown {
  channelId: string;
  messageId: string;
  key: string;
  paperIds: string[];
  text: string;
  /** Each paper's stated reason ("follows: …"), in order; null where a paper block gives none. */
  reasons: (string | null)[];
  /** When it was sent (the faked clock in cron tests). */
  at: Date;
}

/**
 * A chat platform in memory. Like Discord's nonce, a re-send with the same idempotency key shows
 * nothing new and returns the first message id. `calls` counts every send, re-sends included.
 */
/** The reasons a message gives for its papers, in order. */
function reasonsOf(message: Reply): (string | null)[] {
  return message.blocks.flatMap((b) => (b.kind === 'papers' ? b.items.map((i) => i.reason) : b.kind === 'paper' ? [b.reason ?? null] : []));
}

export class RecordingPoster implements DigestPoster {
  readonly shown: Shown[] = [];
  readonly calls = new Map<string, number>();
  /** Channels that always fail permanently (deleted, no access). */
  readonly gone = new Set<string>();
  /** Channels that fail transiently this many more times. */
  readonly flaky = new Map<string, number>();
  /** Users whose direct messages are closed: a send to them fails as the platforms say. */
  readonly closedDms = new Set<string>();
  /** Users a DM conversation was opened with, in order. */
  readonly opened: string[] = [];
  /** Before the send with this number (1-based, counting all sends), the process "crashes": the send never returns. */
  crashBeforeSend: number | null = null;
  /** After the send with this number (1-based) is shown, the process "crashes": the send never returns, nothing records it. */
  crashAfterSend: number | null = null;
  /** Runs after the send with this number (1-based) has been shown. */
  afterSend: { n: number; run: () => Promise<void> } | null = null;
  private sends = 0;
  private byKey = new Map<string, string>();

  constructor(readonly platform: Platform = 'console') {}

  /** Keys sent with maybeSentBefore: false, i.e. promised to be new. */
  readonly sentAsNew: string[] = [];

  /** A DM conversation is the channel `dm:<user>`. */
  async openDirect({ workspaceId, userId }: DirectRecipient): Promise<PostTarget> {
    this.opened.push(userId);
    return { platform: this.platform, workspaceId, channelId: `dm:${userId}`, userId };
  }

  async post(
    target: PostTarget,
    message: Reply,
    key: string,
    { maybeSentBefore } = { maybeSentBefore: true },
  ): Promise<{ messageId: string; found?: boolean }> {
    this.sends++;
    if (target.userId && this.closedDms.has(target.userId)) throw new CannotMessageUser(target.userId, 'DMs closed');
    this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
    if (!maybeSentBefore) this.sentAsNew.push(key);
    if (this.crashBeforeSend === this.sends) return new Promise(() => {});
    if (this.gone.has(target.channelId)) throw new PostError(`channel ${target.channelId} not found`, true);
    const flaky = this.flaky.get(target.channelId) ?? 0;
    if (flaky > 0) {
      this.flaky.set(target.channelId, flaky - 1);
      throw new PostError('503 service unavailable', false);
    }
    // Like Slack's poster, the earlier send is looked for only when one may exist: a wrong promise shows twice.
    const known = maybeSentBefore ? this.byKey.get(key) : undefined;
    if (known) return { messageId: known, found: true };
    const messageId = `m${this.shown.length + 1}`;
    this.byKey.set(key, messageId);
    this.shown.push({
      channelId: target.channelId,
      messageId,
      key,
      paperIds: papersOf(message).map((p) => p.id),
      text: message.fallback,
      reasons: reasonsOf(message),
      at: new Date(),
    });
    if (this.crashAfterSend === this.sends) return new Promise(() => {});
    if (this.afterSend?.n === this.sends) await this.afterSend.run();
    return { messageId };
  }

  inChannel(channelId: string): Shown[] {
    return this.shown.filter((s) => s.channelId === channelId);
  }
}
