import { describe, expect, it } from 'vitest';
import { MAX_CONTENT, MAX_EMBEDS, renderReply } from '../../adapters/discord/render';
import { reactionKind } from '../../adapters/discord/translate';
import { resolveShardCount } from '../../adapters/discord/sharding';
import { startFakeDiscord } from '../fakes/discord';
import { readFixture } from '../helpers/fixtures';
import { parseListing } from '../../src/parse/index';
import { discordAdapter } from '../../adapters/discord/index';
import { loadBotConfig } from '../../adapters/index';
import { ConfigError } from '../../src/errors';
import type { Reply } from '../../src/chat/reply';

const papers = parseListing(readFixture('hf-api/daily_papers-2025-10-14.json')).papers;

function embedTotal(reply: Reply): number {
  return renderReply(reply).embeds.reduce(
    (n, e) => n + (e.title?.length ?? 0) + (e.description?.length ?? 0) + (e.author?.name.length ?? 0) + (e.footer?.text.length ?? 0),
    0,
  );
}

describe('Discord render', () => {
  it('shows a paper as an embed with its link, byline, links and thumbnail as the image', () => {
    const paper = papers.find((p) => p.thumbnailUrl && p.githubUrl)!;
    const [embed] = renderReply({ blocks: [{ kind: 'paper', paper, reason: 'most upvoted' }], visibility: 'public', fallback: paper.title }).embeds;
    expect(embed!.url).toBe(paper.url);
    expect(embed!.image).toEqual({ url: paper.thumbnailUrl });
    expect(embed!.description).toContain(`▲ ${paper.upvotes}`);
    expect(embed!.description).toContain(`[arXiv](https://arxiv.org/abs/${paper.arxivId})`);
    expect(embed!.description).toContain('[Code](');
    expect(embed!.footer).toEqual({ text: 'most upvoted' });
  });

  it('escapes markdown in untrusted titles and drops links that are not http(s)', () => {
    const paper = {
      ...papers[0]!,
      title: '**Bold** [click](https://evil.example) `x`',
      url: 'javascript:alert(1)',
      thumbnailUrl: 'file:///etc/passwd',
      githubUrl: null,
    };
    const [embed] = renderReply({ blocks: [{ kind: 'paper', paper }], visibility: 'public', fallback: '' }).embeds;
    expect(embed!.title).toBe('\\*\\*Bold\\*\\* \\[click\\](https://evil.example) \\`x\\`');
    expect(embed!.url).toBeUndefined();
    expect(embed!.image).toBeUndefined();
  });

  it("escapes `)` in link URLs so an untrusted URL cannot end its masked link and spoof another's text", () => {
    const paper = { ...papers[0]!, url: 'https://huggingface.co/papers/x)', githubUrl: 'https://github.com/a/b)[Click here](https://evil.example' };
    const [embed] = renderReply({ blocks: [{ kind: 'paper', paper }], visibility: 'public', fallback: '' }).embeds;
    expect(embed!.url).toBe('https://huggingface.co/papers/x%29');
    expect(embed!.description!.split('\n').at(-1)!.split(' · ').at(-1)).toBe('[Code](https://github.com/a/b%29[Click%20here](https://evil.example)');
  });

  it('keeps within 2000 characters of content, 10 embeds and 6000 embed characters', () => {
    const many: Reply = {
      blocks: [
        { kind: 'text', text: 'x'.repeat(5000) },
        {
          kind: 'papers',
          items: papers
            .slice(0, 15)
            .map((paper, i) => ({ rank: i + 1, paper: { ...paper, summary: paper.summary.repeat(5), aiSummary: null }, reason: 'r'.repeat(300) })),
        },
      ],
      visibility: 'public',
      fallback: '',
    };
    const msg = renderReply(many);
    expect(msg.content!.length).toBeLessThanOrEqual(MAX_CONTENT);
    expect(msg.embeds).toHaveLength(MAX_EMBEDS);
    expect(embedTotal(many)).toBeLessThanOrEqual(6000);
  });

  it('makes private replies ephemeral, documents files, and never sends an empty message', () => {
    expect(renderReply({ blocks: [{ kind: 'text', text: 'hi' }], visibility: 'private', fallback: 'hi' }).ephemeral).toBe(true);
    const file = renderReply({
      blocks: [{ kind: 'file', name: 'bookmarks.bib', mime: 'text/x-bibtex', content: '@article{a}' }],
      visibility: 'private',
      fallback: 'export',
    });
    expect(file.files).toEqual([{ name: 'bookmarks.bib', data: Buffer.from('@article{a}') }]);
    expect(renderReply({ blocks: [], visibility: 'public', fallback: 'nothing new' }).content).toBe('nothing new');
  });
});

describe('Discord reactions', () => {
  it('reads 🔖 and keycaps (with or without the variation selector), and ignores custom emoji', () => {
    expect(reactionKind({ id: null, name: '🔖' })).toEqual({ kind: 'bookmark' });
    expect(reactionKind({ id: null, name: '3️⃣' })).toEqual({ kind: 'keycap', n: 3 });
    expect(reactionKind({ id: null, name: '3\u20e3' })).toEqual({ kind: 'keycap', n: 3 });
    expect(reactionKind({ id: null, name: '🔟' })).toEqual({ kind: 'keycap', n: 10 });
    expect(reactionKind({ id: null, name: '🔥' })).toBeNull();
    expect(reactionKind({ id: '123456789012345678', name: 'bookmark' })).toBeNull();
  });
});

describe('Discord shard count', () => {
  const discord = (env: Record<string, string>) => discordAdapter.settingsOf(loadBotConfig({ DISCORD_TOKEN: 't0ken', ...env }))!;

  it('takes a number as given, and leaves auto to discord.js without a REST override', async () => {
    expect(await resolveShardCount(discord({ DISCORD_SHARDS: '4' }))).toBe(4);
    expect(await resolveShardCount(discord({}))).toBe(1);
    expect(await resolveShardCount(discord({ DISCORD_SHARDS: 'auto' }))).toBe('auto');
  });

  it('reads a range A-B/N as shards A to B of N, and refuses one that is not inside N', () => {
    expect(discord({ DISCORD_SHARDS: '2-3/4' }).shards).toEqual({ first: 2, last: 3, total: 4 });
    expect(discord({ DISCORD_SHARDS: '0-0/1' }).shards).toEqual({ first: 0, last: 0, total: 1 });
    for (const bad of ['3-2/4', '0-4/4', '1-2', '-1-2/4', '0-1/0']) {
      expect(() => discord({ DISCORD_SHARDS: bad }), bad).toThrow(/DISCORD_SHARDS must be "auto", a number of shards, or A-B\/N/);
    }
  });

  it('asks {DISCORD_API_URL}/v10/gateway/bot for auto when the API is overridden', async () => {
    const fake = await startFakeDiscord({ recommendedShards: 3 });
    try {
      expect(await resolveShardCount(discord({ DISCORD_SHARDS: 'auto', DISCORD_API_URL: fake.apiUrl }))).toBe(3);
      expect(fake.requests[0]).toMatchObject({ method: 'GET', path: '/gateway/bot' });
      expect(fake.requests[0]!.headers.authorization).toBe('Bot t0ken');
      const missing = resolveShardCount(discord({ DISCORD_SHARDS: 'auto', DISCORD_API_URL: `${fake.apiUrl}/nowhere` }));
      await expect(missing).rejects.toBeInstanceOf(ConfigError);
      await expect(missing).rejects.toThrow(/DISCORD_SHARDS=auto: cannot ask .*HTTP 404/);
    } finally {
      await fake.close();
    }
  });
});
