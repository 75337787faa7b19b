import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPapers as papers } from '../helpers/run-cli';
import type { Paper } from '../../src/model/paper';
import { parseListing } from '../../src/parse/index';
import { fixturePath, readFixture, repoRoot } from '../helpers/fixtures';
import { openTestStore } from '../helpers/stores';

const hfText = fixturePath('hf-text/daily-papers-search-2026-04-21.txt');

describe('papers parse', () => {
  it('prints the 37 papers of the hf-text listing as JSON', async () => {
    const r = await papers(['parse', hfText, '--today', '2026-04-21']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const list = JSON.parse(r.stdout) as Paper[];
    expect(list).toHaveLength(37);
    expect(list.find((p) => p.organization)).toMatchObject({
      title: 'Attention Residuals',
      organization: 'Moonshot AI',
      publishedAt: '2026-03-16',
      upvotes: 6,
    });
  });

  it('reads stdin for -, with a forced format', async () => {
    const r = await papers(['parse', '-', '--format', 'arxiv'], { stdin: readFixture('arxiv/api-id_list-1605.08386.xml') });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as Paper[]).map((p) => p.id)).toEqual(['1605.08386']);
  });

  it('unparseable input: exit 2 and one line on stderr', async () => {
    const r = await papers(['parse', '-', '--format', 'hf-api'], { stdin: '<!DOCTYPE html><html><title>502 Bad Gateway</title></html>' });
    expect(r).toEqual({ code: 2, stdout: '', stderr: 'papers parse: hf-api: expected JSON but got an HTML page titled "502 Bad Gateway" (at line 1)\n' });
  });

  it('reports skipped entries on stderr and still prints the good ones', async () => {
    const broken = readFixture('hf-text/daily-papers-search-2026-04-21.txt').replace('Dec 12, 2022', 'Dec 42, 2022');
    const r = await papers(['parse', '-', '--today', '2026-04-21'], { stdin: broken });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveLength(36);
    expect(r.stderr).toBe(
      'papers parse: skipped a bad entry at line 19: "Attentive Deep Neural Networks for Legal Document Retrieval": expected a date like "Dec 12, 2022" or "Mar 17" (optionally followed by upvotes), got "Dec 42, 2022"\n',
    );
  });

  it.each([
    [['parse'], 'papers parse: expected one FILE or - (stdin)'],
    [['parse', 'missing.txt'], 'papers parse: cannot read missing.txt: no such file'],
    [['parse', hfText, '--format', 'pdf'], 'papers parse: --format must be one of auto, hf-text, hf-api, hf-html, arxiv; got "pdf"'],
    [['parse', hfText, '--today', '2026-02-30'], 'papers parse: --today must be a date as YYYY-MM-DD, got "2026-02-30"'],
    [
      ['parse', hfText, '--bogus'],
      "papers parse: Unknown option '--bogus'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- \"--bogus\"",
    ],
    [['digest', '--limit', '3', 'extra.txt'], 'papers digest: unexpected argument "extra.txt"'],
    [['migrate', 'now'], 'papers migrate: unexpected argument "now"'],
  ])('operator mistake %j: exit 2, one line', async (argv, line) => {
    const r = await papers(argv);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(line);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('papers COMMAND --help', () => {
  it.each(['parse', 'digest', 'import', 'post-daily', 'register', 'migrate', 'rest-proxy', 'rotate-key'])(
    '%s: prints its usage on stdout, exit 0, nothing done',
    async (name) => {
      for (const flag of ['--help', '-h']) {
        const r = await papers([name, flag]);
        expect(r).toEqual({ code: 0, stdout: expect.stringMatching(new RegExp(`^usage: papers ${name}\\b[^\\n]*\\n$`)), stderr: '' });
      }
    },
  );
});

describe('papers digest', () => {
  it('ranks Attention Residuals first in the hf-text listing', async () => {
    const r = await papers(['digest', '--source', hfText, '--limit', '3', '--today', '2026-04-21']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe(
      [
        '1. Attention Residuals',
        '   6 upvotes · 2026-03-16 · no link',
        '   why: 6 upvotes · 36 days old',
        '',
        '2. ACE-LoRA: Graph-Attentive Context Enhancement for Parameter-Efficient Adaptation of Medical Vision-Language Models',
        '   2 upvotes · 2026-03-17 · no link',
        '   why: 2 upvotes · 35 days old',
        '',
        '3. How Many Heads Make an SSM? A Unified Framework for Attention and State Space Models',
        '   0 upvotes · 2025-12-17 · no link',
        '   why: 0 upvotes · 125 days old',
        '',
      ].join('\n'),
    );
  });

  it('--json gives ranked papers with title, score and reason; topics and min-upvotes apply', async () => {
    const r = await papers([
      'digest',
      '--source',
      fixturePath('hf-api/daily_papers-2025-10-14.json'),
      '--json',
      '--limit',
      '5',
      '--topics',
      'reinforcement, -video',
      '--min-upvotes',
      '10',
      '--today',
      '2025-10-14',
    ]);
    expect(r.code).toBe(0);
    const ranked = JSON.parse(r.stdout) as { rank: number; title: string; score: number; reason: string; upvotes: number }[];
    expect(ranked.map((x) => x.rank)).toEqual([1, 2, 3, 4, 5]);
    expect(ranked[0]).toMatchObject({ title: 'QeRL: Beyond Efficiency -- Quantization-enhanced Reinforcement Learning for LLMs', upvotes: 75 });
    expect(ranked[0]!.reason).toBe('75 upvotes · listed today · matches: reinforcement');
    for (const x of ranked) {
      expect(x.upvotes).toBeGreaterThanOrEqual(10);
      expect(x.title).not.toMatch(/video/i);
      expect(x.score).toBeGreaterThan(0);
    }
    expect([...ranked].sort((a, b) => b.score - a.score)).toEqual(ranked);
  });

  it('rejects a bad topic with one line', async () => {
    const r = await papers(['digest', '--source', hfText, '--topics', 'llm, <b>']);
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toBe(
      'papers digest: --topics: "<b>" is not a topic: use words separated by commas (up to 48 characters each), e.g. "llm, vision, -robotics"\n',
    );
  });

  describe('without --source: the store', () => {
    let db: Awaited<ReturnType<typeof openTestStore>>;
    beforeAll(async () => {
      db = await openTestStore('sqlite');
      await db.store.papers.upsert(parseListing(readFixture('hf-api/daily_papers-2025-10-14.json')).papers, new Date('2025-10-14T08:00:00Z'));
      await db.store.close();
    });
    afterAll(() => db.cleanup());

    it("ranks the store's latest list on or before --today", async () => {
      const r = await papers(['digest', '--limit', '2', '--today', '2025-10-15', '--json'], { env: { DATABASE_URL: db.url } });
      expect(r).toMatchObject({ code: 0, stderr: '' });
      const ranked = JSON.parse(r.stdout) as { id: string; listedOn: string }[];
      expect(ranked.map((x) => [x.id, x.listedOn])).toEqual([
        ['2510.11696', '2025-10-14'],
        [expect.any(String), '2025-10-14'],
      ]);
    });

    it('says what to do when the store has no list yet', async () => {
      const r = await papers(['digest', '--today', '2025-10-01'], { env: { DATABASE_URL: db.url } });
      expect(r).toEqual({
        code: 1,
        stdout: '',
        stderr: 'papers digest: the store has no Daily Papers list on or before 2025-10-01: run "papers import" first, or pass --source FILE\n',
      });
    });
  });
});

describe('the papers bin', () => {
  it('runs `papers parse` as a process', async () => {
    const { stdout } = await promisify(execFile)(
      'node',
      ['bin/papers.mjs', 'parse', fixturePath('arxiv/rss-cs.LG+cs.AI+cs.CL+stat.ML-2026-09-24-trimmed.xml')],
      { cwd: repoRoot },
    );
    expect((JSON.parse(stdout) as Paper[]).map((p) => p.id)).toEqual(['2609.26811', '2609.26820', '2205.06398', '2009.13987']);
  });
});
