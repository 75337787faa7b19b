import { createHash } from 'node:crypto';
import { DiscordAPIError, Routes, type REST } from 'discord.js';
import type { DigestPoster, PostTarget } from '../../src/chat/poster';
import { PostError } from '../../src/chat/poster';
import type { Reply } from '../../src/chat/reply';
import { errorMessage } from '../../src/errors';
import { renderReply, toRestBody } from './render';

/** Discord's nonce is at most 25 characters, so the idempotency key is hashed down to one. */
export function nonceFor(idempotencyKey: string): string {
  return createHash('sha256').update(idempotencyKey).digest('base64url').slice(0, 25);
}

/**
 * Posts digest messages through REST, which needs no gateway connection: under the sharding
 * manager the one fan-out can reach every channel whichever shard owns it. With enforce_nonce,
 * Discord answers a re-send of the same nonce with the message it already created, so a post
 * repeated after a crash shows once.
 */
export function createDiscordPoster(rest: REST): DigestPoster {
  return {
    platform: 'discord',
    async post(target: PostTarget, message: Reply, idempotencyKey: string) {
      const { body, files } = toRestBody(renderReply(message));
      try {
        const created = (await rest.post(Routes.channelMessages(target.channelId), {
          body: { ...body, nonce: nonceFor(idempotencyKey), enforce_nonce: true },
          files,
        })) as { id: string };
        return { messageId: created.id };
      } catch (err) {
        // 403 (Missing Access/Permissions) and 404 (Unknown Channel) will not heal by retrying.
        const permanent = err instanceof DiscordAPIError && (err.status === 403 || err.status === 404);
        throw new PostError(`Discord channel ${target.channelId}: ${errorMessage(err)}`, permanent);
      }
    },
  };
}
