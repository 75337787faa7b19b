import { sql } from 'kysely';
import type { Executor, StoreDb } from '../db';
import type { MetaRepository } from '../types';

/**
 * Adds one to a counter kept in meta, in the caller's transaction, so a reader never sees the
 * write without its new count: the papers' and the subscriptions' revisions.
 */
export async function bumpCounter(tx: Executor, key: string): Promise<void> {
  await tx
    .insertInto('meta')
    .values({ key, value: '1' })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: sql<string>`cast(cast(meta.value as bigint) + 1 as text)` }))
    .execute();
}

/** A counter bumpCounter keeps; 0 before its first bump. */
export async function readCounter(db: Executor, key: string): Promise<number> {
  const row = await db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst();
  return Number(row?.value ?? 0);
}

export function metaRepository(db: StoreDb): MetaRepository {
  return {
    async get(key) {
      const row = await db.kysely.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst();
      return row?.value ?? null;
    },

    async set(key, value) {
      if (value === null) {
        await db.kysely.deleteFrom('meta').where('key', '=', key).execute();
        return;
      }
      await db.kysely
        .insertInto('meta')
        .values({ key, value })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
        .execute();
    },
  };
}
