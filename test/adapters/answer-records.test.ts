import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAnswerRecords } from '../../src/chat/answer-records';
import type { Store } from '../../src/store/types';
import { openTestStore } from '../helpers/stores';
import { captureLog } from '../sources/capture-log';
import { bundledPapers, NOW } from '../commands/services';

const papers = bundledPapers();
const [first, second] = papers;
const answer = (messageId: string, paperIds = [first!.id, second!.id]) => ({ platform: 'discord', channelId: 'c1', messageId, paperIds, postedAt: NOW });

describe('answer records', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ store, cleanup } = await openTestStore('sqlite'));
    await store.papers.upsert(papers, NOW);
  });
  afterEach(() => cleanup());

  it('records an answer at the end of the turn it was sent in, or at once when settled, with its papers in display order', async () => {
    const { log } = captureLog();
    const answers = createAnswerRecords(store, log);
    answers.add(answer('m1'));
    await answers.settle();
    expect(await store.posts.find('discord', 'c1', 'm1')).toEqual({ ...answer('m1'), kind: 'answer', deliveryId: null });
    answers.add(answer('m2'));
    await vi.waitFor(async () => expect(await store.posts.find('discord', 'c1', 'm2')).not.toBeNull());
  });

  it('writes the record without waiting on a timer: no window in which a crash loses it after the next turns', async () => {
    // Timers stand still: a record that waited on one (it waited 250 ms) would never be written.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    try {
      const answers = createAnswerRecords(store, captureLog().log);
      answers.add(answer('m5'));
      let found = null;
      for (let turn = 0; turn < 20 && !found; turn++) {
        await new Promise((resolve) => setImmediate(resolve));
        found = await store.posts.find('discord', 'c1', 'm5');
      }
      expect(found).toMatchObject({ messageId: 'm5', kind: 'answer' });
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps no record of an answer without papers', async () => {
    const answers = createAnswerRecords(store, captureLog().log);
    answers.add(answer('m3', []));
    await answers.settle();
    expect(await store.posts.find('discord', 'c1', 'm3')).toBeNull();
  });

  it('logs a failed write and settles anyway: a lost record must not fail the answer or the reaction', async () => {
    const { log, events } = captureLog();
    const failing: Store = { ...store, posts: { ...store.posts, record: () => Promise.reject(new Error('disk full')) } };
    const answers = createAnswerRecords(failing, log);
    answers.add(answer('m4'));
    await expect(answers.settle()).resolves.toBeUndefined();
    expect(events().find((e) => e.msg === 'answers not recorded; reactions on them will be ignored')).toMatchObject({ err: 'disk full', answers: 1 });
  });
});
