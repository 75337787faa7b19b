import { PostgresAdapter, sql, type Kysely, type Migration } from 'kysely';

/**
 * Migration 0026_a: each post keeps its papers' ids in its own row (`paper_ids`, a JSON array in
 * display order) instead of one `post_papers` row per paper. Every public answer is recorded so a
 * reaction on it resolves, and its five extra rows (each with a four-column key) were most of what
 * a command cost the store; nothing ever looked a post up by paper. The lists are moved over, in
 * position order, and `post_papers` is dropped. The two secondary indexes now hold digest posts
 * only, the only ones read through them, so an answer's record writes its row and its key alone.
 * Both engines take `json_group_array`/`json_agg` with an ORDER BY inside (SQLite since 3.44).
 */
export const paperLists: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .alterTable('posts')
      .addColumn('paper_ids', 'text', (c) => c.notNull().defaultTo('[]'))
      .execute();
    const list =
      db.getExecutor().adapter instanceof PostgresAdapter
        ? sql`json_agg(pp.paper_id order by pp.position)::text`
        : sql`json_group_array(pp.paper_id order by pp.position)`;
    // A post without papers (a digest header) finds none: '[]' on SQLite, null on PostgreSQL.
    await sql`update posts set paper_ids = coalesce((
        select ${list} from post_papers pp
        where pp.platform = posts.platform and pp.channel_id = posts.channel_id and pp.message_id = posts.message_id), '[]')`.execute(db);
    await db.schema.dropTable('post_papers').execute();
    // Only digest posts are looked up by delivery or by channel and time: answers need neither index.
    await db.schema.dropIndex('posts_delivery').execute();
    await db.schema.dropIndex('posts_channel_time').execute();
    await sql`create index posts_delivery on posts (delivery_id) where delivery_id is not null`.execute(db);
    await sql`create index posts_digest_time on posts (platform, channel_id, posted_at) where kind = 'digest'`.execute(db);
  },
};
