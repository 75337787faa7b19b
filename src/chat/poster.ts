import type { Platform } from './command';
import type { Reply } from './reply';

/** Where a daily digest goes. */
export interface PostTarget {
  platform: Platform;
  workspaceId: string | null;
  channelId: string;
}

/**
 * Sends daily-digest messages to one platform. Implemented by each adapter; used by the scheduler,
 * which never imports a platform library.
 */
export interface DigestPoster {
  platform: Platform;
  /**
   * Posts one message and returns its id (Discord message id, Slack ts).
   * Idempotent per idempotencyKey: a re-send after a crash must not show the message twice
   * (Discord: nonce + enforce_nonce; Slack: message metadata checked in recent history).
   * `maybeSentBefore: false` (the first send of a delivery planned by this run) says no earlier
   * send of the key can exist, so a poster may skip looking for one (Slack's history read is slow
   * and tightly rate-limited). Throws PostError.
   */
  post(target: PostTarget, message: Reply, idempotencyKey: string, opts?: { maybeSentBefore: boolean }): Promise<{ messageId: string }>;
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
