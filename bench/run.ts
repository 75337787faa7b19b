/**
 * `npm run bench`: runs every benchmark on loopback fakes, prints each figure, and writes
 * bench/RESULTS.md with the date and the machine. Not part of `npm test`: figures, not assertions.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface Bench {
  title: string;
  /** The bench's module, next to this file; it exports `run(): Promise<string[]>`. */
  module: string;
}

const BENCHES: Bench[] = [
  { title: 'Relevance (real papers)', module: './relevance.ts' },
  { title: 'Search at 1,000,000 papers', module: './search.ts' },
  { title: 'Parse and rank (10,000 papers)', module: './parse-rank.ts' },
  { title: 'Scale (10,000 subscriptions, 1,000,000 bookmarks)', module: './scale.ts' },
  { title: 'Command latency (50 and 200 concurrent /papers today, against floors making the same calls)', module: './latency.ts' },
  { title: 'Fan-out (500 channels × header + 5 papers)', module: './fanout.ts' },
  { title: 'Follows (100,000 people × 5 follows against 50 and 350 papers)', module: './follows.ts' },
  { title: 'Fan-out from 3 processes through papers rest-proxy', module: './proxy-fanout.ts' },
  { title: 'DM fan-out (10,000 personal digests by direct message)', module: './dm-fanout.ts' },
];

const ONE = fileURLToPath(new URL('./one.ts', import.meta.url));

/**
 * Runs a bench in a process of its own, as the bot runs in its own: run in this one, the search
 * bench's heap (100,000 papers indexed) slowed the garbage collection of every bench after it, and
 * the bot's latency figures came out worse than those of the same bench run alone.
 */
function inOwnProcess(module: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ONE, module], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as string[]) : reject(new Error(`bench ${module} exited with ${code}`))));
  });
}

const only = process.argv.slice(2);
// Wall-clock figures stretch when other work shares the cores, so the load is part of the record.
const loadAtStart = os.loadavg()[0]!;
const sections: string[] = [];
for (const bench of BENCHES.filter((b) => only.length === 0 || only.some((o) => b.title.toLowerCase().includes(o.toLowerCase())))) {
  console.log(`\n## ${bench.title}`);
  const lines = await inOwnProcess(bench.module);
  for (const line of lines) console.log(line);
  sections.push(`## ${bench.title}\n\n${lines.map((l) => `- ${l}`).join('\n')}\n`);
}

const machine = `${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown cpu'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB memory, Node ${process.version}, ${os.platform()} ${os.arch()}; 1-minute load average ${loadAtStart.toFixed(1)} at the start, ${os.loadavg()[0]!.toFixed(1)} at the end`;
if (only.length === 0) {
  const out = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
  writeFileSync(out, `# Benchmark results\n\nRun ${new Date().toISOString()} on ${machine}.\nReproduce with \`npm run bench\`.\n\n${sections.join('\n')}`);
  console.log(`\nwrote ${out}`);
}
