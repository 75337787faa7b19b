import type { StoreDb } from '../db';
import type { InstallationRepository } from '../types';

export function installationRepository(db: StoreDb): InstallationRepository {
  return {
    async get(platform, key) {
      const row = await db.kysely.selectFrom('installations').select('value').where('platform', '=', platform).where('key', '=', key).executeTakeFirst();
      return row?.value ?? null;
    },

    async put(platform, key, value) {
      const updated_at = new Date().toISOString();
      await db.kysely
        .insertInto('installations')
        .values({ platform, key, value, updated_at })
        .onConflict((oc) => oc.columns(['platform', 'key']).doUpdateSet({ value, updated_at }))
        .execute();
    },

    async delete(platform, key) {
      const res = await db.kysely.deleteFrom('installations').where('platform', '=', platform).where('key', '=', key).executeTakeFirst();
      return res.numDeletedRows > 0n;
    },
  };
}
