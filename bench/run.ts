/**
 * `npm run bench [title words…]`: runs every benchmark (or those whose title has one of the words)
 * on loopback fakes, prints each figure, and writes each bench's section of bench/RESULTS.md with
 * the date and the machine, keeping the hand-written sections. Not part of `npm test`: figures, not assertions.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { mergeResults, type BenchSection } from './results-file';

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
const machine = () =>
  `${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown cpu'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB memory, Node ${process.version}, ${os.platform()} ${os.arch()}`;
const sections: BenchSection[] = [];
for (const bench of BENCHES.filter((b) => only.length === 0 || only.some((o) => b.title.toLowerCase().includes(o.toLowerCase())))) {
  console.log(`\n## ${bench.title}`);
  // Wall-clock figures stretch when other work shares the cores, so the load is part of the record.
  const loadAtStart = os.loadavg()[0]!;
  const lines = await inOwnProcess(bench.module);
  for (const line of lines) console.log(line);
  const stamp = `Run ${new Date().toISOString()} on ${machine()}; 1-minute load average ${loadAtStart.toFixed(1)} at the start, ${os.loadavg()[0]!.toFixed(1)} at the end.`;
  sections.push({ title: bench.title, stamp, lines });
}

const out = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
const head = `# Benchmark results\n\nReproduce with \`npm run bench\` (or \`npm run bench -- <title word>\` for one). Each bench's section says when and where it ran; \`npm run bench\` rewrites those and keeps the hand-written sections.`;
writeFileSync(out, mergeResults(existsSync(out) ? readFileSync(out, 'utf8') : '', sections, head));
console.log(`\nwrote ${out}`);
