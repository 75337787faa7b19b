import type { Services } from '../src/chat/command';
import { createLogger } from '../src/log';
import { IsoDate } from '../src/model/paper';
import { openStore } from '../src/store/open';
import { prepareSecretsAtRest, secretBoxOf } from '../src/store/secret-box';
import { createRefresher } from '../src/sources/refresher';
import { currentOwner } from '../src/schedule/claims';
import { syncConfigSubscriptions } from '../src/schedule/config-file';
import { postDaily, type DeliveryReport } from '../src/schedule/fanout';
import { postPersonalDigests, type PersonalReport } from '../src/personal/deliver';
import { chosenAdapters, loadBotConfig } from '../adapters/index';
import { CliError, type CliContext } from './context';
import { commandArgs } from './args';

const USAGE = 'usage: papers post-daily (--subscription ID ... | --all | --users) [--date YYYY-MM-DD] [--dry-run]';

interface Flags {
  subscriptionIds: string[] | undefined;
  /** Personal digests instead of channels. */
  users: boolean;
  date: string | undefined;
  dryRun: boolean;
}

function parseFlags(args: string[], ctx: CliContext): Flags | null {
  const parsed = commandArgs(
    args,
    ctx,
    USAGE,
    {
      subscription: { type: 'string', multiple: true },
      all: { type: 'boolean', default: false },
      users: { type: 'boolean', default: false },
      date: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
    },
    { noPositionals: true },
  );
  if (!parsed) return null;
  const { values } = parsed;
  if ([values.all, Boolean(values.subscription), values.users].filter(Boolean).length !== 1)
    throw new CliError(`give one of --subscription ID, --all or --users; ${USAGE}`, 2);
  if (values.date !== undefined) {
    const ok = IsoDate.safeParse(values.date).success && new Date(`${values.date}T00:00:00Z`).toISOString().startsWith(values.date);
    if (!ok) throw new CliError(`--date must be a calendar date as YYYY-MM-DD, got "${values.date}"`, 2);
  }
  return { subscriptionIds: values.subscription, users: values.users, date: values.date, dryRun: values['dry-run'] };
}

/** Terminal-safe one line of untrusted text. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes.
const oneLine = (s: string) => s.replace(/[\u0000-\u001f\u007f\s]+/g, ' ').trim();

/** One channel's outcome as `papers post-daily` prints it. */
export function describeReport(r: DeliveryReport): string {
  const head = `${r.subscriptionId} ${r.date}`;
  if (r.outcome === 'dry-run' && r.plan) {
    const lines = [`${head}: would post ${r.plan.papers.length} paper(s) from the ${r.plan.listDate ?? '(no list yet)'} list`];
    for (const [i, p] of r.plan.papers.entries()) lines.push(`  ${i + 1}. ${p.id}  ${oneLine(p.title)}  (${oneLine(p.reason)})`);
    if (r.plan.excluded.length > 0) lines.push('  left out:');
    for (const p of r.plan.excluded) lines.push(`  - ${p.id}  ${oneLine(p.title)}  (${oneLine(p.reason)})`);
    return lines.join('\n');
  }
  const found = r.found ? `; found ${r.found} already posted by an earlier run` : '';
  const what: Record<DeliveryReport['outcome'], string> = {
    posted: `posted ${r.messages} message(s)${found}`,
    empty: r.messages > 0 ? 'nothing new; posted the note' : 'nothing new; posted nothing',
    'already-posted': 'already posted; nothing sent',
    'claimed-elsewhere': 'being posted by another process (or given up after its attempts); nothing sent',
    failed: `failed after ${r.messages} message(s)${found}`,
    skipped: 'skipped',
    'dry-run': 'would post nothing',
  };
  return `${head}: ${what[r.outcome]}${r.detail ? `: ${oneLine(r.detail)}` : ''}`;
}

