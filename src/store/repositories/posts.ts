import { sql } from 'kysely';
import type { Platform } from '../../chat/command';
import { chunks, INSERT_CHUNK, type Executor, type StoreDb } from '../db';
import { firstOfEach, groupCommit, perTurn } from '../group-commit';
import type { PostsTable } from '../tables';
import type { PostRecord, PostRepository } from '../types';

interface PostedAsk {
  platform: Platform;
  channelId: string;
  since: Date;
}

/** The posts repository, and how the store's close() writes the posts still waiting for their group commit. */
export function postRepository(db: StoreDb): { posts: PostRepository; commitPending(): Promise<void> } {
  const { kysely } = db;
  const recorded = groupCommit(db, async (tx, posts: PostRecord[]) => {
    await insertPosts(tx, posts);
    return posts.map(() => undefined);
  });

  /**
   * The papers posted recently in each asked channel, in one query per platform and 500 channels:
   * a fan-out's channels each ask before their first message, and building a query per channel was
   * a large part of that start.
   */
  const postedReads = perTurn(async (asks: PostedAsk[]) => {
    const found = new Map<string, { paperId: string; postedAt: string }[]>();
    const keyOf = (platform: string, channelId: string) => `${platform} ${channelId}`;
    for (const platform of new Set(asks.map((a) => a.platform))) {
      const mine = asks.filter((a) => a.platform === platform);
      const since = new Date(Math.min(...mine.map((a) => a.since.getTime()))).toISOString();
      for (const part of chunks([...new Set(mine.map((a) => a.channelId))])) {
        const rows = await kysely
          .selectFrom('posts')
          .select(['channel_id', 'paper_ids', 'posted_at'])
          .where('platform', '=', platform)
          .where('channel_id', 'in', part)
          // A literal, so both engines see at planning time that the digest posts' index applies.
          .where('kind', '=', sql.lit('digest'))
          .where('posted_at', '>=', since)
          .execute();
        for (const r of rows) {
          const key = keyOf(platform, r.channel_id);
          const list = found.get(key) ?? [];
          for (const paperId of paperIdsOf(r)) list.push({ paperId, postedAt: r.posted_at });
          found.set(key, list);
        }
      }
    }
    return asks.map((a) => {
      const since = a.since.toISOString();
      return new Set((found.get(keyOf(a.platform, a.channelId)) ?? []).filter((r) => r.postedAt >= since).map((r) => r.paperId));
    });
  });

  const posts: PostRepository = {
    /**
     * Recording the same message twice (a retried send) keeps the first record. Posts recorded in
     * the same turn of the event loop share one transaction (group-commit.ts), and every caller
     * still resolves only once its post is durable.
     */
    record: recorded.add,

    async find(platform, channelId, messageId) {
      const row = await kysely
        .selectFrom('posts')
        .selectAll()
        .where('platform', '=', platform)
        .where('channel_id', '=', channelId)
        .where('message_id', '=', messageId)
        .executeTakeFirst();
      return row ? postFromRow(row) : null;
    },

    /** Asks of the same turn (a fan-out planning its channels) are read together (postedReads). */
    paperIdsPostedInChannel: (platform, channelId, since) => postedReads.add({ platform, channelId, since }),

    async forDelivery(deliveryId) {
      const rows = await kysely.selectFrom('posts').selectAll().where('delivery_id', '=', deliveryId).orderBy('posted_at').orderBy('message_id').execute();
      return rows.map(postFromRow);
    },
  };
  return { posts, commitPending: recorded.flush };
}

/** A post's papers, stored as a JSON array of ids (written only by insertPosts). */
function paperIdsOf(row: Pick<PostsTable, 'paper_ids'>): string[] {
  return JSON.parse(row.paper_ids) as string[];
}

function postFromRow(row: PostsTable): PostRecord {
  return {
    platform: row.platform as Platform,
    channelId: row.channel_id,
    messageId: row.message_id,
    paperIds: paperIdsOf(row),
    kind: row.kind as PostRecord['kind'],
    deliveryId: row.delivery_id,
    postedAt: new Date(row.posted_at),
  };
}

/**
 * Inserts posts not recorded yet (a re-recorded message keeps its first record), in key order
 * (firstOfEach), as another replica recording the same answers takes their rows.
 */
async function insertPosts(tx: Executor, posts: PostRecord[]): Promise<void> {
  const firsts = firstOfEach(posts, (p) => `${p.platform} ${p.channelId} ${p.messageId}`);
  for (const batch of chunks([...firsts.values()], INSERT_CHUNK)) {
    await tx
      .insertInto('posts')
      .values(
        batch.map((post) => ({
          platform: post.platform,
          channel_id: post.channelId,
          message_id: post.messageId,
          kind: post.kind,
          delivery_id: post.deliveryId,
          posted_at: post.postedAt.toISOString(),
          paper_ids: JSON.stringify(post.paperIds),
        })),
      )
      .onConflict((oc) => oc.columns(['platform', 'channel_id', 'message_id']).doNothing())
      .execute();
  }
}
