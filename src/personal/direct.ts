import { CannotMessageUser, PostError, type DigestPoster, type PostTarget } from '../chat/poster';
import type { Reply } from '../chat/reply';
import type { PersonalFeed, PostRecord, Store } from '../store/types';
import { errorMessage } from '../errors';
import { followsMatchingEach, type PaperMatch } from '../follows/match';
import { postWithRetry } from '../schedule/delivery';
import type { DeliveryRunOptions } from '../schedule/fanout';

/**
 * What personal digests and alerts share once their delivery is claimed: each direct message sent
 * with retry under its idempotency key and recorded as soon as it is posted; a failure recorded on
 * the delivery, and a platform that refuses direct messages pausing the person (one log line, no
 * retries, a note the next time they use the bot).
 */

/** Runs a store step; a personal digest runs its steps in the person's turn of the run (store-slots.ts). */
export type InTurn = <T>(work: () => Promise<T>) => Promise<T>;
const now: InTurn = (work) => work();

/**
 * The person's direct-message conversation: opened once, then kept in the store, so a restart,
 * another replica or `papers post-daily --users` sends without opening it again (Discord gives a
 * user the same DM channel for good; Slack's is the user's id, which costs no request).
 */
export async function directTarget(ctx: DeliveryRunOptions, poster: DigestPoster, feed: PersonalFeed, inTurn: InTurn = now): Promise<PostTarget> {
  const { platform, workspaceId, userId } = feed;
  if (feed.dmChannelId) return { platform, workspaceId, channelId: feed.dmChannelId, userId };
  const target = await poster.openDirect({ workspaceId, userId });
  await inTurn(() => ctx.store.personal.setDirectChannel(platform, userId, target.channelId));
  return target;
}

export interface DirectMessage {
  reply: Reply;
  /** The message's idempotency key, unique within the delivery. */
  key: string;
  paperIds: string[];
  kind: PostRecord['kind'];
}

/**
 * Sends one direct message and records it. `resumed`: the delivery was cut short before, which
 * recorded no message as about to be sent, so this one may be there already.
 */
export async function sendDirect(
  ctx: DeliveryRunOptions,
  poster: DigestPoster,
  target: PostTarget,
  msg: DirectMessage,
  delivery: { id: string; resumed: boolean },
  inTurn: InTurn = now,
): Promise<void> {
  const posted = await postWithRetry(
    { log: ctx.log, retryDelayMs: ctx.retryDelayMs ?? 1000, now: ctx.now },
    poster,
    target,
    msg.reply,
    `${delivery.id}:${msg.key}`,
    delivery.resumed ? 'unknown' : null,
  );
  // A direct message always takes a message; null is for forums.
  if (!posted) throw new PostError(`${target.platform} took no direct message for ${delivery.id}`, false);
  await inTurn(() =>
    ctx.store.posts.record({
      platform: target.platform,
      // Where the message lives: a Slack DM sent to the user's id is in their IM channel.
      channelId: posted.channelId ?? target.channelId,
      messageId: posted.messageId,
      paperIds: msg.paperIds,
      kind: msg.kind,
      deliveryId: delivery.id,
      postedAt: ctx.now(),
    }),
  );
}

export interface DirectFailure {
  outcome: 'paused' | 'failed';
  detail: string;
  /** A failure the platform will repeat (the conversation is gone). */
  permanent: boolean;
}

/** Records the delivery as failed; a person the platform refuses direct messages to is paused. */
export async function failDirect(
  ctx: DeliveryRunOptions,
  feed: PersonalFeed,
  deliveryId: string,
  err: unknown,
  what: 'personal digest' | 'alert',
  inTurn: InTurn = now,
): Promise<DirectFailure> {
  const message = errorMessage(err);
  await inTurn(() => ctx.store.deliveries.finish(deliveryId, ctx.owner, { state: 'failed', error: message }, ctx.now()));
  if (err instanceof CannotMessageUser) {
    const { reason } = err;
    // Logged by the run that paused them, once, not by every run that finds them paused.
    if (await inTurn(() => ctx.store.personal.pause(feed.platform, feed.userId, reason)))
      ctx.log.warn({ platform: feed.platform, userId: feed.userId, reason }, 'personal delivery paused: the platform refuses direct messages to this user');
    return { outcome: 'paused', detail: reason, permanent: true };
  }
  const permanent = err instanceof PostError && err.permanent;
  ctx.log.warn({ deliveryId, err: message, permanent }, `${what} failed`);
  return { outcome: 'failed', detail: message, permanent };
}

/** A plan an earlier (crashed) run fixed, in its order, with the follows each paper matches now. */
export async function resumeMatches(store: Store, feed: PersonalFeed, plan: string[]): Promise<PaperMatch[]> {
  const [papers, follows] = await Promise.all([store.papers.getMany(plan), store.follows.list(feed.platform, feed.userId)]);
  const matched = followsMatchingEach(papers, follows);
  return papers.map((paper) => ({ paper, follows: matched.get(paper) ?? [] }));
}
