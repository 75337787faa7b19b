import { defineCommand, type Services } from '../src/chat/command';
import { textReply, type Reply } from '../src/chat/reply';
import type { PersonalFeed, PersonalSettings } from '../src/store/types';
import { describeFollow } from '../src/follows/follow';
import { WEEK_DAYS, describeSchedule } from '../src/model/cadence';
import { personalSchedule } from '../src/personal/deliver';
import { timeOfDay, timeZone } from '../src/subscriptions/settings';

/** What `/papers me daily` starts from when the person has no feed yet. */
const DEFAULTS: PersonalSettings = { digest: 'off', weekDay: 'mon', time: '09:00', timezone: 'UTC', top: 5, alerts: false };

function describeDigest(feed: PersonalSettings): string {
  if (feed.digest === 'off') return 'off';
  const when = describeSchedule(personalSchedule(feed));
  return `${when} at ${feed.time} ${feed.timezone}, up to ${feed.top} papers matching what you follow, by direct message`;
}

function describeAlerts(feed: PersonalSettings): string {
  return feed.alerts
    ? `on: one direct message when new papers match what you follow, at most one an hour, none from 22:00 to 08:00 ${feed.timezone} (they wait for the morning).`
    : 'off.';
}

/** Everything stored about the caller, as `/papers me` shows it. */
async function storedAbout(inv: { platform: string; user: { id: string } }, svc: Services, feed: PersonalFeed | null): Promise<string> {
  const [follows, bookmarks] = await Promise.all([svc.store.follows.list(inv.platform, inv.user.id), svc.store.bookmarks.list(inv.platform, inv.user.id)]);
  const lines = [
    'What papers-bot stores about you (only you see this):',
    `Follows (${follows.length}): ${follows.length ? follows.map(describeFollow).join('; ') : 'none'}`,
    `Bookmarks: ${bookmarks.length}`,
    `Personal digest: ${feed ? describeDigest(feed) : 'off'}`,
    `Alerts: ${feed ? describeAlerts(feed) : 'off.'}`,
  ];
  if (feed?.dmChannelId) lines.push(`Our direct-message conversation: ${feed.dmChannelId} (kept so it need not be opened again).`);
  if (feed?.pausedReason) lines.push(`Paused: I could not send you a direct message (${feed.pausedReason}).`);
  lines.push('/papers forget-me deletes all of it.');
  return lines.join('\n');
}

/** The caller's own feed: their digest by direct message. Private: it is about them. */
export const me = defineCommand({
  name: 'me',
  description: 'Your own digest and alerts by direct message, and what is stored about you',
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
    { name: 'alerts', description: 'on: one direct message when new papers match what you follow (at most hourly, not at night)', type: 'boolean' },
  ],
  async run(inv, svc): Promise<Reply> {
    const current = await svc.store.personal.get(inv.platform, inv.user.id);
    const { digest, day, time, tz, top, alerts } = inv.args;
    const digestGiven = digest !== undefined || day !== undefined || time !== undefined || tz !== undefined || top !== undefined;
    if (!digestGiven && alerts === undefined) return textReply(await storedAbout(inv, svc, current));
    const base = current ?? DEFAULTS;
    const settings: PersonalSettings = {
      ...base,
      // A time, day, zone or size alone turns an off digest on (daily); alerts alone leave it as it is.
      digest: digest ?? (digestGiven && base.digest === 'off' ? 'daily' : base.digest),
      alerts: alerts ?? base.alerts,
      weekDay: day ?? base.weekDay,
      time: time ?? base.time,
      timezone: tz ?? base.timezone,
      top: top ?? base.top,
    };
    await svc.store.personal.set({ platform: inv.platform, userId: inv.user.id, workspaceId: inv.channel.workspace ?? null, settings, now: svc.now() });
    const follows = await svc.store.follows.list(inv.platform, inv.user.id);
    const lines = [
      settings.digest === 'off'
        ? 'Your personal digest is off.'
        : `Your personal digest: ${describeDigest(settings)}. A paper is sent to you once, and a day with nothing matching sends nothing.`,
      `Alerts: ${describeAlerts(settings)}`,
    ];
    if (follows.length === 0 && (settings.digest !== 'off' || settings.alerts))
      lines.push('You follow nothing yet, so nothing will come: /papers follow diffusion models, or follow author, org or arxiv.');
    return textReply(lines.join('\n'));
  },
});
