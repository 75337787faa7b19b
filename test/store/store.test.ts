import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql, Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { parseListing } from '../../src/parse/index';
import { openStore } from '../../src/store/open';
import { CODE_VERSION } from '../../src/store/migrate';
import { SEARCH_INDEX } from '../../src/store/repositories/papers';
import { ConfigError } from '../../src/errors';
import type { Paper } from '../../src/model/paper';
import type { ClaimRequest, Store, SubscriptionInput } from '../../src/store/types';
import { readFixture } from '../helpers/fixtures';
import { syntheticPapers } from '../helpers/synthetic-papers';
import { openTestStore, storeKinds, type StoreKind } from '../helpers/stores';

const hfList = parseListing(readFixture('hf-api/daily_papers-2025-10-14.json')).papers;
const olderList = parseListing(readFixture('hf-api/daily_papers-2024-10-14.json')).papers;
const [first, second, third] = hfList as [Paper, Paper, Paper];
const seenAt = new Date('2025-10-14T08:00:00Z');

const subscription: SubscriptionInput = {
  platform: 'discord',
  workspaceId: 'g1',
  channelId: 'c1',
  time: '09:00',
  timezone: 'Europe/Berlin',
  top: 5,
  topics: ['llm', '-robotics'],
  minUpvotes: 2,
  rank: 'balanced',
  origin: 'command',
  createdBy: 'u1',
};

/** Runs raw SQL on the database behind a test store's URL, bypassing the store. */
async function rawSql(kind: StoreKind, url: string, query: (db: Kysely<any>) => Promise<unknown>): Promise<void> {
  const db =
    kind === 'sqlite'
      ? new Kysely<any>({ dialect: new SqliteDialect({ database: new BetterSqlite3(url.slice('sqlite:'.length)) }) })
      : new Kysely<any>({
          dialect: new PostgresDialect({
            pool: new pg.Pool({
              connectionString: url.replace(/[?&]schema=([^&]+)/, ''),
              options: `-c search_path=${new URL(url).searchParams.get('schema')}`,
            }),
          }),
        });
  try {
    await query(db);
  } finally {
    await db.destroy();
  }
}

/** More new papers than PostgreSQL's search index takes one by one: the real list and 1,200 made of its words. */
const largeBatch = [...hfList, ...syntheticPapers(hfList, { from: 0, count: 1_200, summaryWords: [20, 40] })];

/** Stores the large batch through `writer`, all of it new, and finds a real paper in it by its title. */
async function storeLargeBatch(writer: Store): Promise<void> {
  expect(await writer.papers.upsert(largeBatch, seenAt)).toMatchObject({ inserted: largeBatch.length });
  expect((await writer.search.find(first.title, 5)).map((p) => p.id)).toContain(first.id);
}

/** Merges what PostgreSQL's search index has pending (the tests' role owns it) and says how many pages that was. */
async function mergePendingPages(url: string): Promise<number> {
  let pages = 0;
  await rawSql('postgres', url, async (db) => {
    const { rows } = await sql<{ pages: string }>`select gin_clean_pending_list(cast(${SEARCH_INDEX} as regclass)) as pages`.execute(db);
    pages = Number(rows[0]!.pages);
  });
  return pages;
}

