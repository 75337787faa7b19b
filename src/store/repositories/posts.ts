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
          .selectFrom('post_papers as pp')
          .innerJoin('posts as p', (j) =>
            j.onRef('p.platform', '=', 'pp.platform').onRef('p.channel_id', '=', 'pp.channel_id').onRef('p.message_id', '=', 'pp.message_id'),
          )
          .select(['p.channel_id', 'pp.paper_id', 'p.posted_at'])
          .where('p.platform', '=', platform)
          .where('p.channel_id', 'in', part)
          .where('p.kind', '=', 'digest')
          .where('p.posted_at', '>=', since)
          .execute();
        for (const r of rows) {
          const key = keyOf(platform, r.channel_id);
          const list = found.get(key) ?? [];
          list.push({ paperId: r.paper_id, postedAt: r.posted_at });
          found.set(key, list);
        }
      }
    }
    return asks.map((a) => {
      const since = a.since.toISOString();
      return new Set((found.get(keyOf(a.platform, a.channelId)) ?? []).filter((r) => r.postedAt >= since).map((r) => r.paperId));
    });
  });

  async function withPaperIds(rows: PostsTable[]): Promise<PostRecord[]> {
    if (rows.length === 0) return [];
    const papers = await kysely
      .selectFrom('post_papers')
      .select(['channel_id', 'message_id', 'paper_id'])
      .where('platform', '=', rows[0]!.platform)
      .where((eb) => eb.or(rows.map((r) => eb.and([eb('channel_id', '=', r.channel_id), eb('message_id', '=', r.message_id)]))))
      .orderBy('position')
      .execute();
    return rows.map((r) => ({
      platform: r.platform as Platform,
      channelId: r.channel_id,
      messageId: r.message_id,
      paperIds: papers.filter((p) => p.channel_id === r.channel_id && p.message_id === r.message_id).map((p) => p.paper_id),
      kind: r.kind as PostRecord['kind'],
      deliveryId: r.delivery_id,
      postedAt: new Date(r.posted_at),
    }));
  }

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
      if (!row) return null;
      return (await withPaperIds([row]))[0]!;
    },

    /** Asks of the same turn (a fan-out planning its channels) are read together (postedReads). */
    paperIdsPostedInChannel: (platform, channelId, since) => postedReads.add({ platform, channelId, since }),

    async forDelivery(deliveryId) {
      const rows = await kysely.selectFrom('posts').selectAll().where('delivery_id', '=', deliveryId).orderBy('posted_at').orderBy('message_id').execute();
      return withPaperIds(rows);
    },
  };
  return { posts, commitPending: recorded.flush };
}

/**
 * Inserts posts not recorded yet (a re-recorded message keeps its first record) and their papers,
 * in key order (firstOfEach), as another replica recording the same answers takes their rows.
 */
async function insertPosts(tx: Executor, posts: PostRecord[]): Promise<void> {
  const keyOf = (platform: string, channelId: string, messageId: string) => `${platform} ${channelId} ${messageId}`;
  const firsts = firstOfEach(posts, (p) => keyOf(p.platform, p.channelId, p.messageId));
  for (const batch of chunks([...firsts.values()], INSERT_CHUNK)) {
    const added = await tx
      .insertInto('posts')
      .values(
        batch.map((post) => ({
          platform: post.platform,
          channel_id: post.channelId,
          message_id: post.messageId,
          kind: post.kind,
          delivery_id: post.deliveryId,
          posted_at: post.postedAt.toISOString(),
        })),
      )
      .onConflict((oc) => oc.columns(['platform', 'channel_id', 'message_id']).doNothing())
      .returning(['platform', 'channel_id', 'message_id'])
      .execute();
    const papers = added.flatMap((key) =>
      firsts.get(keyOf(key.platform, key.channel_id, key.message_id))!.paperIds.map((paper_id, i) => ({ ...key, position: i + 1, paper_id })),
    );
    for (const part of chunks(papers, INSERT_CHUNK)) await tx.insertInto('post_papers').values(part).execute();
  }
}
