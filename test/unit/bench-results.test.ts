import { describe, expect, it } from 'vitest';
import { mergeResults } from '../../bench/results-file';

const HEAD = '# Benchmark results\n\nReproduce with `npm run bench`.';
const FILE = `# Benchmark results

Run long ago.

## Fan-out

_Run 1_

- old fan-out figure

## Quiet re-run (hand-written)

Analysis a person wrote.

| a | b |
|---|---|

## Follows

- old follows figure
`;

describe('bench/RESULTS.md after a run', () => {
  it('replaces the sections of the benches that ran, in place, and keeps the hand-written ones', () => {
    const merged = mergeResults(FILE, [{ title: 'Fan-out', stamp: 'Run 2', lines: ['new fan-out figure'] }], HEAD);
    expect(merged).toBe(`${HEAD}

## Fan-out

_Run 2_

- new fan-out figure

## Quiet re-run (hand-written)

Analysis a person wrote.

| a | b |
|---|---|

## Follows

- old follows figure
`);
  });

  it('appends a bench the file has no section for, and writes a new file whole', () => {
    const dm = { title: 'DM fan-out', stamp: 'Run 3', lines: ['a', 'b'] };
    expect(mergeResults(FILE, [dm], HEAD)).toMatch(/## Follows\n\n- old follows figure\n\n## DM fan-out\n\n_Run 3_\n\n- a\n- b\n$/);
    expect(mergeResults('', [dm], HEAD)).toBe(`${HEAD}\n\n## DM fan-out\n\n_Run 3_\n\n- a\n- b\n`);
  });

  it('gives the same file when the same run is merged twice', () => {
    const run = [{ title: 'Follows', stamp: 'Run 4', lines: ['x'] }];
    const once = mergeResults(FILE, run, HEAD);
    expect(mergeResults(once, run, HEAD)).toBe(once);
  });
});
