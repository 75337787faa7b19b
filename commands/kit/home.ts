import type { Platform, Services } from '../../src/chat/command';
import { selectDigest } from '../../src/digest/select';
import type { Paper } from '../../src/model/paper';
import { forYou } from '../../src/search/foryou';
import { DEFAULT_SETTINGS } from '../../src/subscriptions/settings';

/** Bookmarks shown, newest first; the rest are a `/papers bookmarks` away. */
const BOOKMARKS_SHOWN = 10;
const PICKS_SHOWN = 5;

/**
 * A person's own page (Slack's Home tab): their latest bookmarks, today's picks for them, and the
 * channels of their workspace that get a daily post. Platform-neutral data; the adapter draws it.
 */
export interface PersonalPage {
  bookmarks: { paper: Paper; savedOn: string }[];
  bookmarkCount: number;
  /** `for-you`: like their bookmarks; `top`: the day's top papers, for someone with no bookmarks yet. */
  picks: { kind: 'for-you' | 'top'; listDate: string | null; items: { paper: Paper; reason: string }[] };
  channels: { channelId: string; time: string; timezone: string; top: number }[];
}

export async function personalPage(svc: Services, who: { platform: Platform; userId: string; workspaceId: string | null }): Promise<PersonalPage> {
  const now = svc.now();
  const [saved, mine, subscriptions] = await Promise.all([
    svc.store.bookmarks.list(who.platform, who.userId),
    forYou(svc.store, who, { now, limit: PICKS_SHOWN }),
    svc.store.subscriptions.list({ enabledOnly: true, platform: who.platform }),
  ]);
  let picks: PersonalPage['picks'];
  if (mine.bookmarkCount > 0) {
    picks = {
      kind: 'for-you',
      listDate: mine.listDate,
      items: mine.items.map((i) => ({ paper: i.paper, reason: i.like ? `like: ${i.like.title}` : `${i.paper.upvotes} upvotes` })),
    };
  } else {
    const top = await selectDigest(svc.store, { ...DEFAULT_SETTINGS, top: PICKS_SHOWN }, { now });
    picks = { kind: 'top', listDate: top.listDate, items: top.ranked.map((r) => ({ paper: r.paper, reason: r.reason })) };
  }
  return {
    bookmarks: saved
      .slice(-BOOKMARKS_SHOWN)
      .reverse()
      .map((b) => ({ paper: b.paper, savedOn: b.createdAt.toISOString().slice(0, 10) })),
    bookmarkCount: saved.length,
    picks,
    channels: subscriptions
      .filter((s) => s.workspaceId === who.workspaceId)
      .map((s) => ({ channelId: s.channelId, time: s.time, timezone: s.timezone, top: s.top })),
  };
}
