import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { consoleAdapter } from '../../adapters/console/index';
import type { DigestPoster } from '../../src/chat/poster';
import { currentOwner } from '../../src/schedule/claims';
import { postDaily } from '../../src/schedule/fanout';
import { openStore } from '../../src/store/open';
import { hostAdapter } from '../helpers/host';
import { freePort } from '../helpers/net';
import { LIST_DATE, log, RecordingPoster, seed, subscription, testConfig } from '../schedule/harness';
import { drillLine } from './report';

/**
 * Drill: a real PostgreSQL restart. A private cluster (initdb into a temporary folder, its own port)
 * is restarted mid fan-out (`pg_ctl restart -m fast`), then stopped for 10 s: /readyz answers 503
 * while it is away, the store reconnects once it is back, and the next runs post what is missing
 * with nothing doubled. initdb refuses root, so the cluster runs as the `postgres` user.
 */

const CHANNELS = 12;
const TOP = 3;

function pgAvailable(): boolean {
  return spawnSync('initdb', ['--version']).status === 0 && spawnSync('id', ['postgres']).status === 0;
}

const asPostgres = (args: string[]) =>
  (process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', ...args]] : [args[0]!, args.slice(1)]) as [string, string[]];
function pg(...args: string[]): void {
  const [cmd, rest] = asPostgres(args);
  execFileSync(cmd, rest, { stdio: 'ignore' });
}

describe.skipIf(!pgAvailable())('drill postgres-restart', () => {
  it('restarted mid fan-out and stopped for 10 s: /readyz 503 while away, reconnects, 0 duplicates, 0 missing', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'papers-pg-'));
    chmodSync(dir, 0o755);
    if (process.getuid?.() === 0)
      chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString()), Number(execFileSync('id', ['-g', 'postgres']).toString()));
    const data = path.join(dir, 'data');
    const port = await freePort();
    const ctl = (...args: string[]) => pg('pg_ctl', '-D', data, '-w', '-l', path.join(dir, 'log'), ...args);
    pg('initdb', '-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync');
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
    ctl('-o', options, 'start');
    const store = await openStore(`postgres://postgres@127.0.0.1:${port}/postgres?schema=drill`);
    const config = testConfig({ maxAttempts: 20 });
    const services = {
      store,
      config,
      log,
      now: () => new Date('2025-10-14T09:00:00Z'),
      sourceStatus: () => ({ lastSuccessAt: null, lastError: null, note: null }),
    };
    const host = await hostAdapter(consoleAdapter, services);
    try {
      await seed(
        store,
        Array.from({ length: CHANNELS }, (_, i) => subscription(`pg${i}`, { top: TOP })),
      );
      const recording = new RecordingPoster();
      // Slow enough that the restart lands mid fan-out.
      const poster: DigestPoster = {
        platform: recording.platform,
        openDirect: (u) => recording.openDirect(u),
        post: async (...args) => {
          await sleep(250);
          return recording.post(...args);
        },
      };
      const run = () =>
        postDaily({ store, posters: [poster], config, log, now: services.now, owner: currentOwner(), date: LIST_DATE, retryDelayMs: 20 }).then(
          (r) => r.channels.filter((c) => c.outcome === 'failed').length,
          () => CHANNELS,
        );

      const first = run();
      while (recording.shown.length < 6) await sleep(20);
      ctl('-m', 'fast', '-o', options, 'restart');
      // The restart is over while the fan-out still has messages to send.
      const shownAtRestart = recording.shown.length;
      expect(shownAtRestart).toBeLessThan(CHANNELS * (TOP + 1));
      const failedFirst = await first;

      ctl('-m', 'fast', 'stop');
      const away: number[] = [];
      const stoppedAt = Date.now();
      while (Date.now() - stoppedAt < 10_000) {
        away.push((await fetch(host.url('/readyz'))).status);
        await sleep(1_000);
      }
      const whileAway = await run();
      ctl('-o', options, 'start');
      let ready = 0;
      for (let i = 0; i < 50 && ready !== 200; i++) {
        ready = (await fetch(host.url('/readyz'))).status;
        if (ready !== 200) await sleep(200);
      }

      let runs = 0;
      let failed = CHANNELS;
      while (failed > 0 && runs < 10) {
        failed = await run();
        runs++;
      }

      expect(away.every((s) => s === 503)).toBe(true);
      expect(whileAway).toBe(CHANNELS);
      expect(ready).toBe(200);
      expect(failed).toBe(0);
      let duplicates = 0;
      let missing = 0;
      for (let i = 0; i < CHANNELS; i++) {
        const keys = recording.inChannel(`pg${i}`).map((m) => m.key);
        duplicates += keys.length - new Set(keys).size;
        missing += TOP + 1 - new Set(keys).size;
      }
      expect({ duplicates, missing }).toEqual({ duplicates: 0, missing: 0 });
      drillLine(
        'postgres-restart',
        `${CHANNELS} channels: restart mid fan-out (after ${shownAtRestart} of ${CHANNELS * (TOP + 1)} messages; ${failedFirst} channels failed that run), stopped 10 s (/readyz ${away.length}x 503, a run then failed all ${whileAway}), back: /readyz 200, ${runs} run(s) to finish; ${recording.shown.length} messages, 0 duplicates, 0 missing`,
      );
    } finally {
      await host.stop();
      await store.close();
      try {
        ctl('-m', 'immediate', 'stop');
      } catch {}
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