/** One person's digest as `papers post-daily --users` prints it. */
export function describePersonalReport(r: PersonalReport): string {
  const head = `${r.platform} user ${r.userId} ${r.date}`;
  if (r.outcome === 'dry-run' && r.plan) {
    const lines = [
      `${head}: would send ${r.plan.papers.length} paper(s) of ${r.plan.listLabel ?? '(no list yet)'}${r.detail ? ` (${oneLine(r.detail)})` : ''}`,
    ];
    for (const [i, p] of r.plan.papers.entries()) lines.push(`  ${i + 1}. ${p.id}  ${oneLine(p.title)}  (${oneLine(p.reason)})`);
    if (r.plan.excluded.length > 0) lines.push('  left out:');
    for (const p of r.plan.excluded) lines.push(`  - ${p.id}  ${oneLine(p.title)}  (${oneLine(p.reason)})`);
    return lines.join('\n');
  }
  const what: Record<PersonalReport['outcome'], string> = {
    posted: `sent ${r.messages} direct message(s)`,
    empty: 'nothing matching; sent nothing',
    'already-posted': 'already sent; nothing sent',
    'claimed-elsewhere': 'being sent by another process (or given up after its attempts); nothing sent',
    failed: `failed after ${r.messages} message(s)`,
    paused: 'paused: the platform refuses direct messages to them',
    skipped: 'skipped',
    'dry-run': 'would send nothing',
  };
  return `${head}: ${what[r.outcome]}${r.detail ? `: ${oneLine(r.detail)}` : ''}`;
}

/**
 * `papers post-daily`: the daily fan-out now, with the same environment and database as
 * `papers start` (and safe while it runs: the delivery claims keep every post to once).
 * Refreshes the source first. Exit 1 when a channel failed. `--users`: people's digests instead
 * (those due now, or all for `--date` and `--dry-run`), by direct message.
 */
export async function run(args: string[], ctx: CliContext): Promise<number> {
  const flags = parseFlags(args, ctx);
  if (!flags) return 0;
  const config = loadBotConfig(ctx.env, ctx.cwd);
  const log = createLogger({ level: config.logLevel, secrets: config.secrets });
  const now = () => new Date();
  const store = await openStore(config.databaseUrl, { log, cwd: ctx.cwd });
  try {
    await prepareSecretsAtRest(store, secretBoxOf(config), log);
    // Subscriptions declared in the file count as they would for `papers start`.
    if (config.subscriptionsFile) await syncConfigSubscriptions(store, config.subscriptionsFile, config.platforms, log);
    for (const id of flags.subscriptionIds ?? []) {
      if (!(await store.subscriptions.get(id)))
        throw new CliError(`no subscription "${id}" (ids look like discord:CHANNEL_ID; papers post-daily --all --dry-run lists them)`);
    }
    const refresher = createRefresher({ store, config, log, now });
    const refresh = await refresher.refreshOnce();
    for (const f of refresh.failures) log.warn({ what: f.what, err: f.error }, 'refresh before posting failed; posting from stored papers');
    const sourceStatus = () => refresher.status();
    const services: Services = { store, config, log, now, sourceStatus };

    // Posters alone, connecting nowhere, so this is safe beside a running `papers start`; the
    // console's prints the posted messages to stdout when no platform is configured.
    const adapters = chosenAdapters(config, { fallback: false });
    const posters = flags.dryRun ? [] : await Promise.all(adapters.map((a) => a.poster({ config, services, log, output: ctx.stdout })));
    if (flags.users) {
      // Without --date: those whose time has passed today in their zone, as the scheduler would have sent.
      const dueBy = flags.date || flags.dryRun ? undefined : now();
      const personal = await postPersonalDigests({ store, posters, config, log, now, owner: currentOwner(), dueBy, date: flags.date, dryRun: flags.dryRun });
      if (personal.users.length === 0) ctx.stdout.write('no personal digests due\n');
      for (const r of personal.users) ctx.stdout.write(`${describePersonalReport(r)}\n`);
      return personal.users.some((r) => r.outcome === 'failed') ? 1 : 0;
    }
    const report = await postDaily({
      store,
      posters,
      config,
      log,
      now,
      owner: currentOwner(),
      subscriptionIds: flags.subscriptionIds,
      date: flags.date,
      dryRun: flags.dryRun,
      sourceStatus,
    });
    if (report.channels.length === 0) ctx.stdout.write('no enabled subscriptions\n');
    for (const r of report.channels) ctx.stdout.write(`${describeReport(r)}\n`);
    return report.channels.some((r) => r.outcome === 'failed') ? 1 : 0;
  } finally {
    await store.close();
  }
}
