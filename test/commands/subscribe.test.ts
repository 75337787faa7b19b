import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dispatch } from '../../commands/kit/dispatch';
import { invocation, testServices } from './services';
import { textOf } from './reply-text';

let t: Awaited<ReturnType<typeof testServices>>;
beforeEach(async () => void (t = await testServices()));
afterEach(async () => t.cleanup());

const subscription = () => t.svc.store.subscriptions.get('console:general');

describe('subscribe', () => {
  it('creates the daily post with defaults, then changes only the options given', async () => {
    const first = await dispatch(invocation('subscribe'), t.svc);
    expect(first.visibility).toBe('public');
    expect(textOf(first)).toContain('This channel gets the top 5 papers every day at 09:00 UTC.');
    await dispatch(invocation('subscribe', { time: '7:30', tz: 'europe/berlin', topics: 'llm, -robotics', 'min-upvotes': '3' }), t.svc);
    expect(await subscription()).toMatchObject({
      time: '07:30',
      timezone: 'Europe/Berlin',
      top: 5,
      topics: ['llm', '-robotics'],
      minUpvotes: 3,
      origin: 'command',
      createdBy: 'ada',
    });
    await dispatch(invocation('subscribe', { top: 8, topics: 'none' }), t.svc);
    expect(await subscription()).toMatchObject({ time: '07:30', timezone: 'Europe/Berlin', top: 8, topics: [] });
  });

  it.each([
    [{ time: '24:00' }, 'time must be HH:MM from 00:00 to 23:59, e.g. 09:00'],
    [{ time: '9am' }, 'time must be HH:MM from 00:00 to 23:59, e.g. 09:00'],
    [{ tz: 'Mars/Olympus' }, 'Unknown time zone "Mars/Olympus". Use an IANA zone such as Europe/Berlin, America/New_York or UTC.'],
    [{ top: 0 }, 'top must be a whole number from 1 to 10 (got "0")'],
    [{ top: '11' }, 'top must be a whole number from 1 to 10 (got "11")'],
    [{ topics: 'llm, <script>' }, 'topics: "<script>" is not a topic: use words separated by commas (up to 48 characters each), e.g. "llm, vision, -robotics"'],
    [{ 'min-upvotes': -1 }, 'min-upvotes must be a whole number of at least 0 (got "-1")'],
    [{ when: 'now' }, 'subscribe has no option "when" (options: in, time, tz, every, day, top, topics, min-upvotes, rank, arxiv, threads, publish)'],
    [{ threads: 'sometimes' }, 'threads must be on or off (got "sometimes")'],
  ])('refuses %o with what is accepted, and stores nothing', async (args, message) => {
    const reply = await dispatch(invocation('subscribe', args), t.svc);
    expect(reply.visibility).toBe('private');
    expect(textOf(reply)).toBe(message);
    expect(await subscription()).toBeNull();
  });

  it('adds no note where none applies: a text channel, no arXiv categories, no publish', async () => {
    const reply = await dispatch(invocation('subscribe', { 'min-upvotes': '3' }), t.svc);
    expect(reply.blocks.map((b) => b.kind)).toEqual(['text', 'fields']);
  });

  it('says nothing of publish where the channel kind is unknown (Slack, console): it may be an announcement channel', async () => {
    const reply = await dispatch(invocation('subscribe', { publish: 'on' }), t.svc);
    expect(await subscription()).toMatchObject({ publish: true });
    expect(reply.blocks.map((b) => b.kind)).toEqual(['text', 'fields']);
  });

  it('posts every week on a chosen day, or every weekday, and says so', async () => {
    const weekly = await dispatch(invocation('subscribe', { every: 'week', day: 'fri' }), t.svc);
    expect(textOf(weekly)).toContain('This channel gets the top 5 papers of the last seven days every Friday at 09:00 UTC.');
    expect(textOf(weekly)).toContain('Posts: every Friday');
    expect(await subscription()).toMatchObject({ every: 'week', weekDay: 'fri' });
    const weekdays = await dispatch(invocation('subscribe', { every: 'weekday' }), t.svc);
    expect(textOf(weekdays)).toContain('every weekday (Monday to Friday) at 09:00 UTC.');
    expect(textOf(await dispatch(invocation('subscribe', { every: 'fortnight' }), t.svc))).toBe('every must be one of day, weekday, week (got "fortnight")');
    expect(await subscription()).toMatchObject({ every: 'weekday' });
  });

  it('refuses people who may not manage the channel', async () => {
    const reply = await dispatch(invocation('subscribe', { top: 3 }, { canManageChannel: false }), t.svc);
    expect(textOf(reply)).toMatch(/^Only people who may manage this channel can change its daily post/);
    expect(await subscription()).toBeNull();
  });
});

