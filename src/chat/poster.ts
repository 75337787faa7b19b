import type { Platform } from './command';
import type { Reply } from './reply';
import type { ThreadOpener } from './threads';

/** Where a daily digest goes. */
export interface PostTarget {
  platform: Platform;
  workspaceId: string | null;
  channelId: string;
  /** Publish (crosspost) each message to the servers that follow the channel, where it is an announcement channel. */
  publish?: boolean;
  /** Set when the channel is a user's direct messages (openDirect): whom they go to. */
  userId?: string;
}

/** Whom a direct message goes to: the user, in the workspace (Slack team, Discord server) the bot knows them from. */
export interface DirectRecipient {
  workspaceId: string | null;
  userId: string;
}

/** A message a poster sent. */
export interface PostedMessage {
  /** Discord message id, Slack ts, console message number. */
  messageId: string;
  /** Where the message lives when that is not the target channel: a forum post is a thread of its own. */
  channelId?: string;
  /** An earlier send of the same key was found in the channel: nothing was sent now. */
  found?: boolean;
}

/**
 * Sends daily-digest messages to one platform. Implemented by each adapter; used by the scheduler,
 * which never imports a platform library.
 */
export interface DigestPoster {
  platform: Platform;
  /**
   * Posts one message and says where it went; null when the channel takes no such message (a
   * forum takes papers, each as a post of its own, and no header).
   * Idempotent per idempotencyKey: a re-send after a crash must not show the message twice
   * (Discord: nonce + enforce_nonce, a forum post looked up among the forum's threads; Slack:
   * message metadata checked in recent history).
   * `maybeSentBefore: false` (the first send of a delivery planned by this run) says no earlier
   * send of the key can exist, so a poster may skip looking for one (Slack's history read is slow
   * and tightly rate-limited). `since`: when the earlier send may have happened at the earliest, so
   * a search of the channel goes back that far (and no further). Throws PostError.
   */
  post(target: PostTarget, message: Reply, idempotencyKey: string, opts?: { maybeSentBefore: boolean; since?: Date }): Promise<PostedMessage | null>;
  /** Opens the discussion thread of a posted message (subscriptions with `threads on`); absent where the platform has none. */
  threads?: ThreadOpener;
  /**
   * The direct-message conversation with a user, where personal digests and alerts go: `post` sends
   * to the target it returns like to any channel, with the same idempotency. Discord opens (or finds)
   * the DM channel; Slack posts to the user's id, which chat.postMessage takes as their IM (scope
   * im:write), and the message's PostedMessage.channelId names the IM. Throws PostError, and
   * CannotMessageUser when the platform says the user cannot be messaged (here or at the send).
   */
  openDirect(user: DirectRecipient): Promise<PostTarget>;
}

/** A failed post. permanent: the channel is gone or closed to us (retrying will not help). */
export class PostError extends Error {
  override name = 'PostError';
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

/**
 * A direct message the platform refuses for good: the user closed their DMs, left every server the
 * bot shares, was deactivated, or is a bot. Retrying will not help; their personal delivery pauses.
 */
export class CannotMessageUser extends PostError {
  override name = 'CannotMessageUser';
  constructor(
    readonly userId: string,
    readonly reason: string,
  ) {
    super(`cannot send a direct message to user ${userId}: ${reason}`, true);
  }
}
