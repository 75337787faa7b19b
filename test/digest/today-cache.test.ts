import { afterEach, describe, expect, it } from 'vitest';
import { dispatch } from '../../commands/kit/dispatch';
import type { Services } from '../../src/chat/command';
import { loadBotConfig } from '../../adapters/index';
import { createLogger } from '../../src/log';
import { openStore } from '../../src/store/open';
import type { Store } from '../../src/store/types';
import { repoRoot } from '../helpers/fixtures';
import { openTestStore, storeKinds } from '../helpers/stores';
import { bundledPapers, invocation, NOW } from '../commands/services';
import { paperIdsOf, textOf } from '../commands/reply-text';
import type { Reply } from '../../src/chat/reply';

/** `/papers today` answers from a cache keyed by the store's papers revision; these show it never serves a stale list. */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The reason line of each paper in the reply ("6 upvotes · listed 1 day ago"). */
const reasonsOf = (reply: Reply) => reply.blocks.flatMap((b) => (b.kind === 'paper' ? [b.reason ?? ''] : []));

function services(store: Store, now = NOW): Services {
  return {
    store,
    config: loadBotConfig({}, repoRoot),
    log: createLogger({ level: 'silent' }),
    now: () => now,
    sourceStatus: () => ({ lastSuccessAt: now, lastError: null, note: null }),
  };
}

describe.each(storeKinds)('today from the cache (%s)', (kind) => {
  async function twoReplicas() {
    const db = await openTestStore(kind);
    cleanups.push(db.cleanup);
    const other = await openStore(db.url);
    cleanups.push(() => other.close());
    await db.store.papers.upsert(bundledPapers(), NOW);
    return { mine: db.store, other };
  }

  it('moves the papers revision with every paper write, and only then', async () => {
    const { mine, other } = await twoReplicas();
    const before = await mine.papers.revision();
    const papers = bundledPapers();
    await other.papers.upsert(papers, NOW);
    expect(await mine.papers.revision()).toBe(before);
    await other.papers.upsert([{ ...papers[5]!, upvotes: papers[5]!.upvotes + 1 }], NOW);
    expect(await mine.papers.revision()).toBe(before + 1);
  });

  it('answers repeated requests with the same reply, and a new one after another replica changes upvotes', async () => {
    const { mine, other } = await twoReplicas();
    const svc = services(mine);
    const first = await dispatch(invocation('today'), svc);
    expect(await dispatch(invocation('today', {}, { user: { id: 'bob', name: 'Bob' } }), svc)).toBe(first);

    // The fifth paper of the list jumps to the top on the other replica.
    const papers = bundledPapers();
    const last = papers.find((p) => p.id === paperIdsOf(first)[4])!;
    await other.papers.upsert([{ ...last, upvotes: 10_000 }], NOW);
    const after = await dispatch(invocation('today'), svc);
    expect(paperIdsOf(after)[0]).toBe(last.id);
    expect(reasonsOf(after)[0]).toMatch(/^10000 upvotes/);
  });

  it("follows this channel's settings as soon as they change", async () => {
    const { mine, other } = await twoReplicas();
    const svc = services(mine);
    expect(paperIdsOf(await dispatch(invocation('today'), svc))).toHaveLength(5);
    await dispatch(invocation('subscribe', { top: 2 }), services(other));
    expect(paperIdsOf(await dispatch(invocation('today'), svc))).toHaveLength(2);
  });

  it('counts ages from the day asked, not the day cached', async () => {
    const { mine } = await twoReplicas();
    const day1 = await dispatch(invocation('today'), services(mine, new Date('2025-10-15T10:00:00Z')));
    const day2 = await dispatch(invocation('today'), services(mine, new Date('2025-10-16T10:00:00Z')));
    expect(reasonsOf(day1)[0]).toContain('listed 1 day ago');
    expect(reasonsOf(day2)[0]).toContain('listed 2 days ago');
  });

  it('shares one computation among concurrent first requests and keeps answers apart by source status', async () => {
    const { mine } = await twoReplicas();
    const replies = await Promise.all(Array.from({ length: 20 }, () => dispatch(invocation('today'), services(mine))));
    expect(new Set(replies).size).toBe(1);
    const failing: Services = { ...services(mine), sourceStatus: () => ({ lastSuccessAt: null, lastError: 'HTTP 503', note: null }) };
    expect(textOf(await dispatch(invocation('today'), failing))).toContain('HTTP 503');
  });

  it('reads the revision once for a burst of concurrent requests, and again for the next one', async () => {
    const { mine, other } = await twoReplicas();
    const BURST = 50;
    let reads = 0;
    let asked = 0;
    let everyoneAsked = () => {};
    const allAsked = new Promise<void>((resolve) => void (everyoneAsked = resolve));
    const counting: Store = {
      ...mine,
      // Each request reads its channel's subscription, then the revision. SQLite serves queries in
      // turn on its one connection, so the first revision read queues behind every request's
      // subscription read. Postgres runs them side by side on a pool, so there the read is held
      // until every request has asked: whether a late one still finds it in flight is otherwise
      // up to timing.
      ...(kind === 'postgres'
        ? {
            subscriptions: {
              ...mine.subscriptions,
              get: async (id: string) => {
                const found = await mine.subscriptions.get(id);
                if (++asked === BURST) setImmediate(everyoneAsked);
                return found;
              },
            },
          }
        : {}),
      papers: {
        ...mine.papers,
        revision: async () => {
          reads++;
          if (kind === 'postgres') await allAsked;
          return mine.papers.revision();
        },
      },
    };
    const svc = services(counting);
    await Promise.all(Array.from({ length: BURST }, () => dispatch(invocation('today'), svc)));
    expect(reads).toBe(1);
    // A write before the next request is seen by it: the shared read ended with the burst.
    const papers = bundledPapers();
    const fifthId = paperIdsOf(await dispatch(invocation('today'), svc))[4];
    const fifth = papers.find((p) => p.id === fifthId)!;
    await other.papers.upsert([{ ...fifth, upvotes: 10_000 }], NOW);
    expect(paperIdsOf(await dispatch(invocation('today'), svc))[0]).toBe(fifth.id);
  });
});
