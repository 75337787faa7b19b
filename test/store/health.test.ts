import { describe, expect, it } from 'vitest';
import { openTestStore, storeKinds } from '../helpers/stores';

/** What /readyz and GET /metrics ask of the store: a trivial query, and the pool's connections in use. */
describe.each(storeKinds)('store health (%s)', (kind) => {
  it('answers ping, and counts the pooled connections in use (SQLite has no pool)', async () => {
    const { store, cleanup } = await openTestStore(kind);
    try {
      await expect(store.ping()).resolves.toBeUndefined();
      expect(store.connectionsInUse()).toBe(kind === 'sqlite' ? null : 0);
      if (kind === 'postgres') {
        // Ten queries at once check out connections of their own while they run.
        let most = 0;
        await Promise.all(
          Array.from({ length: 10 }, () =>
            store.subscriptions.list().then(() => {
              most = Math.max(most, store.connectionsInUse()!);
            }),
          ),
        );
        expect(most).toBeGreaterThan(0);
        expect(store.connectionsInUse()).toBe(0);
      }
    } finally {
      await cleanup();
    }
  });
});
