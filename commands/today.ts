import { defineCommand } from '../src/chat/command';
import { PAPER_CONTROLS, type Block, type Reply } from '../src/chat/reply';
import { latestSelection, type LatestSelection } from '../src/digest/selection-cache';
import { DEFAULT_SETTINGS } from '../src/subscriptions/settings';
import { subscriptionIdOf } from './kit/channel';
import { formatListDate, freshnessNote } from './kit/freshness';

/**
 * Replies built from a cached selection, by what else they say (freshness note, subscribed or not).
 * The same Reply object goes to every request that would get the same answer, until the selection
 * is replaced, so a burst of `/papers today` builds it once.
 */
const replies = new WeakMap<LatestSelection, Map<string, Reply>>();

/**
 * The latest non-empty Daily Papers list, ranked with this channel's settings: the same selection
 * as the daily post (minus the "already posted" filter, since asking again should show the list).
 * Each paper is its own block, with its controls, so a reaction or a click acts on one paper.
 */
export const today = defineCommand({
  name: 'today',
  description: "Top papers of the latest Hugging Face Daily Papers list, with this channel's settings",
  options: [],
  async run(inv, svc): Promise<Reply> {
    const now = svc.now();
    const subscription = await svc.store.subscriptions.get(subscriptionIdOf(inv));
    const selection = await latestSelection(svc.store, subscription ?? DEFAULT_SETTINGS, now);
    const notes = freshnessNote(svc.sourceStatus(), now);
    const isToday = selection.listDate === now.toISOString().slice(0, 10);
    const key = `${subscription ? 'subscribed' : 'default'} ${isToday} ${notes ?? ''}`;
    let forSelection = replies.get(selection);
    if (!forSelection) replies.set(selection, (forSelection = new Map()));
    let reply = forSelection.get(key);
    if (!reply) forSelection.set(key, (reply = todayReply(selection, subscription ?? DEFAULT_SETTINGS, !!subscription, isToday, notes)));
    return reply;
  },
});

function todayReply(
  { listDate, ranked, listSize }: LatestSelection,
  settings: { minUpvotes: number; topics: string[] },
  subscribed: boolean,
  isToday: boolean,
  freshness: string | null,
): Reply {
  const notes = freshness ? [freshness] : [];
  if (!listDate) {
    const text = ['No Daily Papers list in the store yet; the bot fills it from Hugging Face shortly after it starts.', ...notes].join('\n');
    return { blocks: [{ kind: 'text', text }], visibility: 'public', fallback: text };
  }

  const day = formatListDate(listDate);
  const header = isToday
    ? `Daily Papers of ${day} (today)`
    : `Daily Papers of ${day}, the latest list (Hugging Face lists papers by the day they were added, and weekends are empty)`;
  if (ranked.length === 0) {
    const text = [
      header,
      `None of its ${listSize} papers pass this channel's settings (minimum upvotes ${settings.minUpvotes}, topics ${settings.topics.join(', ') || 'any'}).`,
      ...notes,
    ].join('\n');
    return { blocks: [{ kind: 'text', text }], visibility: 'public', fallback: text };
  }

  // The selection holds only what it keeps and what the settings dropped; the list's size says how much there was.
  const summary = `${header}: top ${ranked.length} of ${listSize}${subscribed ? " by this channel's settings" : ''}.`;
  const blocks: Block[] = [
    { kind: 'text', text: [summary, ...notes].join('\n') },
    ...ranked.map((r): Block => ({ kind: 'paper', paper: r.paper, reason: r.reason, controls: PAPER_CONTROLS })),
  ];
  return {
    blocks,
    visibility: 'public',
    fallback: `${summary} ${ranked.map((r) => `${r.rank}. ${r.paper.title}`).join(' ')}`,
  };
}
