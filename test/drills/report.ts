/**
 * Each drill ends with one count line, e.g. `drill sigkill-fanout: 50 seeds, 0 duplicates, 0 missing`,
 * so a CI log shows what was tried and what held. RELIABILITY.md is written from these lines.
 */
export function drillLine(name: string, summary: string): void {
  process.stdout.write(`drill ${name}: ${summary}\n`);
}