describe('subscribe and unsubscribe in another channel', () => {
  const named = (kind: 'text' | 'announcement' | 'forum') => ({ namedChannels: [{ id: 'news', kind, canManage: true }] });

  it('acts on the channel `in` names, calls it "That channel", and notes what its kind changes', async () => {
    const forum = await dispatch(invocation('subscribe', { in: 'news', top: 3 }, named('forum')), t.svc);
    expect(forum.blocks[0]).toEqual({ kind: 'text', text: 'That channel gets the top 3 papers every day at 09:00 UTC.' });
    expect(forum.blocks.at(-1)).toEqual({ kind: 'text', text: 'It is a forum: each paper becomes a post of its own, with its own discussion.' });
    expect(await t.svc.store.subscriptions.get('console:news')).toMatchObject({ channelId: 'news', top: 3 });
    expect(await subscription()).toBeNull();
    const text = await dispatch(invocation('subscribe', { in: 'news', publish: 'on' }, named('text')), t.svc);
    expect(textOf(text)).toContain('publish only works in announcement channels; this one is not, so its messages stay in it.');
    const announcement = await dispatch(invocation('subscribe', { in: 'news', publish: 'on' }, named('announcement')), t.svc);
    expect(textOf(announcement)).not.toContain('publish only works');
    expect(textOf(await dispatch(invocation('unsubscribe', { in: 'news' }, named('text')), t.svc))).toBe('That channel will no longer get the daily post.');
    expect(textOf(await dispatch(invocation('unsubscribe', { in: 'news' }, named('text')), t.svc))).toBe('That channel has no daily post.');
  });
});

describe('unsubscribe', () => {
  it('stops the daily post, and says when there was none', async () => {
    expect(textOf(await dispatch(invocation('unsubscribe'), t.svc))).toBe('This channel has no daily post.');
    await dispatch(invocation('subscribe'), t.svc);
    expect(textOf(await dispatch(invocation('unsubscribe'), t.svc))).toBe('This channel will no longer get the daily post.');
    expect(await subscription()).toBeNull();
  });

  it('refuses people who may not manage the channel, and subscriptions from the config file', async () => {
    await t.svc.store.subscriptions.upsert({
      platform: 'console',
      workspaceId: null,
      channelId: 'general',
      origin: 'config',
      createdBy: 'config:subs.yaml',
      time: '09:00',
      timezone: 'UTC',
      top: 5,
      topics: [],
      minUpvotes: 0,
      rank: 'balanced',
    });
    expect(textOf(await dispatch(invocation('unsubscribe', {}, { canManageChannel: false }), t.svc))).toBe(
      'Only people who may manage this channel can stop its daily post.',
    );
    expect(textOf(await dispatch(invocation('unsubscribe'), t.svc))).toMatch(/declared in the bot's config file/);
    expect(await subscription()).not.toBeNull();
  });

  it('takes no options but the channel', async () => {
    expect(textOf(await dispatch(invocation('unsubscribe', { now: true }), t.svc))).toBe('unsubscribe has no option "now" (options: in)');
  });
});

describe('settings', () => {
  it('explains how to subscribe when there is nothing', async () => {
    expect(textOf(await dispatch(invocation('settings'), t.svc))).toMatch(/^This channel has no daily post. Set one up with \/papers subscribe/);
  });

  it('shows the subscription, privately', async () => {
    await dispatch(invocation('subscribe', { time: '08:15', tz: 'Asia/Tokyo', top: 4, topics: 'agents' }), t.svc);
    const reply = await dispatch(invocation('settings'), t.svc);
    expect(reply.visibility).toBe('private');
    expect(textOf(reply)).toContain(
      'Time: 08:15 Asia/Tokyo\nPosts: every day\nPapers per post: 4\nTopics: agents\nMinimum upvotes: 0\nRanking: balanced (upvotes, recency and topics)\narXiv categories: none\nDiscussion threads: off\nPublish to followers: off\nStatus: on',
    );
  });

  it('notes when the scheduler disabled it after posting errors', async () => {
    await dispatch(invocation('subscribe'), t.svc);
    await t.svc.store.subscriptions.recordFailure('console:general', 'Missing Access', 1);
    const text = textOf(await dispatch(invocation('settings'), t.svc));
    expect(text).toContain('Status: off');
    expect(text).toMatch(/Paused by the bot: .+\. Run \/papers subscribe to turn it back on\./);
    expect(text).toContain('Last posting error: Missing Access');
    await dispatch(invocation('subscribe'), t.svc);
    expect(await subscription()).toMatchObject({ enabled: true, disabledReason: null });
  });
});
