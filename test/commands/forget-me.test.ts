import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { postPersonalDigests } from '../../src/personal/deliver';
import { sendAlerts } from '../../src/personal/alerts';
import { log, RecordingPoster, testConfig } from '../schedule/harness';
import { NOW, testServices, typedBy } from './services';
import { textOf } from './reply-text';

let t: Awaited<ReturnType<typeof testServices>>;
beforeEach(async () => void (t = await testServices()));
afterEach(async () => t.cleanup());

async function typed(text: string, user = 'ada') {
  const reply = await typedBy(t.svc, text, user);
  expect(reply.visibility).toBe('private');
  return textOf(reply);
}

/** Everything the store holds about a person on the console, as counts. */
async function storedAbout(user: string) {
  const { store } = t.svc;
  return {
    bookmarks: (await store.bookmarks.list('console', user)).length,
    follows: (await store.follows.list('console', user)).length,
    feed: (await store.personal.get('console', user)) !== null,
    sent: (await store.personal.unsent('console', user, ['2510.11696', '2510.10681'])).length < 2,
    deliveries: (await store.deliveries.get(`me:console:${user}@2025-10-16`)) !== null,
    messages: (await store.posts.forDelivery(`me:console:${user}@2025-10-16`)).length > 0,
    alerts: (await store.deliveries.get(`alert:console:${user}@2025-10-16T10`)) !== null,
    alertMessages: (await store.posts.forDelivery(`alert:console:${user}@2025-10-16T10`)).length > 0,
  };
}

describe('/papers me and /papers forget-me', () => {
  it('me shows what is stored; forget-me asks, then deletes all of it and nothing of anyone else', async () => {
    for (const user of ['ada', 'bob']) {
      await t.svc.store.bookmarks.add({ platform: 'console', userId: user, paperId: '2510.11690', messageId: null, at: NOW });
      await typed('follow NVFP4 quantization', user);
      await typed('follow author Chenyan Xiong', user);
      await typed('me daily time 08:00 tz Europe/Berlin', user);
      await typed('me alerts on', user);
    }
    const poster = new RecordingPoster();
    const run = { store: t.svc.store, posters: [poster], config: testConfig(), log, now: () => NOW, owner: { host: 'h', pid: 1 } };
    await postPersonalDigests({ ...run, date: '2025-10-16' });
    // A list arriving after the digest: news for the alerts.
    const [like] = await t.svc.store.papers.getMany(['2510.11696']);
    await t.svc.store.papers.upsert([{ ...like!, id: 'new1', arxivId: null, listedOn: '2025-10-16' }], NOW);
    expect((await sendAlerts(run)).users.map((u) => u.outcome)).toEqual(['sent', 'sent']);
    const everything = { bookmarks: 1, follows: 2, feed: true, sent: true, deliveries: true, messages: true, alerts: true, alertMessages: true };
    expect(await storedAbout('ada')).toEqual(everything);

    const shown = await typed('me');
    expect(shown).toContain('Follows (2): NVFP4 quantization; author Chenyan Xiong');
    expect(shown).toContain('Bookmarks: 1');
    expect(shown).toContain('Personal digest: every day at 08:00 Europe/Berlin');
    expect(shown).toContain('Alerts: on');

    const asked = await typed('forget-me');
    expect(asked).toMatch(/^This deletes what papers-bot stores about you here: 1 bookmark\(s\), 2 follow\(s\)/);
    expect(asked).toContain('/papers forget-me confirm');
    expect(await storedAbout('ada')).toEqual(everything);

    expect(await typed('forget-me confirm')).toMatch(/^Deleted: 1 bookmark\(s\), 2 follow\(s\)/);
    expect(await storedAbout('ada')).toEqual({
      bookmarks: 0,
      follows: 0,
      feed: false,
      sent: false,
      deliveries: false,
      messages: false,
      alerts: false,
      alertMessages: false,
    });
    expect(await storedAbout('bob')).toEqual(everything);
    expect(await typed('me')).toContain('Follows (0): none');
  });
});
