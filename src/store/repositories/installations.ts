import { sql } from 'kysely';
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

    async purgeOldVersions() {
      if (db.dialect === 'postgres') {
        await sql`vacuum full installations`.execute(db.kysely);
        return;
      }
      // VACUUM rebuilds the file without the free pages; the checkpoint then empties the WAL, which
      // still holds the pages as they were before.
      await sql`vacuum`.execute(db.kysely);
      await sql`pragma wal_checkpoint(truncate)`.execute(db.kysely);
    },

    list() {
      return db.kysely.selectFrom('installations').select(['platform', 'key', 'value']).orderBy('platform').orderBy('key').execute();
    },

    async delete(platform, key) {
      const res = await db.kysely.deleteFrom('installations').where('platform', '=', platform).where('key', '=', key).executeTakeFirst();
      return res.numDeletedRows > 0n;
    },
  };
}
