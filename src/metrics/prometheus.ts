import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { MetricReaders, Metrics } from './metrics';

/** Answers are due within Discord's and Slack's 3 s; the buckets resolve that range and a deferred tail. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10];

/**
 * Metrics in a registry of their own (not prom-client's global one), so each `papers start` and
 * each test has its own counts. Names are prefixed `papers_`; the process's own (CPU, memory,
 * event loop lag) come from prom-client's defaults.
 */
export function createPrometheusMetrics(now: () => Date = () => new Date()): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  let readers: Partial<MetricReaders> = {};

  const commands = new Counter({
    name: 'papers_commands_total',
    help: 'Commands received, by platform, subcommand and whether the answer went out',
    labelNames: ['platform', 'command', 'outcome'] as const,
    registers: [registry],
  });
  const commandSeconds = new Histogram({
    name: 'papers_command_seconds',
    help: 'Time from a command event to its answer sent',
    labelNames: ['platform', 'command'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const clicks = new Counter({
    name: 'papers_clicks_total',
    help: 'Clicks on the bot’s buttons and pickers, by platform, action and whether the answer went out',
    labelNames: ['platform', 'action', 'outcome'] as const,
    registers: [registry],
  });
  const clickSeconds = new Histogram({
    name: 'papers_click_seconds',
    help: 'Time from a click event to its answer sent',
    labelNames: ['platform', 'action'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const posted = new Counter({
    name: 'papers_messages_posted_total',
    help: 'Digest messages posted',
    labelNames: ['platform'] as const,
    registers: [registry],
  });
  const failed = new Counter({
    name: 'papers_messages_failed_total',
    help: 'Digest posts that failed; permanent="true": the channel is gone or closed to the bot',
    labelNames: ['platform', 'permanent'] as const,
    registers: [registry],
  });
  const limited = new Counter({
    name: 'papers_rate_limited_total',
    help: 'Responses 429 from a platform; scope="global" is Discord’s global limit',
    labelNames: ['platform', 'scope'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'papers_deliveries',
    help: 'Daily deliveries this process sees: due (time come, not settled), in_flight (posting now), late (due over 10 minutes)',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const counts = readers.deliveries?.();
      if (!counts) return;
      this.set({ state: 'due' }, counts.due);
      this.set({ state: 'in_flight' }, counts.inFlight);
      this.set({ state: 'late' }, counts.late);
    },
  });
  new Gauge({
    name: 'papers_seconds_since_refresh',
    help: 'Seconds since the paper lists were last refreshed successfully (since the start when they never were)',
    registers: [registry],
    collect() {
      const at = readers.lastRefreshAt?.();
      if (at) this.set((now().getTime() - at.getTime()) / 1000);
    },
  });
  new Gauge({
    name: 'papers_store_connections_in_use',
    help: 'PostgreSQL connections checked out of the pool (0 on SQLite, which has none)',
    registers: [registry],
    collect() {
      const inUse = readers.storeConnectionsInUse?.();
      if (inUse !== null && inUse !== undefined) this.set(inUse);
    },
  });

  const outcome = (answered: boolean) => (answered ? 'answered' : 'unanswered');
  return {
    command(platform, command, seconds, answered) {
      commands.inc({ platform, command, outcome: outcome(answered) });
      if (answered) commandSeconds.observe({ platform, command }, seconds);
    },
    click(platform, action, seconds, answered) {
      clicks.inc({ platform, action, outcome: outcome(answered) });
      if (answered) clickSeconds.observe({ platform, action }, seconds);
    },
    posted: (platform) => posted.inc({ platform }),
    postFailed: (platform, permanent) => failed.inc({ platform, permanent: String(permanent) }),
    rateLimited: (platform, scope) => limited.inc({ platform, scope }),
    watch(more) {
      readers = { ...readers, ...more };
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
