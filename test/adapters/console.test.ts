import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { consoleAdapter } from '../../adapters/console/index';
import { renderMessages } from '../../adapters/console/render';
import { commands } from '../../commands/index';
import type { Services } from '../../src/chat/command';
import { testServices, bundledPapers } from '../commands/services';
import { hostAdapter } from '../helpers/host';

let t: Awaited<ReturnType<typeof testServices>>;
beforeEach(async () => void (t = await testServices()));
afterEach(async () => t.cleanup());

/** Types the lines into a console, waits for the end of input, and returns what it printed after its banner. */
async function session(lines: string[], opts: { user?: string; svc?: Services } = {}): Promise<string> {
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = '';
  output.on('data', (d) => (printed += String(d)));
  const console = await hostAdapter(consoleAdapter, opts.svc ?? t.svc, { input, output, user: opts.user });
  input.end(lines.map((l) => `${l}\n`).join(''));
  await console.stopRequested;
  await console.stop();
  return printed.slice(printed.indexOf('quit (or end of input) leaves.\n') + 'quit (or end of input) leaves.\n'.length);
}

describe('console adapter', () => {
  it('prints each paper of today as its own numbered message; react 1 🔖 bookmarks the top paper', async () => {
    const out = await session(['/papers today', 'react 1 🔖', '/papers bookmarks']);
    expect(out).toMatch(/^Daily Papers of Tue, Oct 14, 2025, the latest list .*: top 5 of 39\.\n\[1\] QeRL: Beyond Efficiency/);
    expect(out).toMatch(/\n\[5\] AVoCaDO/);
    expect(out).toContain(
      '(only you can see this)\nBookmarked "QeRL: Beyond Efficiency -- Quantization-enhanced Reinforcement Learning for LLMs". See /papers bookmarks.\n',
    );
    expect(out).toMatch(/Your bookmarks \(1\):\n\[6\] 1\. QeRL: Beyond Efficiency/);
  });

  it('takes a keycap on a list message as its n-th paper, and unreact takes it back', async () => {
    const out = await session(['/papers top day limit 3', 'react 1 2', 'unreact 1 2️⃣', 'react 1 :three:', '/papers bookmarks']);
    expect(out).toMatch(/^Top 3 of the day \(Tue, Oct 14, 2025\)\.\n\[1\] 1\. QeRL.*\n {7}arXiv 2510\.11696 · 75 upvotes.*\n {4}2\. Diffusion Transformers/);
    expect(out).toContain('Bookmarked "Diffusion Transformers with Representation Autoencoders"');
    expect(out).toContain('Removed "Diffusion Transformers with Representation Autoencoders" from your bookmarks.');
    expect(out).toMatch(/Your bookmarks \(1\):\n\[2\] 1\. OmniVideoBench/);
  });

  it('clicks a numbered message’s buttons: Save toggles, Abstract and Similar answer privately, Discuss opens one thread', async () => {
    const out = await session([
      '/papers paper 2510.11696',
      'click 1 save',
      'click 1 save',
      'click 1 abstract',
      'click 1 similar',
      'click 1 discuss',
      'click 1 discuss',
      '/papers top day limit 3',
      'click 3 save 2',
      '/papers bookmarks',
    ]);
    expect(out).toMatch(/^\[1\] QeRL[\s\S]*\(click 1 save\|similar\|abstract\|discuss\)\n/);
    expect(out).toContain(
      '(only you can see this)\nSaved "QeRL: Beyond Efficiency -- Quantization-enhanced Reinforcement Learning for LLMs" to your bookmarks.',
    );
    expect(out).toContain(
      '(only you can see this)\nRemoved "QeRL: Beyond Efficiency -- Quantization-enhanced Reinforcement Learning for LLMs" from your bookmarks.',
    );
    expect(out).toContain('(only you can see this)\nQeRL: Beyond Efficiency -- Quantization-enhanced Reinforcement Learning for LLMs\nAI summary: QeRL');
    expect(out).toMatch(/\(only you can see this\)\nPapers like "QeRL[^\n]*\n\[2\] 1\. /);
    expect(out.match(/Discussion thread on \[1\]: QeRL/g)).toHaveLength(1);
    expect(out).toContain('Opened a discussion thread on "QeRL');
    expect(out).toContain('already has its discussion thread on that message.');
    expect(out).toMatch(/\[3\] 1\. QeRL[\s\S]*\(click 3 save <1-3> saves one of these\)/);
    expect(out).toMatch(/Saved "Diffusion Transformers with Representation Autoencoders"/);
    expect(out).toMatch(/Your bookmarks \(1\):\n\[\d+\] 1\. Diffusion Transformers/);
  });

  it('answers a click it cannot act on with what is accepted', async () => {
    const out = await session([
      '/papers top day limit 3',
      'click 1 save',
      'click 1 save 9',
      'click 1 save 11',
      'click 1 frobnicate',
      'click one save',
      'click 42 save',
      'click 1 save 2 3',
    ]);
    for (const message of [
      'That message lists 3 papers; say which, e.g. click 1 save 1.',
      'That message lists 3 papers; there is no number 9.',
      '"11" is not an entry number from 1 to 10.',
      'There is no "frobnicate" button; a paper has save, similar, abstract, discuss.',
      '"one" is not a message number',
      'That message carries no paper of the bot’s; nothing was done.',
      'Usage: click <message number> save|similar|abstract|discuss [entry]',
    ])
      expect(out).toContain(message);
  });

  it('keeps message numbers across runs, so an old number still means the same message', async () => {
    await session(['/papers today']);
    const out = await session(['/papers paper 2510.11712', 'react 1 bookmark', '/papers bookmarks export bibtex']);
    expect(out).toMatch(/^\[6\] DiT360/);
    expect(out).toContain('Bookmarked "QeRL');
    expect(out).toMatch(/----- bookmarks.bib -----\n@misc\{\w+2025qerl,\n/);
  });

  it('shows one paper in full, search results, settings and help', async () => {
    const out = await session([
      '/papers paper https://huggingface.co/papers/2510.11696',
      '/papers search representation autoencoders',
      '/papers subscribe time 08:00 tz Asia/Tokyo top 3',
      '/papers settings',
      '/papers help',
    ]);
    expect(out).toContain('AI summary: QeRL, a quantization-enhanced');
    expect(out).toContain('We propose QeRL, a Quantization-enhanced Reinforcement Learning framework');
    expect(out).toContain('Code: https://github.com/NVlabs/QeRL');
    expect(out).toMatch(/paper[s]? matching "representation autoencoders":\n\[2\] 1\. Diffusion Transformers/);
    expect(out).toContain('This channel gets the top 3 papers every day at 08:00 Asia/Tokyo.');
    expect(out).toContain('Daily post for this channel:\nTime: 08:00 Asia/Tokyo\nPosts: every day\nPapers per post: 3');
    expect(out).toContain('/papers bookmarks [list|remove|export] [<item>] [bibtex|markdown]');
  });

  it('answers every bad input with what is accepted', async () => {
    const out = await session([
      '/papers subscribe time 25:00',
      '/papers subscribe tz Nowhere/City',
      '/papers subscribe top 11',
      '/papers subscribe topics ???',
      '/papers subscribe min-upvotes -3',
      '/papers subscribe time',
      '/papers frobnicate',
      '/papers paper 2401.99999',
      '/papers top year',
      '/papers bookmarks remove 1',
      '/papers bookmarks export ris',
      '/papers search',
      '/papers paper',
      '/papers today please',
      '/papers unsubscribe now',
      '/papers top limit 0',
      'react 1 🔥',
      'react one 🔖',
      'react 42 🔖',
      'react',
      'hello?',
    ]);
    for (const message of [
      'time must be HH:MM from 00:00 to 23:59, e.g. 09:00',
      'Unknown time zone "Nowhere/City". Use an IANA zone such as Europe/Berlin, America/New_York or UTC.',
      'top must be a whole number from 1 to 10 (got "11")',
      'topics: "???" is not a topic',
      'min-upvotes must be a whole number of at least 0 (got "-3")',
      'time needs a value: when to post, HH:MM (default 09:00).',
      `Unknown command "frobnicate". Commands: ${commands.map((c) => c.name).join(', ')}.`,
      'Paper 2401.99999 is not in the store',
      'period must be one of day, week, month (got "year")',
      'You have no bookmarks yet.',
      'format must be one of bibtex, markdown (got "ris")',
      'search needs query: the words to look for, e.g. video diffusion',
      'paper needs id: an arXiv id (2510.08673) or a link to the paper',
      'Unexpected "please" for today. Usage: today',
      'Unexpected "now" for unsubscribe. Usage: unsubscribe',
      'limit must be a whole number from 1 to 10 (got "0")',
      'The bot does not act on 🔥; it reacts to 🔖 on a paper and 1️⃣…🔟 on a list.',
      '"one" is not a message number; use the number in [brackets], e.g. react 1 🔖.',
      "(message 42 carries no paper of the bot's; nothing happens)",
      'Usage: react <message number> <emoji>, e.g. react 1 🔖',
      'Type /papers help for the commands',
    ])
      expect(out).toContain(message);
    expect(out).not.toMatch(/\bat \S+\.ts:\d+/);
  });

  it('keeps each user’s bookmarks apart (--user)', async () => {
    await session(['/papers today', 'react 1 🔖'], { user: 'ada' });
    expect(await session(['/papers bookmarks'], { user: 'bob' })).toContain('You have no bookmarks yet.');
    expect(await session(['/papers bookmarks'], { user: 'ada' })).toContain('1. QeRL');
  });

  it('stops at quit without reading further', async () => {
    const out = await session(['/papers help', 'quit', '/papers today']);
    expect(out).toContain('/papers today');
    expect(out).not.toContain('[1]');
  });

  it('posts digest messages: the header without a number, each paper numbered, re-sends idempotent', async () => {
    const output = new PassThrough();
    let printed = '';
    output.on('data', (d) => (printed += String(d)));
    const adapter = await hostAdapter(consoleAdapter, t.svc, { output });
    const target = { platform: 'console' as const, workspaceId: null, channelId: 'console' };
    const header = await adapter.poster.post(
      target,
      { blocks: [{ kind: 'text', text: 'Your daily papers' }], visibility: 'public', fallback: 'x' },
      'd1:header',
    );
    const paper = bundledPapers()[0]!;
    const first = await adapter.poster.post(target, { blocks: [{ kind: 'paper', paper, reason: 'top' }], visibility: 'public', fallback: 'x' }, 'd1:1');
    const again = await adapter.poster.post(target, { blocks: [{ kind: 'paper', paper, reason: 'top' }], visibility: 'public', fallback: 'x' }, 'd1:1');
    await adapter.stop();
    expect(header?.messageId).toBe('d1:header');
    expect(first).toEqual({ messageId: '1' });
    expect(again).toEqual(first);
    expect(printed.match(/\[1\] QeRL/g)).toHaveLength(1);
  });
});

describe('console render', () => {
  it('drops control characters from untrusted paper text, so a title cannot drive the terminal', () => {
    const paper = { ...bundledPapers()[0]!, title: 'Evil\u001b[2J\u001b]0;pwned\u0007 title\u202e', summary: 'abc\u0000def' };
    const [message] = renderMessages({ blocks: [{ kind: 'paper', paper }], visibility: 'public', fallback: '' });
    // biome-ignore lint/suspicious/noControlCharactersInRegex: no control character may survive.
    expect(message!.text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202e]/);
    expect(message!.text.split('\n')[0]).toBe('Evil[2J]0;pwned title');
    expect(message!.paperIds).toEqual([paper.id]);
  });
});
