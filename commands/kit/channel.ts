import type { Invocation } from '../../src/chat/command';
import type { RankMode, Subscription, SubscriptionSettings } from '../../src/store/types';
import { subscriptionId } from '../../src/subscriptions/id';

/** The subscription of the channel a command was invoked in. */
export function subscriptionIdOf(inv: Pick<Invocation, 'platform' | 'channel'>): string {
  return subscriptionId(inv.platform, inv.channel.id);
}

/** What a channel without a subscription gets from `today`, and what `subscribe` starts from. */
export const DEFAULT_SETTINGS: SubscriptionSettings = {
  time: '09:00',
  timezone: 'UTC',
  top: 5,
  topics: [],
  minUpvotes: 0,
  rank: 'balanced',
};

const RANK_DESCRIPTIONS: Record<RankMode, string> = {
  popular: 'popular (by upvotes)',
  balanced: 'balanced (upvotes, recency and topics)',
  channel: "channel (balanced, plus likeness to this channel's bookmarks)",
};

/** A subscription as label/value pairs, for `settings` and the `subscribe` confirmation. */
export function subscriptionFields(sub: Subscription): { label: string; value: string }[] {
  return [
    { label: 'Time', value: `${sub.time} ${sub.timezone}` },
    { label: 'Papers per post', value: String(sub.top) },
    { label: 'Topics', value: sub.topics.length ? sub.topics.join(', ') : 'any' },
    { label: 'Minimum upvotes', value: String(sub.minUpvotes) },
    { label: 'Ranking', value: RANK_DESCRIPTIONS[sub.rank] },
    { label: 'arXiv categories', value: sub.arxiv.length ? sub.arxiv.join(', ') : 'none' },
    { label: 'Status', value: sub.enabled ? 'on' : 'off' },
  ];
}
