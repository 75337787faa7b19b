import type { types, webApi } from '@slack/bolt';
import type { Services } from '../../src/chat/command';
import { personalPage, type PersonalPage } from '../../commands/kit/home';
import { oneLine } from '../../commands/kit/format';
import { controlButton, mrkdwn, titleLink } from './render';

type KnownBlock = types.KnownBlock;

/** A channel Slack can link to; anything else (a config file may name any channel) is shown as text. */
const CHANNEL_ID = /^[CG][A-Z0-9]{2,}$/;
const MAX_REASON = 300;
/** Channels listed; short lines, so they fit one section's 3,000 characters. */
const CHANNELS_SHOWN = 30;

const header = (text: string): KnownBlock => ({ type: 'header', text: { type: 'plain_text', text, emoji: true } });
const note = (text: string): KnownBlock => ({ type: 'context', elements: [{ type: 'mrkdwn', text }] });

function paperSection(paper: PersonalPage['bookmarks'][number]['paper'], detail: string, button: types.Button | null): KnownBlock {
  return {
    type: 'section',
    text: { type: 'mrkdwn', text: `${titleLink(paper)}\n${mrkdwn(oneLine(detail), MAX_REASON)}` },
    ...(button ? { accessory: button } : {}),
  };
}

/**
 * The Home tab of one person: their latest bookmarks, each with Remove; today's picks for them, each
 * with Save; the channels of the workspace that get a daily post. Titles and reasons are escaped as
 * in every message (mrkdwn), so nothing on the page can ping.
 */
export function homeView(page: PersonalPage): types.HomeView {
  const blocks: KnownBlock[] = [header('🔖 Your bookmarks')];
  if (page.bookmarks.length === 0) blocks.push(note('None yet. Click 🔖 Save on a paper, or react :bookmark: to one the bot posted.'));
  for (const b of page.bookmarks) {
    const remove = controlButton('remove', b.paper.id, 'Remove');
    blocks.push(paperSection(b.paper, `saved ${b.savedOn} · ▲ ${b.paper.upvotes}`, remove ? { ...remove, style: 'danger' } : null));
  }
  if (page.bookmarkCount > page.bookmarks.length)
    blocks.push(
      note(`…and ${page.bookmarkCount - page.bookmarks.length} more. /papers bookmarks lists them all; /papers bookmarks export bibtex exports them.`),
    );

  blocks.push({ type: 'divider' }, header(page.picks.kind === 'for-you' ? '✨ For you today' : '📰 Today’s top papers'));
  if (page.picks.kind === 'top' && page.picks.items.length > 0) blocks.push(note('Save a few papers and this becomes the papers most like yours.'));
  if (page.picks.items.length === 0)
    blocks.push(note(page.picks.listDate ? 'Nothing new on the latest list that you have not saved.' : 'No Daily Papers list yet.'));
  for (const pick of page.picks.items) blocks.push(paperSection(pick.paper, pick.reason, controlButton('save', pick.paper.id, '🔖 Save')));

  blocks.push({ type: 'divider' }, header('📅 Daily posts in this workspace'));
  if (page.channels.length === 0) blocks.push(note('No channel gets one yet: /papers subscribe in a channel sets it up.'));
  else
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: [
          ...page.channels
            .slice(0, CHANNELS_SHOWN)
            .map(
              (c) =>
                `${CHANNEL_ID.test(c.channelId) ? `<#${c.channelId}>` : mrkdwn(c.channelId, 30)} · ${mrkdwn(`${c.time} ${c.timezone} · top ${c.top}`, 50)}`,
            ),
          ...(page.channels.length > CHANNELS_SHOWN ? [`…and ${page.channels.length - CHANNELS_SHOWN} more`] : []),
        ].join('\n'),
      },
    });
  return { type: 'home', blocks };
}

/** Publishes a person's Home tab as it stands now (views.publish replaces the whole tab). */
export async function publishHome(svc: Services, client: webApi.WebClient, who: { userId: string; workspaceId: string | null }): Promise<void> {
  const page = await personalPage(svc, { platform: 'slack', ...who });
  await client.views.publish({ user_id: who.userId, view: homeView(page) });
}
