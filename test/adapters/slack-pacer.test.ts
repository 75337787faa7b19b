import { describe, expect, it } from 'vitest';
import { createChannelPacer } from '../../adapters/slack/pacer';

describe('Slack channel pacer', () => {
  it("keeps a channel's gap when idle channels are swept while its next slot is still ahead", async () => {
    const INTERVAL_MS = 200;
    const pacer = createChannelPacer(INTERVAL_MS);
    let answeredAt = 0;
    await pacer.run('C1', async () => void (answeredAt = Date.now()));
    // A thousand sends elsewhere trigger a sweep of idle lanes; C1 is idle, but its slot is ahead.
    await Promise.all(Array.from({ length: 1000 }, (_, i) => pacer.run(`other-${i}`, async () => undefined)));
    const startedAt = await pacer.run('C1', async () => Date.now());
    expect(startedAt - answeredAt).toBeGreaterThanOrEqual(INTERVAL_MS);
  });

  it('lets channels go side by side, and runs one channel in order', async () => {
    const pacer = createChannelPacer(50);
    const order: string[] = [];
    const send = (channel: string, n: number) => pacer.run(channel, async () => void order.push(`${channel}${n}`));
    await Promise.all([send('A', 1), send('A', 2), send('B', 1), send('B', 2)]);
    expect(order.slice(0, 2).sort()).toEqual(['A1', 'B1']);
    expect(order.slice(2).sort()).toEqual(['A2', 'B2']);
  });
});
