import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { slackAdapter } from '../../adapters/slack/index';
import { loadBotConfig } from '../../adapters/index';
import type { Services } from '../../src/chat/command';
import { selectDigest } from '../../src/digest/select';
import { createLogger } from '../../src/log';
import { parseListing } from '../../src/parse/index';
import { currentOwner } from '../../src/schedule/claims';
import { postDaily } from '../../src/schedule/fanout';
import type { Store } from '../../src/store/types';
import { DEFAULT_SETTINGS } from '../../src/subscriptions/settings';
import { sendToBot, startFakeSlack, type FakeMessage, type FakeSlack } from '../fakes/slack';
import { readFixture } from '../helpers/fixtures';
import { hostAdapter, type HostedAdapter } from '../helpers/host';
import { openTestStore } from '../helpers/stores';

/**
 * Buttons, pickers, discussion threads and the Home tab through the real Bolt app on loopback:
 * signed block_actions and events as Slack sends them, the Web API faked through SLACK_API_URL.
 */

const SECRET = 'test-signing-secret-0123456789';
const NOW = new Date('2025-10-15T08:00:00Z');
const QERL = '2510.11696';
const silent = createLogger({ level: 'silent' });
const slashCommand = Object.fromEntries(new URLSearchParams(readFixture('platform/slack-slash-command.txt')));
const blockActions = JSON.parse(readFixture('platform/slack-block-actions.json')) as Record<string, any>;
const reactionAdded = JSON.parse(readFixture('platform/slack-reaction-added.json')) as Record<string, any>;
const homeOpened = JSON.parse(readFixture('platform/slack-app-home-opened.json')) as Record<string, any>;

let fake: FakeSlack;
let store: Store;
let cleanup: () => Promise<void>;
let services: Services;
let slack: HostedAdapter;
let url: string;
let responses = 0;

beforeAll(async () => {
  fake = await startFakeSlack();
  ({ store, cleanup } = await openTestStore('sqlite'));
  await store.papers.upsert(parseListing(readFixture('hf-api/daily_papers-2025-10-14.json')).papers, NOW);
  const config = loadBotConfig({ SLACK_BOT_TOKEN: 'xoxb-fake', SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fake.apiUrl, LOG_LEVEL: 'silent' }, '/nonexistent');
  services = { store, config, log: silent, now: () => NOW, sourceStatus: () => ({ lastSuccessAt: NOW, lastError: null, note: null }) };
  slack = await hostAdapter(slackAdapter, services);
  url = slack.url('/slack/events');
});

afterAll(async () => {
  await slack?.stop();
  await fake?.close();
  await cleanup?.();
});

/** `/papers <text>` in a channel; resolves with the message the bot posted there. */
async function command(text: string, channel: string, user = 'UASKER'): Promise<FakeMessage> {
  const before = fake.messages.get(channel)?.length ?? 0;
  await sendToBot(url, SECRET, {
    form: { ...slashCommand, command: '/papers', text, channel_id: channel, user_id: user, response_url: fake.responseUrl(`cmd-${++responses}`) },
  });
  return vi.waitFor(() => {
    const message = fake.messages.get(channel)?.[before];
    if (!message) throw new Error('not posted yet');
    return message;
  });
}

/** The elements of a message's (or view's) actions blocks and section accessories. */
function controls(blocks: unknown[]): Record<string, any>[] {
  return (blocks as Record<string, any>[]).flatMap((b) => [
    ...(b.type === 'actions' ? b.elements : []),
    ...(b.accessory?.type === 'button' ? [b.accessory] : []),
  ]);
}

/** A signed block_actions for one element, as Slack posts it; resolves with the ack and the private answer (if any). */
async function click(
  at: { channel?: string; ts?: string; home?: boolean },
  action: Record<string, unknown>,
  user = 'UCLICKER',
): Promise<{ ack: { status: number; text: string }; answer: Record<string, any> | null }> {
  const id = `click-${++responses}`;
  const { channel: _channel, container: _container, response_url: _response, message: _message, ...base } = blockActions;
  const payload = {
    ...base,
    user: { ...blockActions.user, id: user, team_id: slashCommand.team_id },
    team: { ...blockActions.team, id: slashCommand.team_id },
    actions: [{ block_id: 'b', action_ts: '1596530385.194939', ...action }],
    ...(at.home
      ? { container: { type: 'view', view_id: 'VHOME' }, view: { id: 'VHOME', type: 'home' } }
      : {
          container: { type: 'message', message_ts: at.ts, channel_id: at.channel, is_ephemeral: false },
          channel: { id: at.channel, name: 'papers' },
          message: { type: 'message', ts: at.ts, text: '' },
          response_url: fake.responseUrl(id),
        }),
  };
  const ack = await sendToBot(url, SECRET, { form: { payload: JSON.stringify(payload) } });
  if (at.home) return { ack, answer: null };
  const answer = await vi.waitFor(() => {
    const found = fake.responses.find((r) => r.id === id);
    if (!found) throw new Error('no answer yet');
    return found.body;
  });
  return { ack, answer };
}

