/**
 * bench/RESULTS.md holds two kinds of section: one per bench, written by `npm run bench`, and
 * hand-written ones (quiet re-runs, what a miss comes from, what changed). A run replaces the
 * sections of the benches it ran, in place, and appends those the file lacks; every other
 * section is kept as it stands, so a plain `npm run bench` no longer erases the analysis.
 */

export interface BenchSection {
  /** The bench's title: the section's `## ` heading. */
  title: string;
  /** When and where it ran. */
  stamp: string;
  lines: string[];
}

const render = (s: BenchSection) => `## ${s.title}\n\n_${s.stamp}_\n\n${s.lines.map((l) => `- ${l}`).join('\n')}`;

/** The file's `## ` sections, each with its heading; the text before the first is the file's head. */
function sectionsOf(markdown: string): { title: string; text: string }[] {
  return markdown
    .split(/^(?=## )/m)
    .filter((part) => part.startsWith('## '))
    .map((text) => ({ title: (text.split('\n', 1)[0] ?? '').slice(3).trim(), text: text.trimEnd() }));
}

/** The file after a run: `head` first, then its sections with those of `runs` replaced or appended. */
export function mergeResults(existing: string, runs: BenchSection[], head: string): string {
  const fresh = new Map(runs.map((r) => [r.title, r]));
  const kept = sectionsOf(existing).map((s) => {
    const run = fresh.get(s.title);
    fresh.delete(s.title);
    return run ? render(run) : s.text;
  });
  return `${[head.trimEnd(), ...kept, ...[...fresh.values()].map(render)].join('\n\n')}\n`;
}
