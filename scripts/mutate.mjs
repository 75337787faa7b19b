// `npm run mutate [group …]`: Stryker over each group of stryker/groups.mjs in turn (all of them by
// default), each against its own tests and with its own incremental file, then a line per group
// with its score and time. Extra Stryker options go after `--` (e.g. `-- --concurrency 2`).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { GROUPS } from '../stryker/groups.mjs';

const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const names = dash < 0 ? argv : argv.slice(0, dash);
const extra = dash < 0 ? [] : argv.slice(dash + 1);
const unknown = names.filter((n) => !GROUPS.some((g) => g.name === n));
if (unknown.length > 0) {
  console.error(`papers mutate: no group ${unknown.join(', ')} (${GROUPS.map((g) => g.name).join(', ')})`);
  process.exit(2);
}
const chosen = names.length ? GROUPS.filter((g) => names.includes(g.name)) : GROUPS;

/** Killed and timed out over everything tested, per module, from Stryker's JSON report. */
function scores(group) {
  const report = JSON.parse(readFileSync(`reports/mutation/mutation-${group.name}.json`, 'utf8'));
  return Object.entries(report.files).map(([file, { mutants }]) => {
    const count = (...states) => mutants.filter((m) => states.includes(m.status)).length;
    const detected = count('Killed', 'Timeout');
    const valid = detected + count('Survived', 'NoCoverage');
    return `${file}: ${valid ? ((100 * detected) / valid).toFixed(1) : '–'} % (${detected}/${valid})`;
  });
}

const summary = [];
let failed = false;
const started = Date.now();
for (const group of chosen) {
  const t0 = Date.now();
  const run = spawnSync('npx', ['stryker', 'run', ...extra], { stdio: 'inherit', env: { ...process.env, PAPERS_MUTATE_GROUP: group.name } });
  const minutes = ((Date.now() - t0) / 60_000).toFixed(1);
  if (run.status !== 0) {
    failed = true;
    summary.push(`${group.name}: Stryker failed (exit ${run.status}) after ${minutes} min`);
    continue;
  }
  summary.push(`${group.name}: ${minutes} min`, ...scores(group).map((s) => `  ${s}`));
}
console.log(`\n${summary.join('\n')}\nall: ${((Date.now() - started) / 60_000).toFixed(1)} min`);
process.exit(failed ? 1 : 0);
