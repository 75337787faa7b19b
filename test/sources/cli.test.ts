import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixturePath, readFixture } from '../helpers/fixtures';
import { runPapers } from '../helpers/run-cli';
import { openTestStore, storeKinds } from '../helpers/stores';
import { startFakeSource, type FakeSource } from '../fakes/hf-server';

let source: FakeSource;
beforeEach(async () => {
  source = await startFakeSource();
  source.days.set('2025-10-14', readFixture('hf-api/daily_papers-2025-10-14.json'));
});
afterEach(() => source.close());

describe('papers digest --source URL', () => {
  const opts = ['--today', '2025-10-15', '--limit', '5'];

  it('prints the same digest as --source FILE of the same content', async () => {
    const fromUrl = await runPapers(['digest', '--source', `${source.url}/api/daily_papers?date=2025-10-14`, ...opts]);
    const fromFile = await runPapers(['digest', '--source', fixturePath('hf-api/daily_papers-2025-10-14.json'), ...opts]);
    expect(fromUrl).toEqual({ code: 0, stdout: fromFile.stdout, stderr: '' });
    expect(fromUrl.stdout).toMatch(/^1\. /);
  });

  it('detects other formats too (an arXiv feed)', async () => {
    source.files.set('/feed.xml', { body: readFixture('arxiv/api-query-all-testing-start0-max10.xml'), contentType: 'application/atom+xml' });
    const fromUrl = await runPapers(['digest', '--source', `${source.url}/feed.xml`, ...opts]);
    const fromFile = await runPapers(['digest', '--source', fixturePath('arxiv/api-query-all-testing-start0-max10.xml'), ...opts]);
    expect(fromUrl).toEqual({ code: 0, stdout: fromFile.stdout, stderr: '' });
  });

  it('a 500: one line on stderr, exit 1', async () => {
    source.script({ kind: 'status', status: 500 }, { kind: 'status', status: 500 });
    const url = `${source.url}/api/daily_papers?date=2025-10-14`;
    expect(await runPapers(['digest', '--source', url])).toEqual({
      code: 1,
      stdout: '',
      stderr: `papers digest: cannot fetch ${url}: HTTP 500 Internal Server Error (after 2 attempts)\n`,
    });
  });

  it('an unreachable URL: one line on stderr, exit 1', async () => {
    const url = `${source.url}/api/daily_papers?date=2025-10-14`;
    await source.close();
    expect(await runPapers(['digest', '--source', url])).toEqual({
      code: 1,
      stdout: '',
      stderr: `papers digest: cannot fetch ${url}: connection refused (after 2 attempts)\n`,
    });
  });
});

describe.each(storeKinds)('papers import on %s', (kind) => {
  let store: Awaited<ReturnType<typeof openTestStore>>;
  beforeEach(async () => {
    store = await openTestStore(kind);
  });
  afterEach(() => store.cleanup());

  it('loads files and URLs and says per input how many papers were new or updated', async () => {
    const env = { DATABASE_URL: store.url };
    const file = fixturePath('hf-api/daily_papers-2025-10-14.json');
    const url = `${source.url}/api/daily_papers?date=2025-10-14`;
    const changed = JSON.parse(readFixture('hf-api/daily_papers-2025-10-14.json')) as { paper: { upvotes: number } }[];
    changed[0]!.paper.upvotes += 100;
    source.files.set('/later.json', { body: JSON.stringify(changed), contentType: 'application/json' });

    const r = await runPapers(['import', file, url, `${source.url}/later.json`], { env });
    expect(r).toEqual({
      code: 0,
      stdout: [
        `${file}: 39 papers (hf-api): 39 new, 0 updated, 0 unchanged`,
        `${url}: 39 papers (hf-api): 0 new, 0 updated, 39 unchanged`,
        `${source.url}/later.json: 39 papers (hf-api): 0 new, 1 updated, 38 unchanged`,
        '',
      ].join('\n'),
      stderr: '',
    });
    expect(await store.store.papers.count()).toBe(39);
  });

  it('reports a bad input on stderr, still loads the others, and exits 1', async () => {
    const env = { DATABASE_URL: store.url };
    source.files.set('/broken.json', { body: readFixture('hf-api/daily_papers-2025-10-14.json').slice(0, 3000), contentType: 'application/json' });
    const arxiv = fixturePath('arxiv/api-id_list-1605.08386.xml');
    const r = await runPapers(['import', `${source.url}/broken.json`, 'no-such-file.json', arxiv], { env });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(`${arxiv}: 1 paper (arxiv): 1 new, 0 updated, 0 unchanged\n`);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^papers import: ${source.url}/broken.json: hf-api: invalid JSON \\(truncated\\?\\)`));
    expect(lines[1]).toBe('papers import: cannot read no-such-file.json: no such file');
    expect(await store.store.papers.count()).toBe(1);
  });

  it('stores a file larger than one write in several, with progress on stderr, and loses nothing', async () => {
    const env = { DATABASE_URL: store.url };
    // 5,001 entries: a full write of 5,000, then one of a single paper.
    const real = JSON.parse(readFixture('hf-api/daily_papers-2025-10-14.json')) as { paper: { id: string; title: string } }[];
    const many = Array.from({ length: 5_001 }, (_, n) => {
      const entry = structuredClone(real[n % real.length]!);
      entry.paper.id = `2601.${String(n).padStart(5, '0')}`;
      entry.paper.title = `${entry.paper.title} (${n})`;
      return entry;
    });
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'papers-import-')), 'many.json');
    writeFileSync(file, JSON.stringify(many));

    const first = await runPapers(['import', file], { env });
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(`${file}: 5001 papers (hf-api): 5001 new, 0 updated, 0 unchanged\n`);
    expect(first.stderr.trimEnd().split('\n').at(-1)).toMatch(
      new RegExp(`^papers import: ${file}: 5,001/5,001 papers \\(100%\\), [\\d,]+ papers/s, 0 s left$`),
    );
    expect(await store.store.papers.count()).toBe(5_001);
    expect(await store.store.papers.getMany(['2601.00000', '2601.04999', '2601.05000'])).toHaveLength(3);

    const again = await runPapers(['import', file], { env });
    expect(again.stdout).toBe(`${file}: 5001 papers (hf-api): 0 new, 0 updated, 5001 unchanged\n`);
  });

  it('a usage mistake is exit 2', async () => {
    expect(await runPapers(['import'], { env: { DATABASE_URL: store.url } })).toMatchObject({ code: 2, stdout: '' });
  });
});
