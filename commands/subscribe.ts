import { z } from 'zod';
import type { CommandSpec } from '../src/chat/command';
import type { Reply } from '../src/chat/reply';
import { UserError, errorMessage } from '../src/errors';
import { parseArxivCategories } from '../src/model/arxiv-categories';
import { RANK_MODES } from '../src/rank/modes';
import { parseTopics } from '../src/rank/topics';
import type { RankMode } from '../src/store/types';
import { DEFAULT_SETTINGS, subscriptionFields, subscriptionIdOf } from './kit/channel';

/** `9:00` or `09:00` → `09:00`; anything else outside 00:00..23:59 is refused. */
const timeSchema = z
  .string()
  .regex(/^([01]?\d|2[0-3]):[0-5]\d$/, 'time must be HH:MM from 00:00 to 23:59, e.g. 09:00')
  .transform((t) => t.padStart(5, '0'));

/** An IANA zone as Intl knows it, returned in its canonical spelling (`europe/berlin` → `Europe/Berlin`). */
const zoneSchema = z.string().transform((zone, ctx) => {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    ctx.addIssue({ code: 'custom', message: `Unknown time zone "${zone}". Use an IANA zone such as Europe/Berlin, America/New_York or UTC.` });
    return z.NEVER;
  }
});

/** `none` clears the topics; anything else must pass core's topic rules. */
function topicsOf(text: string): string[] {
  return text.trim().toLowerCase() === 'none' ? [] : parseTopics(text);
}

const topicsSchema = z.string().superRefine((text, ctx) => {
  try {
    topicsOf(text);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `topics: ${errorMessage(err)}` });
  }
});

const arxivSchema = z.string().superRefine((text, ctx) => {
  try {
    parseArxivCategories(text);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `arxiv: ${errorMessage(err)}` });
  }
});

/** Creates or changes this channel's daily post. Options not given keep their current value. */
export const subscribe: CommandSpec = {
  name: 'subscribe',
  description: "Set up or change this channel's daily post of top papers",
  options: [
    { name: 'time', description: 'when to post, HH:MM (default 09:00)', type: 'string', schema: timeSchema },
    { name: 'tz', description: 'time zone, e.g. Europe/Berlin (default UTC)', type: 'string', schema: zoneSchema },
    { name: 'top', description: 'papers per post, 1 to 10 (default 5)', type: 'integer', min: 1, max: 10 },
    { name: 'topics', description: 'keywords to favour, -keyword to exclude, e.g. agents,-robotics; none clears', type: 'string', schema: topicsSchema },
    { name: 'min-upvotes', description: 'skip papers with fewer upvotes (default 0)', type: 'integer', min: 0 },
    {
      name: 'rank',
      description: "popular (upvotes), balanced (+ recency, topics; default), channel (+ like this channel's bookmarks)",
      type: 'string',
      choices: RANK_MODES,
    },
    { name: 'arxiv', description: 'also new arXiv papers in these categories, e.g. cs.LG,cs.CL; none clears', type: 'string', schema: arxivSchema },
  ],
  async run(inv, svc): Promise<Reply> {
    if (!inv.canManageChannel) throw new UserError("Only people who may manage this channel can change its daily post. Ask a moderator, or use /papers settings to see it.");
    const current = (await svc.store.getSubscription(subscriptionIdOf(inv))) ?? DEFAULT_SETTINGS;
    const a = inv.args;
    const sub = await svc.store.upsertSubscription({
      platform: inv.platform,
      workspaceId: inv.channel.workspace ?? null,
      channelId: inv.channel.id,
      origin: 'command',
      createdBy: inv.user.id,
      time: (a.time as string | undefined) ?? current.time,
      timezone: (a.tz as string | undefined) ?? current.timezone,
      top: (a.top as number | undefined) ?? current.top,
      topics: a.topics === undefined ? current.topics : topicsOf(String(a.topics)),
      minUpvotes: (a['min-upvotes'] as number | undefined) ?? current.minUpvotes,
      rank: (a.rank as RankMode | undefined) ?? current.rank,
      arxiv: a.arxiv === undefined ? (current.arxiv ?? []) : parseArxivCategories(String(a.arxiv)),
    });
    const text = `This channel gets the top ${sub.top} papers every day at ${sub.time} ${sub.timezone}.`;
    // Minimum upvotes applies to every candidate, and arXiv papers have none: say so rather than show none silently.
    const warning =
      sub.arxiv.length > 0 && sub.minUpvotes > 0
        ? [{ kind: 'text' as const, text: `arXiv papers have no upvotes, so minimum upvotes ${sub.minUpvotes} leaves them all out; set min-upvotes 0 to get them.` }]
        : [];
    return { blocks: [{ kind: 'text', text }, { kind: 'fields', fields: subscriptionFields(sub) }, ...warning], visibility: 'public', fallback: text };
  },
};
