/**
 * `npm run bench`: runs every benchmark on loopback fakes, prints each figure, and writes
 * bench/RESULTS.md with the date and the machine. Not part of `npm test`: figures, not assertions.
 */
import os from 'node:os';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface Bench {
  title: string;
  load: () => Promise<{ run: () => Promise<string[]> }>;
}

const BENCHES: Bench[] = [
  { title: 'Search index (100,000 papers)', load: () => import('./search') },
  { title: 'Parse and rank (10,000 papers)', load: () => import('./parse-rank') },
  { title: 'Scale (10,000 subscriptions, 1,000,000 bookmarks)', load: () => import('./scale') },
  { title: 'Command latency (200 concurrent /papers today)', load: () => import('./latency') },
  { title: 'Fan-out (500 channels × header + 5 papers)', load: () => import('./fanout') },
];

const only = process.argv.slice(2);
// Wall-clock figures stretch when other work shares the cores, so the load is part of the record.
const loadAtStart = os.loadavg()[0]!;
const sections: string[] = [];
for (const bench of BENCHES.filter((b) => only.length === 0 || only.some((o) => b.title.toLowerCase().includes(o.toLowerCase())))) {
  console.log(`\n## ${bench.title}`);
  const lines = await (await bench.load()).run();
  for (const line of lines) console.log(line);
  sections.push(`## ${bench.title}\n\n${lines.map((l) => `- ${l}`).join('\n')}\n`);
}

const machine = `${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown cpu'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB memory, Node ${process.version}, ${os.platform()} ${os.arch()}; 1-minute load average ${loadAtStart.toFixed(1)} at the start, ${os.loadavg()[0]!.toFixed(1)} at the end`;
if (only.length === 0) {
  const out = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
  writeFileSync(out, `# Benchmark results\n\nRun ${new Date().toISOString()} on ${machine}.\nReproduce with \`npm run bench\`.\n\n${sections.join('\n')}`);
  console.log(`\nwrote ${out}`);
}
