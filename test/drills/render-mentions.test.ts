import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Reply } from '../../src/chat/reply';
import type { Paper } from '../../src/model/paper';
import { abstractMessage, digestPaperMessage } from '../../src/digest/messages';
import { renderMessages } from '../../adapters/console/render';
import { renderReply as renderDiscord, threadName, toMessageOptions, toRestBody } from '../../adapters/discord/render';
import { renderReply as renderSlack } from '../../adapters/slack/render';
import { homeView } from '../../adapters/slack/home';
import { bundledPapers } from '../commands/services';
import { drillLine } from './report';

/**
 * Drill: 1,000 adversarial paper titles (and authors, organizations, abstracts), each rendered by
 * every renderer in every shape a paper is shown in, with its buttons and Save menus, and as a
 * Discord thread's and forum post's name and on a Slack Home tab. Nobody may be pinged on any platform.
 */

const PINGS = [
  '@everyone',
  '@here',
  '<@123456789012345678>',
  '<@!123456789012345678>',
  '<@&987654321098765432>',
  '<#645027906669510667>',
  '<!channel>',
  '<!here>',
  '<!everyone>',
  '<!subteam^S0123>',
  '<@U024BE7LH>',
  '<@W012A3CDE>',
  '<#C012AB3CD|general>',
  '<!date^1392734382^{date}|x>',
];
const DISGUISES = [
  '',
  '\u200b',
  '\u202e',
  '\u0000',
  '\n',
  '`',
  '\\',
  '&',
  '&lt;',
  '&amp;lt;',
  '＠',
  '@',
  '<',
  '>',
  '|',
  '*',
  '_',
  '~',
  '[x](https://evil.test)',
  '<https://evil.test|click>',
  '\u001b[31m',
  '\u0007',
];

/** A title built from ping syntax wrapped in escape-breaking characters, or anything at all. */
const adversarial = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.array(fc.constantFrom(...PINGS, ...DISGUISES, 'Attention', ' ', 'is all you need'), { minLength: 1, maxLength: 12 }).map((t) => t.join('')),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 120 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 120 }) },
);

const TITLES = 1000;
const base = bundledPapers();

function evilPaper(title: string, i: number): Paper {
  const p = base[i % base.length]!;
  return { ...p, title, summary: title, aiSummary: null, authors: [title, ...p.authors.slice(0, 2)], organization: title, keywords: [title] };
}

/** Every shape a paper is shown in: a list with its Save menu, one paper in full, a digest message with its buttons, its abstract, text and fields. */
function repliesFor(paper: Paper, other: Paper): Reply[] {
  const list: Reply = {
    blocks: [
      { kind: 'text', text: paper.title },
      {
        kind: 'papers',
        items: [
          { rank: 1, paper, reason: paper.title },
          { rank: 2, paper: other, reason: paper.title },
        ],
        picker: 'save',
      },
    ],
    visibility: 'public',
    fallback: paper.title,
  };
  const full: Reply = {
    blocks: [
      { kind: 'paper', paper, reason: paper.title },
      { kind: 'fields', fields: [{ label: paper.title, value: paper.title }] },
    ],
    visibility: 'public',
    fallback: paper.title,
  };
  return [list, full, digestPaperMessage({ rank: 1, paper, score: 1, reason: paper.title }, [paper.title]), abstractMessage(paper, 'private')];
}

/** Discord pings from content only (users, roles, @everyone/@here), and only what allowed_mentions permits: both are checked. A channel link pings no one. */
function discordPings(content: string): string[] {
  return content.match(/@(everyone|here)|<@[!&]?\d+>/g) ?? [];
}

/** Strings in a Slack message's markup where `<` opens anything but an http(s) link, or `<!`/`<@`/`<#` appears. */
function slackPings(message: unknown): string[] {
  const hits: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') hits.push(...(v.match(/<(?!https?:\/\/)[^>]*>?|<[!@#][^>]*>/g) ?? []));
    else if (Array.isArray(v)) v.forEach(walk);
    // Slack reads markup (mentions included) only in mrkdwn text and the top-level text; a plain_text
    // object (headers, buttons) and an image's alt_text are shown as they are, so nothing in them pings.
    else if (v && typeof v === 'object' && (v as { type?: unknown }).type !== 'plain_text')
      for (const [k, x] of Object.entries(v)) if (k !== 'alt_text') walk(x);
  };
  walk(message);
  return hits;
}

describe('drill render-mentions', () => {
  it(`${TITLES} adversarial titles rendered on console, Discord and Slack ping no one`, () => {
    const titles = fc.sample(adversarial, { numRuns: TITLES, seed: 11 });
    let rendered = 0;
    const violations: string[] = [];
    const check = (where: string, title: string, found: string[]) => {
      if (found.length) violations.push(`${where} for ${JSON.stringify(title)}: ${found.join(' ')}`);
    };
    let names = 0;
    let homes = 0;
    for (const [i, title] of titles.entries()) {
      const paper = evilPaper(title, i);
      const other = { ...evilPaper(title, i + 1), id: `${paper.id}-other` };
      for (const reply of repliesFor(paper, other)) {
        const discord = renderDiscord(reply);
        for (const body of [toRestBody(discord).body, toMessageOptions(discord)]) {
          const mentions = 'allowed_mentions' in body ? body.allowed_mentions : body.allowedMentions;
          expect(mentions, `title ${JSON.stringify(title)}`).toEqual({ parse: [] });
        }
        check('Discord content', title, discordPings(discord.content ?? ''));
        // Button labels and menu options are shown as they are: the titles in them must not even look like a mention.
        check('Discord components', title, discordPings(JSON.stringify(discord.components)));
        check('Slack', title, slackPings(renderSlack(reply)));
        // A terminal has no pings, but control characters (bell, ANSI escapes) would act on it.
        // biome-ignore lint/suspicious/noControlCharactersInRegex: no control character may survive.
        for (const m of renderMessages(reply)) check('console', title, m.text.match(/[\u0000-\u0008\u000B-\u001F\u007F]/g) ?? []);
        rendered += 3;
      }
      // A thread and a forum post are named after the paper (Discord): the same name, one line, 100 characters at most.
      const name = threadName(title);
      check('Discord thread name', title, discordPings(name));
      expect(name.length).toBeLessThanOrEqual(100);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: no control character may survive.
      check('Discord thread name', title, name.match(/[\u0000-\u001F\u007F]/g) ?? []);
      names += 1;
      // The Home tab: the title as a bookmark and as a pick, its reason, and a channel a config file named after it.
      const view = homeView({
        bookmarks: [{ paper, savedOn: '2025-10-14' }],
        bookmarkCount: 1,
        picks: { kind: 'for-you', listDate: '2025-10-14', items: [{ paper: other, reason: `like: ${title}` }] },
        channels: [{ channelId: title, time: '09:00', timezone: 'UTC', top: 5 }],
      });
      check('Slack Home tab', title, slackPings(view));
      homes += 1;
    }
    expect(violations.slice(0, 5), `${violations.length} violations`).toEqual([]);
    drillLine(
      'render-mentions',
      `${TITLES} adversarial titles x 4 reply shapes x 3 renderers = ${rendered} renders, + ${names} thread and forum-post names, + ${homes} Slack Home tabs: 0 pings (Discord allowed_mentions parse [] on every body)`,
    );
  });
});
