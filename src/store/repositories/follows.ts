import { chunks, type StoreDb } from '../db';
import { followKey, type FollowKind } from '../../follows/follow';
import type { FollowRepository, StoredFollow } from '../types';

const followFromRow = (r: { kind: string; value: string; created_at: string }): StoredFollow => ({
  kind: r.kind as FollowKind,
  value: r.value,
  createdAt: new Date(r.created_at),
});

export function followRepository(db: StoreDb): FollowRepository {
  const { kysely } = db;
  const mine = (platform: string, userId: string) => kysely.selectFrom('follows').where('platform', '=', platform).where('user_id', '=', userId);
  return {
    async add({ platform, userId, follow, at, max }) {
      const key = followKey(follow);
      return db.write(async (tx) => {
        const held = await tx
          .selectFrom('follows')
          .select(['kind', 'key', 'created_at'])
          .where('platform', '=', platform)
          .where('user_id', '=', userId)
          .execute();
        if (held.some((f) => f.kind === follow.kind && f.key === key)) return 'exists';
        if (held.length >= max) return 'full';
        // Later than every earlier one, even within a millisecond, so the list keeps the order they were added in.
        const latest = Math.max(-Infinity, ...held.map((f) => Date.parse(f.created_at)));
        const createdAt = new Date(Math.max(at.getTime(), latest + 1));
        // Another replica may have added the same follow since the read: that one stands.
        const added = await tx
          .insertInto('follows')
          .values({ platform, user_id: userId, kind: follow.kind, key, value: follow.value, created_at: createdAt.toISOString() })
          .onConflict((oc) => oc.columns(['platform', 'user_id', 'kind', 'key']).doNothing())
          .returning('key')
          .executeTakeFirst();
        return added ? 'added' : 'exists';
      });
    },

    async list(platform, userId) {
      const rows = await mine(platform, userId).selectAll().orderBy('created_at').orderBy('kind').orderBy('key').execute();
      return rows.map(followFromRow);
    },

    async listEach(platform, userIds) {
      const out = new Map<string, StoredFollow[]>(userIds.map((id) => [id, []]));
      for (const part of chunks([...new Set(userIds)])) {
        const rows = await kysely
          .selectFrom('follows')
          .selectAll()
          .where('platform', '=', platform)
          .where('user_id', 'in', part)
          .orderBy('user_id')
          .orderBy('created_at')
          .orderBy('kind')
          .orderBy('key')
          .execute();
        for (const r of rows) out.get(r.user_id)!.push(followFromRow(r));
      }
      return out;
    },

    async remove(platform, userId, follow) {
      const res = await kysely
        .deleteFrom('follows')
        .where('platform', '=', platform)
        .where('user_id', '=', userId)
        .where('kind', '=', follow.kind)
        .where('key', '=', followKey(follow))
        .executeTakeFirst();
      return res.numDeletedRows > 0n;
    },

    async removeAll(platform, userId) {
      const res = await kysely.deleteFrom('follows').where('platform', '=', platform).where('user_id', '=', userId).executeTakeFirst();
      return Number(res.numDeletedRows);
    },
  };
}