describe.each(storeKinds)('store on %s', (kind) => {
  let store: Store;
  let url: string;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ store, url, cleanup } = await openTestStore(kind));
  });
  afterEach(async () => {
    await cleanup();
  });

  describe('migrations', () => {
    it('reports the dialect and is at the latest version after open; migrating again changes nothing', async () => {
      expect(store.dialect).toBe(kind);
      const { from, to } = await store.migrate();
      expect(from).toBe(to);
      expect(to).toBeGreaterThanOrEqual(1);
    });

    it('keeps data across close and reopen', async () => {
      await store.papers.upsert([first], seenAt);
      await store.close();
      const reopened = await openStore(url);
      try {
        expect(await reopened.papers.get(first.id)).toEqual(first);
      } finally {
        await reopened.close();
      }
      store = await openStore(url);
    });

    it('refuses a database written by a newer version, naming both versions', async () => {
      await store.close();
      await rawSql(kind, url, (db) =>
        sql`insert into kysely_migration (name, timestamp) values ('0099_from_the_future', ${new Date().toISOString()})`.execute(db),
      );
      const err = await openStore(url).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(new RegExp(`schema version 99 .*0099_from_the_future.* up to version ${CODE_VERSION}\\b`));
      store = await openStore(url, { migrate: false });
    });
  });

  describe('papers', () => {
    it('inserts new papers, leaves unchanged ones, updates changed ones in place and never duplicates', async () => {
      expect(await store.papers.upsert(hfList, seenAt)).toEqual({ inserted: hfList.length, updated: 0, unchanged: 0 });
      expect(await store.papers.upsert(hfList, seenAt)).toEqual({ inserted: 0, updated: 0, unchanged: hfList.length });
      const moreVotes = { ...first, upvotes: first.upvotes + 40 };
      expect(await store.papers.upsert([moreVotes], new Date('2025-10-14T12:00:00Z'))).toEqual({ inserted: 0, updated: 1, unchanged: 0 });
      expect((await store.papers.get(first.id))?.upvotes).toBe(first.upvotes + 40);
      expect(await store.papers.count()).toBe(hfList.length);
    });

    it('stores a large batch searchable at once, leaving PostgreSQL’s search index as between writes', async () => {
      await storeLargeBatch(store);
      if (kind !== 'postgres') return;
      // The pending list the batch filled is merged already: nothing is left for a search to read
      // whole. Its limit is the writing transaction's, not a storage parameter that would override it.
      expect(await mergePendingPages(url)).toBe(0);
      await rawSql(kind, url, async (db) => {
        const index = await sql<{ options: string[] | null }>`
          select reloptions as options from pg_class where relname = ${SEARCH_INDEX} and relnamespace = cast(current_schema() as regnamespace)`.execute(db);
        expect(index.rows).toEqual([{ options: null }]);
      });
    });

    it.runIf(kind === 'postgres')('stores a large batch as a role that may not merge the search index’s pending list, with the day’s limit', async () => {
      const role = `papers_writer_${Date.now().toString(36)}`;
      const schema = new URL(url).searchParams.get('schema')!;
      await rawSql(kind, url, (db) =>
        // What openStore asks of its role (it creates the schema when missing), and what writing papers needs.
        sql`create role ${sql.id(role)} login; grant create on database ${sql.id(new URL(url).pathname.slice(1))} to ${sql.id(role)};
          grant usage on schema ${sql.id(schema)} to ${sql.id(role)};
          grant select, insert, update, delete on all tables in schema ${sql.id(schema)} to ${sql.id(role)};
          grant usage on all sequences in schema ${sql.id(schema)} to ${sql.id(role)}`.execute(db),
      );
      const asWriter = new URL(url);
      asWriter.username = role;
      const writer = await openStore(asWriter.toString(), { migrate: false });
      try {
        await storeLargeBatch(writer);
        // Written with the day's limit instead: at most 256 kB (32 pages) left for searches to read,
        // not the whole batch (142 pages) waiting for autovacuum.
        expect(await mergePendingPages(url)).toBeLessThanOrEqual(32);
      } finally {
        await writer.close();
        await rawSql(kind, url, (db) => sql`drop owned by ${sql.id(role)}; drop role ${sql.id(role)}`.execute(db));
      }
    });

    it('keeps what it knew when a poorer listing shows the paper again', async () => {
      await store.papers.upsert([first], seenAt);
      const fromArxiv: Paper = { ...first, source: 'arxiv', upvotes: 0, aiSummary: null, keywords: [], listedOn: null, githubUrl: null };
      await store.papers.upsert([fromArxiv], seenAt);
      expect(await store.papers.get(first.id)).toEqual(first);
    });

    it('stores untrusted text exactly, except NUL characters, which neither dialect keeps', async () => {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${x} is part of the hostile text.
      const hostile: Paper = { ...first, id: 'hostile', title: `Robert'); DROP TABLE papers;-- "quoted" \\ 100% _x_ 🚀`, summary: '<b>tags</b> & ${x}' };
      await store.papers.upsert([hostile, { ...second, title: 'nul\u0000 inside', authors: ['A\u0000B'] }], seenAt);
      expect(await store.papers.get('hostile')).toEqual(hostile);
      expect(await store.papers.get(second.id)).toMatchObject({ title: 'nul inside', authors: ['AB'] });
      expect(await store.papers.count()).toBe(2);
    });

    it('returns papers by id in the order asked, skipping unknown ids', async () => {
      await store.papers.upsert(hfList, seenAt);
      expect((await store.papers.getMany([third.id, 'nope', first.id])).map((p) => p.id)).toEqual([third.id, first.id]);
      expect(await store.papers.get('nope')).toBeNull();
    });

    it('finds the latest list date and the papers listed in a range', async () => {
      expect(await store.papers.latestListDate()).toBeNull();
      await store.papers.upsert([...hfList, ...olderList], seenAt);
      expect(await store.papers.latestListDate()).toBe('2025-10-14');
      expect(await store.papers.latestListDate('2025-10-13')).toBe('2024-10-14');
      expect(await store.papers.latestListDate('2024-10-13')).toBeNull();
      const listed = await store.papers.listedBetween('2024-10-14', '2024-10-14');
      expect(listed.map((p) => p.id).sort()).toEqual(olderList.map((p) => p.id).sort());
    });

    it('searches title and abstract for all words, case-insensitive, best match first', async () => {
      await store.papers.upsert(hfList, seenAt);
      const qerl = await store.search.find('QERL quantization', 10);
      expect(qerl.map((p) => p.id)).toContain(first.id);
      for (const p of qerl) expect(`${p.title} ${p.summary}`.toLowerCase()).toMatch(/qerl[\s\S]*|quantization/);
      for (const p of qerl) {
        const text = `${p.title} ${p.summary}`.toLowerCase();
        expect(text.includes('qerl') && text.includes('quantization')).toBe(true);
      }
      // Search is by words (src/search): punctuation alone, LIKE wildcards included, matches nothing.
      expect(await store.search.find('%', 10)).toEqual([]);
      expect(await store.search.find('_', 50)).toEqual([]);
      expect(await store.search.find('   ', 10)).toEqual([]);
    });

    it('ranks the best match first: the word in the title and often beats it once in a long abstract', async () => {
      const filler = 'We study many other things at length here. '.repeat(20);
      const once = { ...third, title: 'A plain title', summary: `${filler} One zebra appears.` };
      const titled = { ...second, title: 'Zebra detection', summary: 'Short.' };
      const most = { ...first, title: 'Zebra crossings of zebra herds', summary: 'A zebra study.' };
      await store.papers.upsert([...hfList.slice(3), once, titled, most], seenAt);
      const hits = (await store.search.find('zebra', 10)).map((p) => p.id);
      expect(hits).toEqual([most.id, titled.id, once.id]);
      expect(hits).not.toEqual([...hits].sort());
    });
  });

  describe('subscriptions', () => {
    it('creates one subscription per channel and updates it in place', async () => {
      const created = await store.subscriptions.upsert(subscription);
      expect(created).toMatchObject({ id: 'discord:c1', enabled: true, failures: 0, topics: ['llm', '-robotics'], rank: 'balanced' });
      const changed = await store.subscriptions.upsert({ ...subscription, time: '18:30', top: 3 });
      expect(changed).toMatchObject({ id: 'discord:c1', time: '18:30', top: 3 });
      expect(await store.subscriptions.list()).toHaveLength(1);
      expect(await store.subscriptions.get('discord:c1')).toEqual(changed);
    });

    it('answers reads asked together (a burst of commands) each with its own channel, or null', async () => {
      await store.subscriptions.upsert(subscription);
      await store.subscriptions.upsert({ ...subscription, platform: 'slack', workspaceId: 'T1', channelId: 'C9', top: 7 });
      const [c1, c9, none, again] = await Promise.all(['discord:c1', 'slack:C9', 'slack:C404', 'discord:c1'].map((id) => store.subscriptions.get(id)));
      expect([c1?.id, c1?.top, c9?.id, c9?.top, none]).toEqual(['discord:c1', subscription.top, 'slack:C9', 7, null]);
      // Each asker gets an object of its own: one command changing what it read changes no other's.
      expect(again).toEqual(c1);
      expect(again).not.toBe(c1);
    });

    it('disables after repeated failures, re-enabled by a person but not by the same config at start', async () => {
      await store.subscriptions.upsert({ ...subscription, origin: 'config' });
      await store.subscriptions.recordFailure('discord:c1', 'Missing Access', 2);
      expect(await store.subscriptions.get('discord:c1')).toMatchObject({ enabled: true, failures: 1, lastError: 'Missing Access' });
      const disabled = await store.subscriptions.recordFailure('discord:c1', 'Unknown Channel', 2);
      expect(disabled).toMatchObject({ enabled: false, failures: 2 });
      expect(disabled.disabledReason).toContain('Unknown Channel');
      expect(await store.subscriptions.list({ enabledOnly: true })).toEqual([]);

      expect(await store.subscriptions.upsert({ ...subscription, origin: 'config' })).toMatchObject({ enabled: false });
      expect(await store.subscriptions.upsert(subscription)).toMatchObject({ enabled: true, failures: 0, disabledReason: null });
    });

    it('resets the failure count on success, filters by platform, deletes once', async () => {
      await store.subscriptions.upsert(subscription);
      await store.subscriptions.upsert({ ...subscription, platform: 'slack', workspaceId: 'T1', channelId: 'C9' });
      await store.subscriptions.recordFailure('discord:c1', 'timeout', 3);
      await store.subscriptions.recordSuccess('discord:c1');
      expect(await store.subscriptions.get('discord:c1')).toMatchObject({ failures: 0, lastError: null });
      expect((await store.subscriptions.list({ platform: 'slack' })).map((s) => s.id)).toEqual(['slack:C9']);
      expect(await store.subscriptions.delete('slack:C9')).toBe(true);
      expect(await store.subscriptions.delete('slack:C9')).toBe(false);
    });

    it('changes its change stamp with every added, changed or deleted subscription, and only then', async () => {
      const stamps = [await store.subscriptions.changeStamp()];
      await store.subscriptions.upsert(subscription);
      stamps.push(await store.subscriptions.changeStamp());
      expect(await store.subscriptions.changeStamp()).toBe(stamps[1]);
      await store.subscriptions.upsert({ ...subscription, time: '07:15' });
      stamps.push(await store.subscriptions.changeStamp());
      await store.subscriptions.upsert({ ...subscription, channelId: 'c2' });
      stamps.push(await store.subscriptions.changeStamp());
      await store.subscriptions.delete('discord:c1');
      stamps.push(await store.subscriptions.changeStamp());
      await store.subscriptions.delete('discord:c1');
      expect(await store.subscriptions.changeStamp()).toBe(stamps[4]);
      expect(new Set(stamps).size).toBe(5);
    });
  });

  describe('posts', () => {
    it('resolves a message to its papers in display order; recording it again keeps the first record', async () => {
      const post = {
        platform: 'slack' as const,
        channelId: 'C1',
        messageId: '1712345678.000100',
        paperIds: [third.id, first.id, second.id],
        kind: 'answer' as const,
        deliveryId: null,
        postedAt: seenAt,
      };
      await store.posts.record(post);
      await store.posts.record({ ...post, paperIds: [first.id] });
      expect(await store.posts.find('slack', 'C1', '1712345678.000100')).toEqual(post);
      expect(await store.posts.find('slack', 'C2', '1712345678.000100')).toBeNull();
    });

    it('records posts made at the same moment in one commit, each with its own papers, the first record of a message winning', async () => {
      const post = (messageId: string, paperIds: string[]) => ({
        platform: 'discord' as const,
        channelId: 'c1',
        messageId,
        paperIds,
        kind: 'answer' as const,
        deliveryId: null,
        postedAt: seenAt,
      });
      const ids = [first.id, second.id, third.id];
      // 600 posts: more than one multi-row insert's worth, plus a second record of message m0.
      const burst = Array.from({ length: 600 }, (_, i) => post(`m${i}`, [ids[i % 3]!, ids[(i + 1) % 3]!]));
      await Promise.all([...burst.map((p) => store.posts.record(p)), store.posts.record(post('m0', [third.id]))]);
      expect(await store.posts.find('discord', 'c1', 'm0')).toEqual(burst[0]);
      expect(await store.posts.find('discord', 'c1', 'm599')).toEqual(burst[599]);
      const found = await Promise.all(burst.map((p) => store.posts.find('discord', 'c1', p.messageId)));
      expect(found).toEqual(burst);
    });

    it('finishes recording claims and posts still waiting for their commit when the store closes', async () => {
      const { store: other, cleanup } = await openTestStore(kind);
      const owner = { host: 'h1', pid: 100 };
      const claimed = other.deliveries.claim({
        subscriptionId: 's',
        date: '2025-10-14',
        owner,
        now: seenAt,
        staleAfterMs: 60_000,
        ownerIsGone: () => false,
        maxAttempts: 3,
      });
      const recorded = other.posts.record({
        platform: 'slack',
        channelId: 'C1',
        messageId: '1.000001',
        paperIds: [],
        kind: 'answer',
        deliveryId: null,
        postedAt: seenAt,
      });
      await other.close();
      await expect(claimed).resolves.toMatchObject({ won: true, fresh: true });
      await expect(recorded).resolves.toBeUndefined();
      await cleanup();
    });

    it('counts only digest posts in that channel since the given time as already posted', async () => {
      const base = { platform: 'discord' as const, channelId: 'c1', deliveryId: 'discord:c1@2025-10-14', kind: 'digest' as const };
      await store.posts.record({ ...base, messageId: 'h', paperIds: [], postedAt: new Date('2025-10-14T07:00:00Z') });
      await store.posts.record({ ...base, messageId: 'm1', paperIds: [first.id], postedAt: new Date('2025-10-14T07:00:01Z') });
      await store.posts.record({
        ...base,
        messageId: 'old',
        paperIds: [second.id],
        postedAt: new Date('2025-09-01T07:00:00Z'),
        deliveryId: 'discord:c1@2025-09-01',
      });
      await store.posts.record({ ...base, messageId: 'a1', paperIds: [third.id], postedAt: seenAt, kind: 'answer', deliveryId: null });
      await store.posts.record({
        ...base,
        channelId: 'other',
        messageId: 'm2',
        paperIds: [third.id],
        postedAt: seenAt,
        deliveryId: 'discord:other@2025-10-14',
      });
      expect(await store.posts.paperIdsPostedInChannel('discord', 'c1', new Date('2025-10-01T00:00:00Z'))).toEqual(new Set([first.id]));
      // Asked together (a fan-out planning its channels), each ask gets its own channel, platform and time.
      const asked = await Promise.all([
        store.posts.paperIdsPostedInChannel('discord', 'c1', new Date('2025-08-01T00:00:00Z')),
        store.posts.paperIdsPostedInChannel('discord', 'c1', new Date('2025-10-01T00:00:00Z')),
        store.posts.paperIdsPostedInChannel('discord', 'other', new Date('2025-10-01T00:00:00Z')),
        store.posts.paperIdsPostedInChannel('slack', 'c1', new Date('2025-08-01T00:00:00Z')),
        store.posts.paperIdsPostedInChannel('discord', 'c1', new Date('2025-10-14T07:00:01Z')),
      ]);
      expect(asked).toEqual([new Set([first.id, second.id]), new Set([first.id]), new Set([third.id]), new Set(), new Set([first.id])]);
      expect((await store.posts.forDelivery('discord:c1@2025-10-14')).map((p) => [p.messageId, p.paperIds])).toEqual([
        ['h', []],
        ['m1', [first.id]],
      ]);
    });
  });

  describe('follows', () => {
    it('adds once whatever the case and accents, up to the limit, lists in the order added, removes per person and platform', async () => {
      const add = (value: string, at: string, kind: 'topic' | 'author' = 'topic', userId = 'u1', max = 3) =>
        store.follows.add({ platform: 'slack', userId, follow: { kind, value }, at: new Date(at), max });
      expect(await add('Diffusion Models', '2026-06-01T10:00:00Z')).toBe('added');
      expect(await add('Saining Xie', '2026-06-01T09:00:00Z', 'author')).toBe('added');
      expect(await add('diffusion model', '2026-06-01T11:00:00Z')).toBe('exists');
      // The same words as an author are another follow.
      expect(await add('diffusion models', '2026-06-01T11:30:00Z', 'author')).toBe('added');
      expect(await add('agents', '2026-06-01T12:00:00Z')).toBe('full');
      expect(await add('agents', '2026-06-01T12:00:00Z', 'topic', 'u2')).toBe('added');
      // In the order added, even when a clock says otherwise.
      expect((await store.follows.list('slack', 'u1')).map((f) => [f.kind, f.value])).toEqual([
        ['topic', 'Diffusion Models'],
        ['author', 'Saining Xie'],
        ['author', 'diffusion models'],
      ]);
      expect(await store.follows.list('discord', 'u1')).toEqual([]);
      expect(await store.follows.remove('slack', 'u1', { kind: 'topic', value: 'DIFFUSION MODELS' })).toBe(true);
      expect(await store.follows.remove('slack', 'u1', { kind: 'topic', value: 'diffusion models' })).toBe(false);
      expect(await store.follows.removeAll('slack', 'u1')).toBe(2);
      expect(await store.follows.list('slack', 'u1')).toEqual([]);
      expect((await store.follows.list('slack', 'u2')).map((f) => f.value)).toEqual(['agents']);
    });

    it('lists many people’s follows at once as each one’s list gives them, over more people than one query takes', async () => {
      const add = (userId: string, value: string, platform: 'slack' | 'discord' = 'slack') =>
        store.follows.add({ platform, userId, follow: { kind: 'topic', value }, at: new Date('2026-06-01T10:00:00Z'), max: 5 });
      // 501 people: more than one chunk of ids.
      const people = Array.from({ length: 501 }, (_, i) => `p${i}`);
      for (const userId of people) await add(userId, `topic ${userId}`);
      await add('p500', 'second topic');
      await add('p500', 'not on slack', 'discord');
      const each = await store.follows.listEach('slack', [...people, 'nobody', 'p0']);
      expect(each.size).toBe(502);
      expect(each.get('nobody')).toEqual([]);
      expect(each.get('p500')).toEqual(await store.follows.list('slack', 'p500'));
      expect(each.get('p500')!.map((f) => f.value)).toEqual(['topic p500', 'second topic']);
      expect(each.get('p0')!.map((f) => f.value)).toEqual(['topic p0']);
    });

    it('keeps one of two replicas adding the same follow at once', async () => {
      const add = () => store.follows.add({ platform: 'slack', userId: 'u1', follow: { kind: 'org', value: 'NVIDIA' }, at: new Date(), max: 25 });
      expect((await Promise.all([add(), add(), add()])).sort()).toEqual(['added', 'exists', 'exists']);
    });
  });

  describe('personal feeds', () => {
    const settings = { digest: 'daily' as const, weekDay: 'mon' as const, time: '08:00', timezone: 'UTC', top: 5, alerts: false };
    const at = new Date('2026-06-01T08:00:00Z');

    it('saves settings per person, lists the active, pauses once, tells the pause once, and a new setting lifts it', async () => {
      const stamp = await store.personal.changeStamp();
      await store.personal.set({ platform: 'slack', userId: 'u1', workspaceId: 'T1', settings, now: at });
      await store.personal.set({ platform: 'slack', userId: 'u2', workspaceId: 'T1', settings: { ...settings, digest: 'off', alerts: true }, now: at });
      expect(await store.personal.changeStamp()).not.toBe(stamp);
      expect((await store.personal.active('digest')).map((f) => f.userId)).toEqual(['u1']);
      expect((await store.personal.active('alerts')).map((f) => f.userId)).toEqual(['u2']);
      expect(await store.personal.get('slack', 'u1')).toMatchObject({ workspaceId: 'T1', time: '08:00', pausedReason: null });
      expect(await store.personal.get('discord', 'u1')).toBeNull();

      expect(await store.personal.pause('slack', 'u1', 'user_not_found')).toBe(true);
      expect(await store.personal.pause('slack', 'u1', 'again')).toBe(false);
      expect(await store.personal.active('digest')).toEqual([]);
      expect(await Promise.all([store.personal.takePauseNote('slack', 'u1'), store.personal.takePauseNote('slack', 'u1')])).toEqual(
        expect.arrayContaining(['user_not_found', null]),
      );
      expect(await store.personal.takePauseNote('slack', 'u1')).toBeNull();
      await store.personal.set({ platform: 'slack', userId: 'u1', workspaceId: 'T1', settings, now: at });
      expect(await store.personal.get('slack', 'u1')).toMatchObject({ pausedReason: null, pauseNoted: false });
    });

    it('remembers every paper sent to a person, once, and forgets it all with the feed', async () => {
      await store.personal.set({ platform: 'slack', userId: 'u1', workspaceId: null, settings, now: at });
      await store.personal.markSent({ platform: 'slack', userId: 'u1', paperIds: ['a', 'b'], via: 'digest', at });
      await store.personal.markSent({ platform: 'slack', userId: 'u1', paperIds: ['b', 'c'], via: 'alert', at });
      expect(await store.personal.unsent('slack', 'u1', ['a', 'b', 'c', 'd'])).toEqual(['d']);
      expect(await store.personal.unsent('slack', 'u2', ['a'])).toEqual(['a']);
      expect(await store.personal.forget('slack', 'u1')).toBe(true);
      expect(await store.personal.get('slack', 'u1')).toBeNull();
      expect(await store.personal.unsent('slack', 'u1', ['a'])).toEqual(['a']);
      expect(await store.personal.forget('slack', 'u1')).toBe(false);
    });
  });

  describe('bookmarks', () => {
    it('adds once, lists oldest first with the paper, removes once, per platform and user', async () => {
      await store.papers.upsert(hfList, seenAt);
      const add = (paperId: string, at: string, userId = 'u1') =>
        store.bookmarks.add({ platform: 'discord', userId, paperId, messageId: 'm1', at: new Date(at) });
      expect(await add(second.id, '2025-10-14T09:00:00Z')).toBe(true);
      expect(await add(first.id, '2025-10-14T10:00:00Z')).toBe(true);
      expect(await add(second.id, '2025-10-14T11:00:00Z')).toBe(false);
      await add(third.id, '2025-10-14T09:30:00Z', 'u2');
      const list = await store.bookmarks.list('discord', 'u1');
      expect(list.map((b) => b.paper.id)).toEqual([second.id, first.id]);
      expect(list[0]).toEqual({ paper: second, createdAt: new Date('2025-10-14T09:00:00Z'), messageId: 'm1' });
      expect(await store.bookmarks.list('slack', 'u1')).toEqual([]);
      expect(await store.bookmarks.remove('discord', 'u1', second.id)).toBe(true);
      expect(await store.bookmarks.remove('discord', 'u1', second.id)).toBe(false);
      expect((await store.bookmarks.list('discord', 'u1')).map((b) => b.paper.id)).toEqual([first.id]);
    });

    it("removes only the remover's bookmark when two users hold the same paper", async () => {
      await store.papers.upsert(hfList, seenAt);
      for (const userId of ['u1', 'u2']) await store.bookmarks.add({ platform: 'discord', userId, paperId: first.id, messageId: 'm1', at: seenAt });
      await store.bookmarks.add({ platform: 'slack', userId: 'u1', paperId: first.id, messageId: 'm1', at: seenAt });
      expect(await store.bookmarks.remove('discord', 'u1', first.id)).toBe(true);
      expect(await store.bookmarks.list('discord', 'u1')).toEqual([]);
      expect((await store.bookmarks.list('discord', 'u2')).map((b) => b.paper.id)).toEqual([first.id]);
      expect((await store.bookmarks.list('slack', 'u1')).map((b) => b.paper.id)).toEqual([first.id]);
    });

    it("gathers a channel's bookmarks through the messages posted there, each paper once", async () => {
      await store.papers.upsert(hfList, seenAt);
      const post = (channelId: string, messageId: string, paperIds: string[]) =>
        store.posts.record({ platform: 'discord', channelId, messageId, paperIds, kind: 'answer', deliveryId: null, postedAt: seenAt });
      await post('c1', 'm1', [first.id, second.id]);
      await post('c2', 'm2', [third.id]);
      const add = (userId: string, paperId: string, messageId: string | null) =>
        store.bookmarks.add({ platform: 'discord', userId, paperId, messageId, at: seenAt });
      await add('u1', second.id, 'm1');
      await add('u2', second.id, 'm1');
      await add('u2', first.id, 'm1');
      await add('u3', third.id, 'm2');
      await add('u4', third.id, null);
      expect((await store.bookmarks.channelPapers('discord', 'c1')).map((p) => p.id)).toEqual([first.id, second.id].sort());
      expect(await store.bookmarks.channelPapers('discord', 'c2')).toEqual([third]);
      expect(await store.bookmarks.channelPapers('slack', 'c1')).toEqual([]);
    });
  });

  describe('deliveries', () => {
    const alice = { host: 'h1', pid: 100 };
    const bob = { host: 'h2', pid: 200 };
    const t0 = new Date('2025-10-14T07:00:00Z');
    const claim = (owner: typeof alice, now: Date, extra: Partial<ClaimRequest> = {}) =>
      store.deliveries.claim({
        subscriptionId: 'discord:c1',
        date: '2025-10-14',
        owner,
        now,
        staleAfterMs: 60_000,
        ownerIsGone: () => false,
        maxAttempts: 3,
        ...extra,
      });
    const later = (ms: number) => new Date(t0.getTime() + ms);

    it('gives a fresh delivery to the first claimer only', async () => {
      const won = await claim(alice, t0);
      expect(won).toMatchObject({ won: true, delivery: { id: 'discord:c1@2025-10-14', state: 'claimed', attempts: 1, owner: alice } });
      const lost = await claim(bob, later(1_000));
      expect(lost).toMatchObject({ won: false, delivery: { owner: alice, state: 'claimed' } });
      expect(await store.deliveries.heartbeat(lost.delivery.id, bob, later(2_000))).toBe(false);
      expect(await store.deliveries.holds(won.delivery.id, alice)).toBe(true);
      expect(await store.deliveries.holds(won.delivery.id, bob)).toBe(false);
      await store.deliveries.finish(won.delivery.id, alice, { state: 'posted' }, later(3_000));
      expect(await store.deliveries.holds(won.delivery.id, alice)).toBe(false);
    });

    it('hands a claim over when its heartbeat is stale or its owner is gone, and the old owner can no longer act', async () => {
      const { delivery } = await claim(alice, t0);
      expect(await store.deliveries.heartbeat(delivery.id, alice, later(50_000))).toBe(true);
      expect((await claim(bob, later(100_000))).won).toBe(false);
      expect(await claim(bob, later(111_000))).toMatchObject({ won: true, delivery: { owner: bob, attempts: 2 } });
      expect(await store.deliveries.setPlan(delivery.id, alice, [first.id])).toBe(false);
      await store.deliveries.finish(delivery.id, alice, { state: 'posted' }, later(112_000));
      expect(await store.deliveries.get(delivery.id)).toMatchObject({ state: 'claimed', owner: bob });
      expect(await claim(alice, later(113_000), { ownerIsGone: (o) => o.host === 'h2' })).toMatchObject({ won: true, delivery: { owner: alice, attempts: 3 } });
    });

    it('tells owners on the same host apart by pid: a stale owner restarted or replaced can no longer act', async () => {
      const before = { host: 'h1', pid: 100 };
      const after = { host: 'h1', pid: 101 };
      const { delivery } = await claim(before, t0);
      expect(await claim(after, later(30_000))).toMatchObject({ won: false, delivery: { owner: before } });
      expect(await claim(after, later(61_000))).toMatchObject({ won: true, delivery: { owner: after, attempts: 2 } });
      expect(await store.deliveries.holds(delivery.id, before)).toBe(false);
      expect(await store.deliveries.heartbeat(delivery.id, before, later(62_000))).toBe(false);
      expect(await store.deliveries.setPlan(delivery.id, before, [first.id])).toBe(false);
      await store.deliveries.finish(delivery.id, before, { state: 'posted' }, later(63_000));
      expect(await store.deliveries.get(delivery.id)).toMatchObject({ state: 'claimed', owner: after, plan: null, heartbeatAt: later(61_000) });
      expect(await store.deliveries.holds(delivery.id, after)).toBe(true);
    });

    it('writes a fresh claim with the plan it is given; a claim taken over keeps its own plan', async () => {
      const sending = { key: 'discord:c1@2025-10-14:header', at: t0 };
      const fresh = await claim(alice, t0, { plan: { paperIds: [second.id, first.id], sending } });
      expect(fresh).toMatchObject({ won: true, fresh: true, delivery: { plan: [second.id, first.id], sending } });
      const lost = await claim(bob, later(1_000), { plan: { paperIds: [first.id], sending: null } });
      expect(lost).toMatchObject({ won: false, fresh: false, delivery: { owner: alice, plan: [second.id, first.id], sending } });
      const taken = await claim(bob, later(61_000), { plan: { paperIds: [first.id], sending: null } });
      expect(taken).toMatchObject({ won: true, fresh: false, delivery: { owner: bob, plan: [second.id, first.id], sending } });
    });

    it('claims made together (one write) give each delivery to exactly one claimer, fresh, taken over or held', async () => {
      const { delivery: stale } = await claim(alice, t0, { subscriptionId: 'stale' });
      const many = Array.from({ length: 450 }, (_, i) => `s${i}`);
      const [first, second, takenOver, ...rest] = await Promise.all([
        claim(alice, later(61_000)),
        claim(bob, later(61_000)),
        claim(bob, later(61_000), { subscriptionId: 'stale' }),
        ...many.map((subscriptionId) => claim(bob, later(61_000), { subscriptionId })),
      ]);
      expect(first).toMatchObject({ won: true, fresh: true, delivery: { owner: alice } });
      expect(second).toMatchObject({ won: false, fresh: false, delivery: { owner: alice } });
      expect(takenOver).toMatchObject({ won: true, fresh: false, delivery: { id: stale.id, owner: bob, attempts: 2 } });
      expect(rest.every((r) => r.won && r.fresh)).toBe(true);
      expect((await store.deliveries.getMany(many.map((s) => `${s}@2025-10-14`))).size).toBe(450);
    });

    it('keeps the plan, never re-claims a posted delivery, and retries a failed one while attempts remain', async () => {
      const { delivery } = await claim(alice, t0);
      expect(await store.deliveries.setPlan(delivery.id, alice, [second.id, first.id])).toBe(true);
      await store.deliveries.finish(delivery.id, alice, { state: 'failed', error: 'rate limited' }, later(1_000));
      expect(await store.deliveries.get(delivery.id)).toMatchObject({ state: 'failed', lastError: 'rate limited', plan: [second.id, first.id] });
      expect(await claim(bob, later(2_000), { maxAttempts: 1 })).toMatchObject({ won: false, delivery: { state: 'failed' } });
      expect(await claim(bob, later(3_000))).toMatchObject({ won: true, delivery: { owner: bob, attempts: 2, plan: [second.id, first.id] } });
      await store.deliveries.finish(delivery.id, bob, { state: 'posted' }, later(4_000));
      expect(await claim(alice, later(999_000_000), { ownerIsGone: () => true })).toMatchObject({ won: false, delivery: { state: 'posted', lastError: null } });
      expect(await store.deliveries.get('discord:c1@2025-10-15')).toBeNull();
    });

    it('reads many deliveries at once, those that exist, over more ids than one query takes', async () => {
      await claim(alice, t0, { subscriptionId: 'a' });
      await claim(alice, t0, { subscriptionId: 'b' });
      const ids = [...Array.from({ length: 600 }, (_, i) => `missing${i}@2025-10-14`), 'b@2025-10-14', 'a@2025-10-14', 'a@2025-10-14'];
      const found = await store.deliveries.getMany(ids);
      expect([...found.keys()].sort()).toEqual(['a@2025-10-14', 'b@2025-10-14']);
      expect(found.get('b@2025-10-14')).toEqual(await store.deliveries.get('b@2025-10-14'));
      expect(await store.deliveries.getMany([])).toEqual(new Map());
    });

    it("forgets only the named subscriptions' deliveries, with their posts and those posts' papers", async () => {
      const mine = 'personal:discord:ada';
      for (const date of ['2025-10-13', '2025-10-14']) await claim(alice, t0, { subscriptionId: mine, date });
      await claim(alice, t0, { subscriptionId: 'discord:c1' });
      const post = (messageId: string, deliveryId: string | null, paperIds: string[]) =>
        store.posts.record({ platform: 'discord', channelId: 'dm', messageId, paperIds, kind: 'digest', deliveryId, postedAt: t0 });
      await post('m1', `${mine}@2025-10-14`, [first.id, second.id]);
      await post('kept', null, [third.id]);
      await post('other', 'discord:c1@2025-10-14', [first.id]);

      expect(await store.deliveries.forget([])).toBe(0);
      expect(await store.deliveries.forget([mine])).toBe(2);
      expect(await store.deliveries.get(`${mine}@2025-10-13`)).toBeNull();
      expect(await store.deliveries.get(`${mine}@2025-10-14`)).toBeNull();
      expect(await store.posts.find('discord', 'dm', 'm1')).toBeNull();
      // The forgotten message's papers went with it: recorded again, it carries only the new ones.
      await post('m1', null, [third.id]);
      expect((await store.posts.find('discord', 'dm', 'm1'))?.paperIds).toEqual([third.id]);
      expect((await store.posts.find('discord', 'dm', 'kept'))?.paperIds).toEqual([third.id]);
      expect((await store.posts.find('discord', 'dm', 'other'))?.paperIds).toEqual([first.id]);
      expect(await store.deliveries.get('discord:c1@2025-10-14')).toMatchObject({ state: 'claimed' });
    });

    it('counts a heartbeat exactly the stale limit old as fresh, and one a millisecond older as stale', async () => {
      await claim(alice, t0);
      expect((await claim(bob, later(60_000))).won).toBe(false);
      expect(await claim(bob, later(60_001))).toMatchObject({ won: true, delivery: { owner: bob } });
    });

    it('records the message about to be sent with a heartbeat or a plan, and keeps it when a plain heartbeat follows', async () => {
      const { delivery } = await claim(alice, t0);
      expect(await store.deliveries.setPlan(delivery.id, alice, [first.id], { key: 'k0', at: later(1_000) })).toBe(true);
      expect(await store.deliveries.get(delivery.id)).toMatchObject({ plan: [first.id], sending: { key: 'k0', at: later(1_000) } });
      expect(await store.deliveries.heartbeat(delivery.id, alice, later(2_000), 'k1')).toBe(true);
      expect(await store.deliveries.get(delivery.id)).toMatchObject({ heartbeatAt: later(2_000), sending: { key: 'k1', at: later(2_000) } });
      expect(await store.deliveries.heartbeat(delivery.id, alice, later(3_000))).toBe(true);
      expect(await store.deliveries.get(delivery.id)).toMatchObject({ heartbeatAt: later(3_000), sending: { key: 'k1', at: later(2_000) } });
    });
  });

  describe('installations', () => {
    it('puts, replaces and deletes an installation per platform and key', async () => {
      expect(await store.installations.get('slack', 'team:T1')).toBeNull();
      await store.installations.put('slack', 'team:T1', '{"bot":{"token":"xoxb-1"}}');
      await store.installations.put('slack', 'enterprise:E1', '{"org":true}');
      await store.installations.put('slack', 'team:T1', '{"bot":{"token":"xoxb-2"}}');
      expect(await store.installations.get('slack', 'team:T1')).toBe('{"bot":{"token":"xoxb-2"}}');
      expect(await store.installations.get('slack', 'enterprise:E1')).toBe('{"org":true}');
      expect(await store.installations.get('discord', 'team:T1')).toBeNull();
      expect(await store.installations.delete('slack', 'team:T1')).toBe(true);
      expect(await store.installations.delete('slack', 'team:T1')).toBe(false);
      expect(await store.installations.get('slack', 'team:T1')).toBeNull();
      expect(await store.installations.get('slack', 'enterprise:E1')).toBe('{"org":true}');
    });
  });

  describe('meta', () => {
    it('sets, overwrites and deletes a value', async () => {
      expect(await store.meta.get('k')).toBeNull();
      await store.meta.set('k', 'one');
      await store.meta.set('k', 'two');
      expect(await store.meta.get('k')).toBe('two');
      await store.meta.set('k', null);
      expect(await store.meta.get('k')).toBeNull();
    });
  });
});
