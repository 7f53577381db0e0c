// A real Prometheus (Debian `prometheus`, RIG.md §10) scrapes a running floodgate's GET /metrics while
// an sFlow flood arrives, and its HTTP query API returns our series: per-exporter counters, detection
// gauges, the top-talker gauge, process metrics. A second API bound with readsNeedToken shows the read
// rule: Prometheus with the bearer token scrapes it, without the token the target is down (401).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../src/api/server.js';
import type { ApiPorts } from '../../src/api/ports.js';
import { App } from '../../src/app/app.js';
import { requireBinary, startProcess, stopProcess, type Proc } from '../support/daemon.js';
import { waitFor } from '../support/wait.js';
import { createSocket } from 'node:dgram';
import { sflowFlood } from '../e2e/support-sflow.js';
import { dashboardExprs, promql } from './dashboard.js';

const APP_HOST = '127.15.0.1';
const TOKEN_HOST = '127.15.0.2';
const PROM = '127.15.0.3:19090';
const SFLOW_PORT = 16343;
const TOKEN = 'scrape-secret-123';
const EXPORTER = '127.15.0.4';

/**
 * Replays the flood from EXPORTER, 5 datagrams every 20 ms, round and round so the victim stays in the
 * detection window while Prometheus scrapes; bounded to 60 s and stopped by the returned function.
 */
async function floodFrom(datagrams: readonly Uint8Array[], port: number): Promise<() => Promise<void>> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, EXPORTER, () => r()));
  let i = 0;
  const t = setInterval(() => {
    for (let k = 0; k < 5; k++) s.send(datagrams[i++ % datagrams.length] as Uint8Array, port, APP_HOST);
  }, 20);
  const limit = setTimeout(() => clearInterval(t), 60_000);
  return async () => {
    clearInterval(t);
    clearTimeout(limit);
    await new Promise<void>((r) => s.close(() => r()));
  };
}

interface PromResult {
  metric: Record<string, string>;
  value: [number, string];
}

async function query(q: string): Promise<PromResult[]> {
  const res = await fetch(`http://${PROM}/api/v1/query?query=${encodeURIComponent(q)}`);
  const body = (await res.json()) as { status: string; data: { result: PromResult[] } };
  if (body.status !== 'success') throw new Error(`query ${q}: ${JSON.stringify(body)}`);
  return body.data.result;
}

