import { defineCommand, type Services } from '../src/chat/command';
import { textReply, type Reply } from '../src/chat/reply';
import type { PersonalFeed, PersonalSettings } from '../src/store/types';
import { describeFollow } from '../src/follows/follow';
import { WEEK_DAYS, describeSchedule } from '../src/model/cadence';
import { timeOfDay, timeZone } from '../src/subscriptions/settings';

/** What `/papers me daily` starts from when the person has no feed yet. */
const DEFAULTS: PersonalSettings = { digest: 'off', weekDay: 'mon', time: '09:00', timezone: 'UTC', top: 5, alerts: false };

function describeDigest(feed: PersonalSettings): string {
  if (feed.digest === 'off') return 'off';
  const when = describeSchedule({ every: feed.digest === 'weekly' ? 'week' : 'day', weekDay: feed.weekDay });
  return `${when} at ${feed.time} ${feed.timezone}, up to ${feed.top} papers matching what you follow, by direct message`;
}

/** Everything stored about the caller, as `/papers me` shows it. */
async function storedAbout(inv: { platform: string; user: { id: string } }, svc: Services, feed: PersonalFeed | null): Promise<string> {
  const follows = await svc.store.follows.list(inv.platform, inv.user.id);
  const bookmarks = await svc.store.bookmarks.list(inv.platform, inv.user.id);
  const lines = [
    'What papers-bot stores about you (only you see this):',
    `Follows (${follows.length}): ${follows.length ? follows.map(describeFollow).join('; ') : 'none'}`,
    `Bookmarks: ${bookmarks.length}`,
    `Personal digest: ${feed ? describeDigest(feed) : 'off'}`,
  ];
  if (feed?.pausedReason) lines.push(`Paused: I could not send you a direct message (${feed.pausedReason}).`);
  lines.push('/papers forget-me deletes all of it.');
  return lines.join('\n');
}

/** The caller's own feed: their digest by direct message. Private: it is about them. */
export const me = defineCommand({
  name: 'me',
  description: 'Your own digest by direct message (daily, weekly or off), and what is stored about you',
  visibility: 'private',
  changes: 'caller',
  options: [
    {
      name: 'digest',
      description: 'daily, weekly or off; nothing shows what is stored about you',
      type: 'string',
      choices: ['daily', 'weekly', 'off'],
      positional: true,
    },
    { name: 'day', description: 'the day of a weekly digest, mon to sun (default mon)', type: 'string', choices: WEEK_DAYS },
    { name: 'time', description: 'when, HH:MM (default 09:00)', type: 'string', schema: timeOfDay },
    { name: 'tz', description: 'your time zone, e.g. Europe/Berlin (default UTC)', type: 'string', schema: timeZone },
    { name: 'top', description: 'papers per digest, 1 to 10 (default 5)', type: 'integer', min: 1, max: 10 },
  ],
  async run(inv, svc): Promise<Reply> {
    const current = await svc.store.personal.get(inv.platform, inv.user.id);
    const { digest, day, time, tz, top } = inv.args;
    if (digest === undefined && day === undefined && time === undefined && tz === undefined && top === undefined)
      return textReply(await storedAbout(inv, svc, current));
    const base = current ?? DEFAULTS;
    const settings: PersonalSettings = {
      ...base,
      // Giving a time, zone or size alone changes them and keeps the digest on or off as it was.
      digest: digest ?? (base.digest === 'off' ? 'daily' : base.digest),
      weekDay: day ?? base.weekDay,
      time: time ?? base.time,
      timezone: tz ?? base.timezone,
      top: top ?? base.top,
    };
    await svc.store.personal.set({ platform: inv.platform, userId: inv.user.id, workspaceId: inv.channel.workspace ?? null, settings, now: svc.now() });
    if (settings.digest === 'off') return textReply('Your personal digest is off.');
    const follows = await svc.store.follows.list(inv.platform, inv.user.id);
    const nothing =
      follows.length === 0 ? '\nYou follow nothing yet, so it will be empty: /papers follow diffusion models, or follow author, org or arxiv.' : '';
    return textReply(
      `Your personal digest: ${describeDigest(settings)}. A paper is sent to you once, and a day with nothing matching sends nothing.${nothing}`,
    );
  },
});
