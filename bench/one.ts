/**
 * One bench in this process: `node --import tsx bench/one.ts ./latency.ts` prints the bench's
 * figures as one JSON line on stdout. run.ts starts one such process per bench.
 */
const { run } = (await import(new URL(process.argv[2]!, import.meta.url).href)) as { run: () => Promise<string[]> };
const lines = await run();
// Exit once written: a bench may leave handles (sockets, timers) that would keep the process up.
process.stdout.write(`${JSON.stringify(lines)}\n`, () => process.exit(0));
