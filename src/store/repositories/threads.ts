import type { StoreDb } from '../db';
import { threadFromRow } from '../rows';
import type { ClaimOwner, ThreadRepository } from '../types';

const ownerColumns = (owner: ClaimOwner) => ({ owner_host: owner.host, owner_pid: owner.pid });

export function threadRepository(db: StoreDb): ThreadRepository {
  const { kysely } = db;
  const at = (p: { platform: string; channelId: string; messageId: string }) => ({ platform: p.platform, channel_id: p.channelId, message_id: p.messageId });

  async function find(platform: string, channelId: string, messageId: string) {
    const row = await kysely
      .selectFrom('threads')
      .selectAll()
      .where('platform', '=', platform)
      .where('channel_id', '=', channelId)
      .where('message_id', '=', messageId)
      .executeTakeFirst();
    return row ? threadFromRow(row) : null;
  }

  return {
    async claim(c) {
      const claimedAt = c.now.toISOString();
      const inserted = await kysely
        .insertInto('threads')
        .values({ ...at(c), paper_id: c.paperId, thread_id: null, claimed_at: claimedAt, opened_at: null, ...ownerColumns(c.owner) })
        .onConflict((oc) => oc.doNothing())
        .returning('claimed_at')
        .executeTakeFirst();
      if (inserted) return { won: true, takenOver: false, claimedAt: c.now };

      const current = await find(c.platform, c.channelId, c.messageId);
      // Released between the insert and the read: whoever inserts next decides; this caller lets it be.
      if (!current)
        return {
          won: false,
          thread: {
            platform: c.platform,
            channelId: c.channelId,
            messageId: c.messageId,
            paperId: c.paperId,
            threadId: null,
            claimedAt: c.now,
            owner: c.owner,
          },
        };
      const abandoned = c.now.getTime() - current.claimedAt.getTime() >= c.staleAfterMs || (current.owner !== null && c.ownerIsGone(current.owner));
      if (current.threadId !== null || !abandoned) return { won: false, thread: current };
      const taken = await kysely
        .updateTable('threads')
        .set({ claimed_at: claimedAt, paper_id: c.paperId, ...ownerColumns(c.owner) })
        .where('platform', '=', c.platform)
        .where('channel_id', '=', c.channelId)
        .where('message_id', '=', c.messageId)
        .where('thread_id', 'is', null)
        .where('claimed_at', '=', current.claimedAt.toISOString())
        .executeTakeFirst();
      if (taken.numUpdatedRows > 0n) return { won: true, takenOver: true, claimedAt: c.now };
      return { won: false, thread: (await find(c.platform, c.channelId, c.messageId)) ?? current };
    },

    async opened(o) {
      await kysely
        .updateTable('threads')
        .set({ thread_id: o.threadId, opened_at: o.now.toISOString() })
        .where('platform', '=', o.platform)
        .where('channel_id', '=', o.channelId)
        .where('message_id', '=', o.messageId)
        .where('thread_id', 'is', null)
        .where('claimed_at', '=', o.claimedAt.toISOString())
        .execute();
    },

    async release(r) {
      await kysely
        .deleteFrom('threads')
        .where('platform', '=', r.platform)
        .where('channel_id', '=', r.channelId)
        .where('message_id', '=', r.messageId)
        .where('thread_id', 'is', null)
        .where('claimed_at', '=', r.claimedAt.toISOString())
        .execute();
    },

    find,
  };
}
