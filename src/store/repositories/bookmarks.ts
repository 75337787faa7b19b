import type { StoreDb } from '../db';
import { paperColumns, paperFromRow } from '../rows';
import type { BookmarkRepository } from '../types';

export function bookmarkRepository(db: StoreDb): BookmarkRepository {
  const { kysely } = db;
  return {
    async add(b) {
      const added = await kysely
        .insertInto('bookmarks')
        .values({ platform: b.platform, user_id: b.userId, paper_id: b.paperId, message_id: b.messageId, created_at: b.at.toISOString() })
        .onConflict((oc) => oc.columns(['platform', 'user_id', 'paper_id']).doNothing())
        .returning('paper_id')
        .executeTakeFirst();
      return added !== undefined;
    },

    async remove(platform, userId, paperId) {
      const res = await kysely
        .deleteFrom('bookmarks')
        .where('platform', '=', platform)
        .where('user_id', '=', userId)
        .where('paper_id', '=', paperId)
        .executeTakeFirst();
      return res.numDeletedRows > 0n;
    },

    async removeAll(platform, userId) {
      const res = await kysely.deleteFrom('bookmarks').where('platform', '=', platform).where('user_id', '=', userId).executeTakeFirst();
      return Number(res.numDeletedRows);
    },

    async list(platform, userId) {
      const rows = await kysely
        .selectFrom('bookmarks as b')
        .innerJoin('papers', 'papers.id', 'b.paper_id')
        .select(paperColumns.map((c) => `papers.${c}` as const))
        .select(['b.created_at as bookmarked_at', 'b.message_id as bookmarked_from'])
        .where('b.platform', '=', platform)
        .where('b.user_id', '=', userId)
        .orderBy('b.created_at')
        .orderBy('b.paper_id')
        .execute();
      return rows.map((r) => ({ paper: paperFromRow(r), createdAt: new Date(r.bookmarked_at), messageId: r.bookmarked_from }));
    },

    /**
     * Papers people bookmarked from messages the bot posted in this channel (digests and answers),
     * each once, by id. Bookmarks keep the message, and posts know its channel.
     */
    async channelPapers(platform, channelId) {
      const rows = await kysely
        .selectFrom('bookmarks as b')
        .innerJoin('posts as p', (j) => j.onRef('p.platform', '=', 'b.platform').onRef('p.message_id', '=', 'b.message_id'))
        .innerJoin('papers', 'papers.id', 'b.paper_id')
        .select(paperColumns.map((c) => `papers.${c}` as const))
        .distinct()
        .where('b.platform', '=', platform)
        .where('p.channel_id', '=', channelId)
        .orderBy('papers.id')
        .execute();
      return rows.map(paperFromRow);
    },
  };
}