const button = (message: FakeMessage, actionId: string) => {
  const element = controls(message.blocks).find((e) => e.action_id === actionId);
  if (!element) throw new Error(`no ${actionId} on the message`);
  return { type: 'button', action_id: element.action_id, value: element.value, text: element.text };
};
const textOf = (value: unknown) => JSON.stringify(value);
const bookmarksOf = async (user: string) => (await store.bookmarks.list('slack', user)).map((b) => b.paper.id);

describe('Slack buttons (block_actions through Bolt)', () => {
  it('Save stores the bookmark and a second click removes it: acked at once, answered privately by response_url', async () => {
    const message = await command(`paper ${QERL}`, 'CSAVE');
    expect(controls(message.blocks).map((e) => e.action_id)).toEqual([
      `p1:save:${QERL}`,
      `p1:similar:${QERL}`,
      `p1:abstract:${QERL}`,
      `p1:discuss:${QERL}`,
      `papers_open_pdf_${QERL}`,
      `papers_open_code_${QERL}`,
    ]);
    const first = await click({ channel: 'CSAVE', ts: message.ts }, button(message, `p1:save:${QERL}`), 'USAVER');
    expect(first.ack).toEqual({ status: 200, text: '' });
    expect(first.answer).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(first.answer!.text).toMatch(/^Saved "QeRL/);
    expect(await bookmarksOf('USAVER')).toEqual([QERL]);
    const second = await click({ channel: 'CSAVE', ts: message.ts }, button(message, `p1:save:${QERL}`), 'USAVER');
    expect(second.answer!.text).toMatch(/^Removed "QeRL/);
    expect(await bookmarksOf('USAVER')).toEqual([]);
  });

  it('Similar and Abstract answer privately; the abstract comes in full with the AI summary', async () => {
    const message = await command(`paper ${QERL}`, 'CREAD');
    const similar = await click({ channel: 'CREAD', ts: message.ts }, button(message, `p1:similar:${QERL}`));
    expect(similar.answer!.response_type).toBe('ephemeral');
    expect(textOf(similar.answer!.blocks)).toContain('Papers like');
    const abstract = await click({ channel: 'CREAD', ts: message.ts }, button(message, `p1:abstract:${QERL}`));
    expect(abstract.answer!.response_type).toBe('ephemeral');
    const paper = (await store.papers.get(QERL))!;
    expect(textOf(abstract.answer!.blocks)).toContain('*AI summary*');
    expect(textOf(abstract.answer!.blocks)).toContain(paper.summary.replace(/\s+/g, ' ').slice(-60));
  });

  it('saves the entry picked from a list’s static_select', async () => {
    const message = await command('top day limit 3', 'CLIST');
    const select = controls(message.blocks).find((e) => e.type === 'static_select')!;
    expect(select.action_id).toBe('p1:save');
    const picked = select.options[2];
    const answer = await click({ channel: 'CLIST', ts: message.ts }, { type: 'static_select', action_id: 'p1:save', selected_option: picked }, 'UPICKER');
    expect(answer.answer!.text).toMatch(/^Saved/);
    expect(await bookmarksOf('UPICKER')).toEqual([picked.value]);
  });

  it('Discuss twice at once opens one thread: one reply in the message’s thread, with the abstract and links', async () => {
    const message = await command(`paper ${QERL}`, 'CTALK');
    const discuss = button(message, `p1:discuss:${QERL}`);
    const [a, b] = await Promise.all([
      click({ channel: 'CTALK', ts: message.ts }, discuss, 'UONE'),
      click({ channel: 'CTALK', ts: message.ts }, discuss, 'UTWO'),
    ]);
    expect([a.answer!.text, b.answer!.text].sort()).toEqual([
      expect.stringMatching(/^"QeRL.*already has its discussion thread/),
      expect.stringMatching(/^Opened a discussion thread on "QeRL/),
    ]);
    const replies = fake.messages.get('CTALK')!.filter((m) => m.thread_ts === message.ts);
    expect(replies).toHaveLength(1);
    expect(textOf(replies[0]!.blocks)).toContain(`https://arxiv.org/abs/${QERL}`);
    expect(await store.threads.find('slack', 'CTALK', message.ts)).toMatchObject({ threadId: replies[0]!.ts });
  });

  it('tells the clicker privately when the bot may not reply in the channel, and opens nothing', async () => {
    const message = await command(`paper ${QERL}`, 'CNOTIN');
    fake.failNext('chat.postMessage', 'not_in_channel');
    const refused = await click({ channel: 'CNOTIN', ts: message.ts }, button(message, `p1:discuss:${QERL}`));
    expect(refused.answer).toMatchObject({ response_type: 'ephemeral' });
    expect(refused.answer!.text).toContain('invite it with /invite @papers');
    expect(await store.threads.find('slack', 'CNOTIN', message.ts)).toBeNull();
  });

  it('a button from an older version says it has expired', async () => {
    const message = await command(`paper ${QERL}`, 'COLD');
    const old = await click({ channel: 'COLD', ts: message.ts }, { type: 'button', action_id: `p0:star:${QERL}`, value: QERL });
    expect(old.answer!.text).toContain('older version of the bot and has expired');
  });
});

describe('Slack App Home', () => {
  async function openHome(user: string) {
    const published = fake.callsTo('views.publish').length;
    await sendToBot(url, SECRET, { json: { ...reactionAdded, team_id: slashCommand.team_id, event: { ...homeOpened, user } } });
    await fake.waitForCalls('views.publish', published + 1);
    return fake.homes.get(user)!;
  }

  it('app_home_opened publishes the Home tab: a bookmark made by reaction, with Remove; picks with Save; the daily-post channels', async () => {
    const message = await command(`paper ${QERL}`, 'CHOME');
    await vi.waitFor(async () => expect(await store.posts.find('slack', 'CHOME', message.ts)).not.toBeNull());
    const event = { ...reactionAdded.event, user: 'UHOME', reaction: 'bookmark', item: { ...reactionAdded.event.item, channel: 'CHOME', ts: message.ts } };
    await sendToBot(url, SECRET, { json: { ...reactionAdded, team_id: slashCommand.team_id, event } });
    // The bookmark changed, so the Home tab is published for the user at once, before they open it.
    await vi.waitFor(() => expect(textOf(fake.homes.get('UHOME')?.blocks)).toContain(`p1:remove:${QERL}`));
    await store.subscriptions.upsert({
      platform: 'slack',
      workspaceId: slashCommand.team_id!,
      channelId: 'CDAILY',
      ...DEFAULT_SETTINGS,
      origin: 'command',
      createdBy: 'UHOME',
    });
    await store.subscriptions.upsert({
      platform: 'slack',
      workspaceId: 'TOTHER',
      channelId: 'CELSEWHERE',
      ...DEFAULT_SETTINGS,
      origin: 'command',
      createdBy: 'UX',
    });

    const view = await openHome('UHOME');
    expect(view.type).toBe('home');
    const elements = controls(view.blocks);
    expect(elements.find((e) => e.action_id === `p1:remove:${QERL}`)).toMatchObject({ style: 'danger' });
    expect(textOf(view.blocks)).toContain('QeRL');
    expect(elements.filter((e) => e.action_id.startsWith('p1:save:')).length).toBeGreaterThan(0);
    expect(textOf(view.blocks)).toContain('<#CDAILY>');
    expect(textOf(view.blocks)).not.toContain('CELSEWHERE');
  });

  it('is published again when the bookmarks change; Remove on it takes the bookmark out, and a forged Remove changes nothing', async () => {
    await store.bookmarks.add({ platform: 'slack', userId: 'UOWNER', paperId: QERL, messageId: null, at: NOW });
    const remove = { type: 'button', action_id: `p1:remove:${QERL}`, value: QERL };
    // Another user's click on the same control, from wherever: it acts on their own bookmarks, which do not hold it.
    const message = await command(`paper ${QERL}`, 'CFORGE');
    const forged = await click({ channel: 'CFORGE', ts: message.ts }, remove, 'UFORGER');
    expect(forged.answer!.text).toContain('is not in your bookmarks');
    expect(await bookmarksOf('UOWNER')).toEqual([QERL]);

    const published = fake.callsTo('views.publish').length;
    const { ack } = await click({ home: true }, remove, 'UOWNER');
    expect(ack.status).toBe(200);
    await vi.waitFor(() => expect(fake.callsTo('views.publish').length).toBeGreaterThan(published));
    expect(await bookmarksOf('UOWNER')).toEqual([]);
    const refreshed = fake.callsTo('views.publish').at(-1)!;
    expect(refreshed.body.user_id).toBe('UOWNER');
    expect(controls((refreshed.body.view as { blocks: unknown[] }).blocks).some((e) => e.action_id === `p1:remove:${QERL}`)).toBe(false);
  });
});

describe('Slack daily post with threads on, and subscribing another channel', () => {
  it('subscribes the channel picked in `in #channel` (sent as its id), and refuses a name Slack did not resolve', async () => {
    const picked = await command('subscribe in <#CTARGET|papers-feed> time 07:30 threads on', 'CSETUP');
    expect(textOf(picked.blocks)).toContain('That channel gets the top 5 papers every day at 07:30 UTC.');
    expect(await store.subscriptions.get('slack:CTARGET')).toMatchObject({
      channelId: 'CTARGET',
      time: '07:30',
      threads: true,
      workspaceId: slashCommand.team_id,
    });
    const id = `cmd-${responses + 1}`;
    const res = await sendToBot(url, SECRET, {
      form: { ...slashCommand, command: '/papers', text: 'subscribe in #papers-feed', channel_id: 'CSETUP', user_id: 'U1', response_url: fake.responseUrl(id) },
    });
    expect(JSON.parse(res.text)).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining("type # and pick it from Slack's list") });
  });

  it('opens one thread per paper of the daily post, and a second run adds none', async () => {
    await store.subscriptions.upsert({
      platform: 'slack',
      workspaceId: null,
      channelId: 'CTHREADS',
      ...DEFAULT_SETTINGS,
      top: 3,
      threads: true,
      origin: 'command',
      createdBy: 'U1',
    });
    const run = () =>
      postDaily({
        store,
        posters: [slack.poster],
        config: services.config,
        log: silent,
        now: () => NOW,
        owner: currentOwner(),
        subscriptionIds: ['slack:CTHREADS'],
        date: '2025-10-15',
      });
    expect((await run()).channels[0]).toMatchObject({ outcome: 'posted', messages: 4 });
    const posted = fake.messages.get('CTHREADS')!;
    const parents = posted.filter((m) => !m.thread_ts).slice(1);
    expect(parents).toHaveLength(3);
    for (const parent of parents) expect(posted.filter((m) => m.thread_ts === parent.ts)).toHaveLength(1);
    expect((await run()).channels[0]!.outcome).toBe('already-posted');
    expect(fake.messages.get('CTHREADS')).toHaveLength(posted.length);
    const { ranked } = await selectDigest(store, { ...DEFAULT_SETTINGS, top: 3 }, { now: NOW, onOrBefore: '2025-10-15' });
    expect(ranked).toHaveLength(3);
  });

  it('a thread whose opening may have happened before is found among the replies, not posted twice', async () => {
    const parent = (await slack.poster.post(
      { platform: 'slack', workspaceId: null, channelId: 'CAGAIN' },
      { blocks: [{ kind: 'text', text: 'x' }], visibility: 'public', fallback: 'x' },
      'again',
    ))!;
    const request = {
      name: 'x',
      starter: { blocks: [{ kind: 'text' as const, text: 'starter' }], visibility: 'public' as const, fallback: 'starter' },
      key: 'thread:again',
    };
    const site = { platform: 'slack', workspaceId: null, channelId: 'CAGAIN', messageId: parent.messageId };
    const first = await slack.poster.threads!.openThread(site, { ...request, maybeOpenedBefore: false });
    const again = await slack.poster.threads!.openThread(site, { ...request, maybeOpenedBefore: true });
    expect(again).toEqual(first);
    expect(fake.messages.get('CAGAIN')!.filter((m) => m.thread_ts === parent.messageId)).toHaveLength(1);
  });
});
