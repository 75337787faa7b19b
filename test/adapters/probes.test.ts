import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { consoleAdapter } from '../../adapters/console/index';
import { chatHandlers } from '../../commands/kit/handlers';
import type { Services } from '../../src/chat/command';
import { startHost, type RunningHost } from '../../src/chat/host';
import { createPrometheusMetrics } from '../../src/metrics/prometheus';
import { testServices } from '../commands/services';

/** The probes `papers start` serves beside the adapters' routes: /healthz, /readyz, /metrics. */
describe('probe routes', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function host(opts: { ready: () => boolean; metrics?: boolean; svc?: Services }) {
    const t = await testServices();
    cleanups.push(t.cleanup);
    const base = opts.svc ?? t.svc;
    const config = { ...base.config, http: { host: '127.0.0.1', port: 0 }, metrics: opts.metrics ?? false };
    const services: Services = { ...base, config, ...(opts.metrics ? { metrics: createPrometheusMetrics() } : {}) };
    const input = new PassThrough();
    const running: RunningHost = await startHost({
      adapters: [consoleAdapter],
      config,
      services,
      log: services.log,
      handlers: chatHandlers,
      terminal: { input, output: new PassThrough() },
      healthz: () => (opts.ready() ? { status: 200, body: 'ok' } : { status: 503, body: 'starting' }),
      requestStop: () => {},
      signal: new AbortController().signal,
    });
    cleanups.push(async () => {
      input.end();
      await running.stop();
    });
    return { get: (path: string) => fetch(`http://127.0.0.1:${running.address!.port}${path}`), store: t.svc.store };
  }

  it('/readyz is 503 until ready, then 200 while the store answers', async () => {
    let ready = false;
    const h = await host({ ready: () => ready });
    expect((await h.get('/readyz')).status).toBe(503);
    ready = true;
    const res = await h.get('/readyz');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok');
  });

  it('/readyz is 503 when the store does not answer, while /healthz (liveness) stays 200', async () => {
    const t = await testServices();
    cleanups.push(t.cleanup);
    const broken: Services = { ...t.svc, store: { ...t.svc.store, ping: () => Promise.reject(new Error('connection refused')) } };
    const h = await host({ ready: () => true, svc: broken });
    const res = await h.get('/readyz');
    expect(res.status).toBe(503);
    expect(await res.text()).toBe('store unavailable');
    expect((await h.get('/healthz')).status).toBe(200);
  });

  it('/metrics does not exist without METRICS=on', async () => {
    const h = await host({ ready: () => true });
    expect((await h.get('/metrics')).status).toBe(404);
  });

  it('/metrics serves the Prometheus text format with METRICS=on', async () => {
    const h = await host({ ready: () => true, metrics: true });
    const res = await h.get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const body = await res.text();
    expect(body).toContain('# TYPE papers_commands_total counter');
    expect(body).toContain('# TYPE papers_command_seconds histogram');
    expect(body).toContain('process_cpu_user_seconds_total');
  });
});
