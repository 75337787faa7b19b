import { readdirSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { Migrator, sql, type Kysely } from 'kysely';
import { PassThrough } from 'node:stream';
import ts from 'typescript';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../cli/main';
import { MIGRATIONS } from '../../src/store/migrations/index';
import { openStore } from '../../src/store/open';
import { paperToRow } from '../../src/store/rows';
import { parseListing } from '../../src/parse/index';
import type { Store } from '../../src/store/types';
import { readFixture, repoRoot } from '../helpers/fixtures';
import { storeKinds, testDatabase, withConnection } from '../helpers/stores';

const folder = path.join(repoRoot, 'src/store/migrations');
const migrationFiles = readdirSync(folder).filter((f) => /^\d{4}_\w+\.ts$/.test(f));

/** Every module a file imports or re-exports, dynamic imports and require() included. */
function importsOf(file: string): string[] {
  return ts.preProcessFile(readFileSync(path.join(folder, file), 'utf8'), true, true).importedFiles.map((f) => f.fileName);
}

describe('migration files', () => {
  it('import nothing but kysely and Node built-ins, so they never change with the application', () => {
    for (const file of migrationFiles)
      expect(
        importsOf(file).filter((m) => m !== 'kysely' && !isBuiltin(m)),
        file,
      ).toEqual([]);
  });

  it('are all in the ordered list under their own names, which the index alone imports', () => {
    expect(Object.keys(MIGRATIONS)).toEqual(migrationFiles.map((f) => f.replace(/\.ts$/, '')).sort());
    expect(
      importsOf('index.ts')
        .filter((m) => m !== 'kysely')
        .sort(),
    ).toEqual(Object.keys(MIGRATIONS).map((name) => `./${name}`));
  });
});

describe.each(storeKinds)('upgrading an old database on %s', (kind) => {
  let db: ReturnType<typeof testDatabase>;
  let store: Store | undefined;
  beforeEach(() => {
    db = testDatabase(kind);
    store = undefined;
  });
  afterEach(async () => {
    await store?.close();
    await db.cleanup();
  });

  /** Brings the test database to the schema of migration `last`, as released, then lets `seed` write to it. */
  function databaseAt(last: string, seed: (db: Kysely<any>) => Promise<unknown>): Promise<void> {
    return withConnection(db.url, async (conn) => {
      const upToLast = Object.fromEntries(Object.entries(MIGRATIONS).filter(([name]) => name <= last));
      const migrator = new Migrator({
        db: conn.db,
        provider: { getMigrations: async () => upToLast },
        ...(conn.dialect === 'postgres' ? { migrationTableSchema: conn.schema } : {}),
      });
      const { error } = await migrator.migrateToLatest();
      if (error) throw error;
      await seed(conn.db as Kysely<any>);
    });
  }

  it.each(['0002_full_text', '0006_threads'])('makes papers stored at %s searchable on the engine, with no step after migrate (0007)', async (last) => {
    const listed = parseListing(readFixture('hf-api/daily_papers-2025-10-14.json')).papers[0]!;
    const paper = { ...listed, id: 'old', title: 'Memorizing Transformers', summary: 'Models that memorize at test time.', keywords: ['attention'] };
    // The row as that version stored it: categories came with 0004.
    const { categories, ...row } = paperToRow(paper, new Date('2025-10-14T08:00:00Z'));
    await databaseAt(last, (old) =>
      old
        .insertInto('papers')
        .values(last < '0004' ? row : { ...row, categories })
        .execute(),
    );
    store = await openStore(db.url);
    expect((await store.search.find('memorize transformers', 5)).map((p) => p.id)).toEqual(['old']);
    expect((await store.search.documentFrequencies(['memorizing'])).docFreq.get('memorizing')).toBe(1);
    // The engine follows later writes through its triggers.
    await store.papers.upsert([{ ...paper, title: 'Forgetting Transformers', summary: 'Models that forget.' }], new Date('2025-10-15T08:00:00Z'));
    expect(await store.search.find('memorizing transformers', 5)).toEqual([]);
    expect((await store.search.find('forgetting', 5)).map((p) => p.id)).toEqual(['old']);
  });

  it.runIf(kind === 'sqlite')('indexes the titles of papers stored at 0023 for the title pass, and follows later writes (0024)', async () => {
    const listed = parseListing(readFixture('hf-api/daily_papers-2025-10-14.json')).papers[0]!;
    const paper = { ...listed, id: 'old', title: 'Memorizing Transformers', summary: 'Models that memorize at test time.' };
    await databaseAt('0023_a_stored_order', (old) =>
      old
        .insertInto('papers')
        .values(paperToRow(paper, new Date('2025-10-14T08:00:00Z')))
        .execute(),
    );
    const opened = (store = await openStore(db.url));
    await withConnection(db.url, async (conn) => {
      const titled = async (word: string) =>
        (await sql<{ n: number }>`select count(*) as n from papers_title_fts where papers_title_fts match ${word}`.execute(conn.db)).rows[0]!.n;
      expect(await titled('memorizing')).toBe(1);
      await opened.papers.upsert([{ ...paper, title: 'Forgetting Transformers' }], new Date('2025-10-15T08:00:00Z'));
      expect([await titled('memorizing'), await titled('forgetting')]).toEqual([0, 1]);
    });
  });

  it('shows how far 0007 has got on a large store, in plain lines when papers migrate is not on a terminal', { timeout: 120_000 }, async () => {
    // PostgreSQL reports per statement, whatever the size: a few papers are enough there.
    const count = kind === 'sqlite' ? 45_000 : 1_000;
    const listed = parseListing(readFixture('hf-api/daily_papers-2025-10-14.json')).papers[0]!;
    await databaseAt('0006_threads', async (old) => {
      for (let from = 0; from < count; from += 1_000) {
        const rows = Array.from({ length: 1_000 }, (_, k) => {
          const { categories, ...row } = paperToRow({ ...listed, id: `p${from + k}`, title: `Paper ${from + k} on memory` }, new Date('2025-10-14T08:00:00Z'));
          return row;
        });
        await old.insertInto('papers').values(rows).execute();
      }
    });
    const stderr = new PassThrough();
    const err: string[] = [];
    stderr.on('data', (c: Buffer) => err.push(c.toString()));
    const code = await main(['migrate'], {
      env: { DATABASE_URL: db.url },
      cwd: repoRoot,
      stdin: new PassThrough(),
      stdout: new PassThrough(),
      stderr,
      shutdownSignal: new Promise(() => {}),
    });
    expect(code).toBe(0);
    const lines = err.join('').trimEnd().split('\n');
    const from = lines.findIndex((l) => l.startsWith('papers migrate: applying 0007_engine_search '));
    const shown = lines.slice(from + 1, from + 1 + lines.slice(from + 1).findIndex((l) => l.startsWith('papers migrate: 0007_engine_search done')));
    // SQLite indexes the papers 20,000 at a time; PostgreSQL only says which of its three statements it is at.
    const [first, last] = kind === 'sqlite' ? ['20,000/45,000 papers (44%)', '45,000/45,000 papers (100%)'] : ['0/3 steps (0%)', '3/3 steps (100%)'];
    expect(shown[0]).toMatch(
      new RegExp(`^papers migrate: 0007_engine_search: ${first.replace(/[()]/g, '\\$&')}, [\\d,]+ \\w+/s, (\\d+ s left|time left unknown)$`),
    );
    expect(shown.at(-1)).toMatch(new RegExp(`^papers migrate: 0007_engine_search: ${last.replace(/[()]/g, '\\$&')}, `));
    store = await openStore(db.url, { migrate: false });
    expect(await store.search.find(`paper ${count - 1} memory`, 5)).toMatchObject([{ id: `p${count - 1}` }]);
  });

  it('a step that fails stops papers migrate with one line naming it; once the database is corrected, migrate completes', async () => {
    // A column added by hand before the release that adds it: 0021_a cannot add it again.
    await databaseAt('0021', (old) => old.schema.alterTable('threads').addColumn('owner_host', 'text').execute());
    const run = async () => {
      const out: string[] = [];
      const err: string[] = [];
      const stdout = new PassThrough().on('data', (c: Buffer) => out.push(c.toString()));
      const stderr = new PassThrough().on('data', (c: Buffer) => err.push(c.toString()));
      const code = await main(['migrate'], {
        env: { DATABASE_URL: db.url },
        cwd: repoRoot,
        stdin: new PassThrough(),
        stdout,
        stderr,
        shutdownSignal: new Promise(() => {}),
      });
      return { code, stdout: out.join(''), lines: err.join('').trimEnd().split('\n') };
    };
    const failed = await run();
    expect(failed.code).toBe(1);
    expect(failed.stdout).toBe('');
    expect(failed.lines).toEqual([
      expect.stringMatching(/^papers migrate: applying 0021_a_thread_owners \(1\/\d+\)$/),
      expect.stringMatching(/^papers migrate: migration 0021_a_thread_owners failed, and none after it ran: .*owner_host/),
    ]);
    expect(failed.lines[1]).not.toContain('unexpected');

    await withConnection(db.url, (conn) => conn.db.schema.alterTable('threads').dropColumn('owner_host').execute());
    const fixed = await run();
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toMatch(/^migrated database from version 19 to \d+\n$/);
  });

  it('moves Slack installations from meta rows to the installations repository (0005)', async () => {
    const team = JSON.stringify({ team: { id: 'T1' }, bot: { token: 'xoxb-team' } });
    const org = JSON.stringify({ enterprise: { id: 'E1' }, isEnterpriseInstall: true, bot: { token: 'xoxb-org' } });
    await databaseAt('0004_arxiv_categories', (old) =>
      old
        .insertInto('meta')
        .values([
          { key: 'slack:installation:team:T1', value: team },
          { key: 'slack:installation:enterprise:E1', value: org },
          { key: 'source:status', value: '{}' },
        ])
        .execute(),
    );
    store = await openStore(db.url);
    expect(await store.installations.get('slack', 'team:T1')).toBe(team);
    expect(await store.installations.get('slack', 'enterprise:E1')).toBe(org);
    expect(await store.meta.get('slack:installation:team:T1')).toBeNull();
    expect(await store.meta.get('slack:installation:enterprise:E1')).toBeNull();
    expect(await store.meta.get('source:status')).toBe('{}');
  });

  it('keeps every subscription, with threads and publish off, and starts with no threads (0006)', async () => {
    const now = '2025-10-14T08:00:00.000Z';
    await databaseAt('0005_installations', (old) =>
      old
        .insertInto('subscriptions')
        .values({
          id: 'discord:c1',
          platform: 'discord',
          workspace_id: 'g1',
          channel_id: 'c1',
          time: '09:00',
          timezone: 'UTC',
          top: 5,
          topics: '[]',
          min_upvotes: 0,
          rank: 'balanced',
          arxiv: '[]',
          enabled: 1,
          origin: 'command',
          created_by: 'u1',
          created_at: now,
          updated_at: now,
          failures: 0,
          last_error: null,
          disabled_reason: null,
        })
        .execute(),
    );
    store = await openStore(db.url);
    expect(await store.subscriptions.get('discord:c1')).toMatchObject({ channelId: 'c1', top: 5, threads: false, publish: false });
    expect(await store.threads.find('discord', 'c1', 'm1')).toBeNull();
  });

  it('keeps every subscription posting every day (0009 a)', async () => {
    const now = '2025-10-14T08:00:00.000Z';
    await databaseAt('0006_threads', (old) =>
      old
        .insertInto('subscriptions')
        .values({
          id: 'slack:C1',
          platform: 'slack',
          workspace_id: 'T1',
          channel_id: 'C1',
          time: '09:00',
          timezone: 'UTC',
          top: 5,
          topics: '[]',
          min_upvotes: 0,
          rank: 'balanced',
          arxiv: '[]',
          enabled: 1,
          origin: 'command',
          created_by: 'u1',
          created_at: now,
          updated_at: now,
          failures: 0,
          last_error: null,
          disabled_reason: null,
          threads: 1,
          publish: 0,
        })
        .execute(),
    );
    store = await openStore(db.url);
    expect(await store.subscriptions.get('slack:C1')).toMatchObject({ channelId: 'C1', threads: true, every: 'day', weekDay: 'mon' });
  });

  it('keeps the papers of every post in display order, one list per post, and digests still count as posted (0026 a)', async () => {
    const at = '2025-10-14T09:00:00.000Z';
    const post = (message_id: string, kind: string) => ({
      platform: 'discord',
      channel_id: 'C1',
      message_id,
      kind,
      delivery_id: kind === 'digest' ? 'd1' : null,
      posted_at: at,
    });
    await databaseAt('0025_a_session_pending_list', async (old) => {
      await old
        .insertInto('posts')
        .values([post('header', 'digest'), post('m1', 'digest'), post('m2', 'answer')])
        .execute();
      // Positions inserted out of order: the list follows position, not insertion.
      const papers = (message_id: string, ids: string[]) =>
        ids.map((paper_id, i) => ({ platform: 'discord', channel_id: 'C1', message_id, position: i + 1, paper_id }));
      await old
        .insertInto('post_papers')
        .values([...papers('m1', ['a', 'b', 'c']).reverse(), ...papers('m2', ['z', 'y'])])
        .execute();
    });
    store = await openStore(db.url);
    expect((await store.posts.find('discord', 'C1', 'm1'))?.paperIds).toEqual(['a', 'b', 'c']);
    expect((await store.posts.find('discord', 'C1', 'm2'))?.paperIds).toEqual(['z', 'y']);
    expect((await store.posts.forDelivery('d1')).map((p) => [p.messageId, p.paperIds])).toEqual([
      ['header', []],
      ['m1', ['a', 'b', 'c']],
    ]);
    expect([...(await store.posts.paperIdsPostedInChannel('discord', 'C1', new Date('2025-10-14T00:00:00Z')))].sort()).toEqual(['a', 'b', 'c']);
  });
});
