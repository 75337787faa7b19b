import type { StoreDb } from '../db';
import type { MetaRepository } from '../types';

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
