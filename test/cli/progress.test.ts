import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { progress } from '../../cli/progress';

function stream(isTTY: boolean): { out: PassThrough & { isTTY?: boolean }; text: () => string } {
  const out = Object.assign(new PassThrough(), { isTTY });
  const chunks: string[] = [];
  out.on('data', (c: Buffer) => chunks.push(c.toString()));
  return { out, text: () => chunks.join('') };
}

describe('progress of long work', () => {
  it('writes a plain line every 5 seconds and at the end when not on a terminal', async () => {
    const { out, text } = stream(false);
    let now = 0;
    const p = progress(out, { label: 'papers import: big.json', unit: 'papers', total: 100_000 }, () => now);
    for (let done = 10_000; done <= 100_000; done += 10_000) {
      now += 1_000;
      p.update(done);
    }
    p.finish();
    await new Promise((r) => setImmediate(r));
    expect(text().trimEnd().split('\n')).toEqual([
      'papers import: big.json: 10,000/100,000 papers (10%), 10,000 papers/s, 9 s left',
      'papers import: big.json: 60,000/100,000 papers (60%), 10,000 papers/s, 4 s left',
      'papers import: big.json: 100,000/100,000 papers (100%), 10,000 papers/s, 0 s left',
    ]);
  });

  it('redraws one line in place on a terminal, and ends it', async () => {
    const { out, text } = stream(true);
    let now = 0;
    const p = progress(out, { label: 'import', unit: 'papers', total: 4 }, () => now);
    for (let done = 1; done <= 4; done++) {
      now += 500;
      p.update(done);
    }
    p.finish();
    await new Promise((r) => setImmediate(r));
    const drawn = text().split('\r\u001b[2K').filter(Boolean);
    expect(drawn).toHaveLength(5);
    expect(drawn[0]).toBe('import: 1/4 papers (25%), 2 papers/s, 2 s left');
    expect(drawn[4]).toBe('import: 4/4 papers (100%), 2 papers/s, 0 s left\n');
  });
});