describe('Prometheus scrapes /metrics (real prometheus)', () => {
  let dir: string;
  let app: App;
  let tokenApi: ReturnType<typeof buildApi>;
  let prom: Proc | undefined;
  let stopFlood: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    requireBinary('/usr/bin/prometheus', 'prometheus');
    dir = mkdtempSync(join(tmpdir(), 'fg-prom-'));
    const cfg = join(dir, 'floodgate.yaml');
    writeFileSync(
      cfg,
      stringify({
        node: { name: 'prom-test' },
        store: { sqlitePath: join(dir, 'f.db') },
        api: { host: APP_HOST, port: 0, anonymousRead: true },
        flow: { listeners: [{ protocol: 'sflow', address: APP_HOST, port: SFLOW_PORT }] },
        detection: { networks: ['203.0.113.0/24'] },
        exports: { metrics: { topTalkers: 3 } },
      }),
    );
    app = await App.start({ configPath: cfg, env: {}, logger: pino({ level: 'silent' }) });
    const appPort = new URL(app.apiAddress!).port;
    // the same metrics behind an API that demands the token for reads (as when bound off loopback)
    const ports = {
      version: 'test',
      startedAt: Date.now(),
      metrics: app.obs!.endpoint(),
    } as unknown as ApiPorts;
    tokenApi = buildApi(ports, { token: TOKEN });
    const tokenAddr = await tokenApi.listen({ host: TOKEN_HOST, port: 0 });
    const tokenPort = new URL(tokenAddr).port;
    writeFileSync(
      join(dir, 'prometheus.yml'),
      stringify({
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        scrape_configs: [
          { job_name: 'floodgate', static_configs: [{ targets: [`${APP_HOST}:${appPort}`] }] },
          {
            job_name: 'floodgate-token',
            authorization: { credentials: TOKEN },
            static_configs: [{ targets: [`${TOKEN_HOST}:${tokenPort}`] }],
          },
          { job_name: 'floodgate-notoken', static_configs: [{ targets: [`${TOKEN_HOST}:${tokenPort}`] }] },
        ],
      }),
    );
    prom = startProcess('/usr/bin/prometheus', [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=${PROM}`,
    ]);
    await waitFor('prometheus ready', async () => (await fetch(`http://${PROM}/-/ready`)).ok, 30_000);
    // a bounded flood on one victim: 600 sFlow samples (1 in 1000) in 75 datagrams
    stopFlood = await floodFrom(
      sflowFlood({ target: '203.0.113.7', samples: 600, agent: EXPORTER }),
      SFLOW_PORT,
    );
    await waitFor('first datagrams counted', () => app.collector.stats().datagrams > 10);
  }, 60_000);

  afterAll(async () => {
    await stopFlood?.();
    await stopProcess(prom);
    await tokenApi?.close();
    await app?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the exposition format directly', async () => {
    const res = await fetch(`${app.apiAddress}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toMatch(/^# TYPE floodgate_flow_exporter_datagrams_total counter$/m);
    expect(text).toMatch(
      /^floodgate_flow_exporter_datagrams_total\{exporter="127\.15\.0\.4",node="prom-test"\} [1-9]/m,
    );
    expect(text).toMatch(/^# TYPE floodgate_detect_tick_duration_seconds histogram$/m);
  });

  it('Prometheus stores the flow, detection, top-talker and process series', async () => {
    const dg = await waitFor(
      'exporter datagrams in prometheus',
      async () => {
        const r = await query('floodgate_flow_exporter_datagrams_total{job="floodgate"}');
        return r.length && Number(r[0]!.value[1]) > 0 ? r : undefined;
      },
      30_000,
    );
    expect(dg[0]!.metric).toMatchObject({
      exporter: EXPORTER,
      node: 'prom-test',
      instance: expect.stringContaining(APP_HOST),
    });
    const records = await query('floodgate_flow_exporter_records_total{job="floodgate"}');
    expect(Number(records[0]!.value[1])).toBeGreaterThanOrEqual(600);
    const top = await waitFor(
      'top talker',
      async () => {
        const r = await query('floodgate_top_talker_pps{job="floodgate",rank="1"}');
        return r.length ? r : undefined;
      },
      30_000,
    );
    expect(top[0]!.metric.target).toBe('203.0.113.7/32');
    const hosts = await query('floodgate_detect_hosts_tracked{job="floodgate",direction="incoming"}');
    expect(Number(hosts[0]!.value[1])).toBeGreaterThanOrEqual(1);
    const ticks = await query('floodgate_detect_tick_duration_seconds_count{job="floodgate"}');
    expect(Number(ticks[0]!.value[1])).toBeGreaterThan(0);
    // kernel drop counter of our own listener, read from /proc/net/udp
    const drops = await query('floodgate_flow_socket_drops_total{job="floodgate"}');
    // (the test's own unconnected sender socket shares this process, hence "contain")
    expect(drops.map((r) => r.metric.socket)).toContain(`${APP_HOST}:${SFLOW_PORT}`);
    expect((await query('process_resident_memory_bytes{job="floodgate"}')).length).toBe(1);
    expect((await query('nodejs_eventloop_lag_seconds{job="floodgate"}')).length).toBe(1);
  }, 60_000);

  it('reads need the bearer token when the API says so: with it up, without it down', async () => {
    await waitFor(
      'token job scraped',
      async () => {
        const up = await query('up{job=~"floodgate-token|floodgate-notoken"}');
        const by = Object.fromEntries(up.map((r) => [r.metric.job, r.value[1]]));
        return by['floodgate-token'] === '1' && by['floodgate-notoken'] === '0' ? by : undefined;
      },
      30_000,
    );
    const r = await query('floodgate_flow_exporter_datagrams_total{job="floodgate-token"}');
    expect(r.length).toBe(1);
    const targets = (await (await fetch(`http://${PROM}/api/v1/targets`)).json()) as {
      data: { activeTargets: { labels: { job: string }; lastError: string }[] };
    };
    const denied = targets.data.activeTargets.find((t) => t.labels.job === 'floodgate-notoken');
    expect(denied?.lastError).toMatch(/401/);
  }, 60_000);

  it('every Grafana dashboard query is valid PromQL for the real Prometheus', async () => {
    const bad: string[] = [];
    for (const { panel, expr } of dashboardExprs()) {
      try {
        await query(promql(expr));
      } catch (err) {
        bad.push(`${panel}: ${(err as Error).message}`);
      }
    }
    expect(bad).toEqual([]);
    const rate = await waitFor(
      'dashboard datagram rate has data',
      async () => {
        const r = await query(promql(dashboardExprs()[0]!.expr));
        return r.length ? r : undefined;
      },
      30_000,
    );
    expect(rate[0]!.metric.exporter).toBe(EXPORTER);
  }, 60_000);
});
