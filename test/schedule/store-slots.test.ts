import { describe, expect, it } from 'vitest';
import { storeSlots } from '../../src/schedule/store-slots';

/** A promise the test settles when it chooses: a step awaiting it holds its slot until then. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('store slots', () => {
  it('run at most `concurrency` steps at once; a waiting step of a lower rank goes first, equal ranks in the order they came', async () => {
    const slots = storeSlots(2);
    const log: string[] = [];
    let running = 0;
    let most = 0;
    const step = (name: string, until: Promise<void>) => async () => {
      running++;
      most = Math.max(most, running);
      log.push(name);
      await until;
      running--;
    };
    const first = gate();
    const second = gate();
    const done = [slots(step('a0', first.opened), 0), slots(step('b0', second.opened), 1)];
    // Both slots are taken: these wait, and leave by rank.
    done.push(slots(step('c5', Promise.resolve()), 5), slots(step('d2', Promise.resolve()), 2), slots(step('e2', Promise.resolve()), 2));
    done.push(slots(step('f', Promise.resolve())));
    first.open();
    second.open();
    await Promise.all(done);
    expect(log).toEqual(['a0', 'b0', 'd2', 'e2', 'c5', 'f']);
    expect(most).toBe(2);
  });

  it("pass a step's result and failure through, and a failed step frees its slot", async () => {
    const slots = storeSlots(1);
    await expect(slots(async () => Promise.reject(new Error('store down')), 0)).rejects.toThrow('store down');
    expect(await slots(async () => 42)).toBe(42);
  });
});
