// The exports section in a running app: the health watcher turns an adapter going down into an event that
// reaches a configured sink; /metrics shows the adapter wrapper's counters, adapter health and the sink's
// counters; a live reload swaps sinks without a restart.
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Adapter, AdapterHealth } from '../../src/domain/adapter-port.js';
import { App } from '../../src/app/app.js';
import { ownUdpListeners } from '../../src/export/proc-udp.js';
import { ContractServer } from '../adapters/services/contract-server.js';
import { sflowFlood } from '../e2e/support-sflow.js';
import { waitFor } from '../support/wait.js';
import { attack } from './fixtures.js';
import { ES_API_KEY, HEC_TOKEN, elasticModel, splunkModel } from './vendor-models.js';

class SwitchableAdapter implements Adapter {
  readonly name = 'switchable';
  readonly kind = 'test';
  readonly capabilities = { families: [4, 6] as (4 | 6)[], intents: ['drop' as const] };
  status: AdapterHealth['status'] = 'up';
  async announce() {
    return { ok: true, payload: {} };
  }
  async withdraw() {
    return { ok: true, payload: {} };
  }
  async list() {
    return [];
  }
  async test() {
    return this.health();
  }
  health(): AdapterHealth {
    return {
      status: this.status,
      detail: this.status === 'down' ? 'connection refused' : 'ok',
      checkedAt: Date.now(),
    };
  }
  async close() {}
}

describe('exports in the running app', () => {
  let dir: string;
  let file: string;
  let app: App;
  const adapter = new SwitchableAdapter();
  const splunk = new ContractServer(splunkModel());
  const docs = new Map<string, unknown>();
  const elastic = new ContractServer(elasticModel(docs));
  const config = (exports: Record<string, unknown>) =>
    stringify({
      store: { sqlitePath: join(dir, 'f.db') },
      api: { host: '127.15.0.41', port: 0, anonymousRead: true, token: 'exports-test' },
      flow: { listeners: [{ protocol: 'netflow', address: '127.15.0.41', port: 0 }] },
      detection: { networks: ['203.0.113.0/24'] },
      exports: { watch: { intervalMs: 100, exporterSilentSeconds: 1 }, ...exports },
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fg-exports-'));
    file = join(dir, 'floodgate.yaml');
    await splunk.start('127.15.0.40');
    await elastic.start('127.15.0.40');
    writeFileSync(
      file,
      config({ splunk: [{ name: 'hec', url: splunk.baseUrl, token: HEC_TOKEN, queue: { flushMs: 0 } }] }),
    );
    app = await App.start({
      configPath: file,
      env: {},
      logger: pino({ level: 'silent' }),
      adapters: [adapter],
    });
  });

  afterAll(async () => {
    await app?.stop();
    await splunk.stop();
    await elastic.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an adapter going down becomes an exported event and shows in /metrics', async () => {
    adapter.status = 'down';
    const req = await waitFor('adapter down at Splunk', () =>
      splunk.requests.find(
        (r) => r.body.includes('"category":"adapter"') && r.body.includes('"action":"down"'),
      ),
    );
    expect(JSON.parse(req.body.split('\n')[0]!)).toMatchObject({
      event: { adapter: 'switchable', reason: 'connection refused' },
    });
    expect(splunk.violations).toEqual([]);
    // the sink counts a batch as sent once Splunk's answer is back, just after Splunk saw the request
    const text = await waitFor('the sent batch in /metrics', async () => {
      const body = (await app.api!.inject({ method: 'GET', url: '/metrics' })).body;
      return /^floodgate_export_sent_total\{sink="hec"/m.test(body) ? body : undefined;
    });
    expect(text).toMatch(
      /^floodgate_adapter_health\{adapter="switchable",status="down",node="floodgate"\} 1$/m,
    );
    expect(text).toMatch(
      /^floodgate_adapter_calls_total\{adapter="switchable",op="test",node="floodgate"\} 1$/m,
    );
    expect(text).toMatch(/^floodgate_export_sent_total\{sink="hec",kind="splunk",node="floodgate"\} [1-9]/m);
    expect(text).toMatch(/^floodgate_events_total\{type="adapter",node="floodgate"\} 1$/m);
    adapter.status = 'up';
  });

  it('a flow exporter that stops sending is reported silent, then back', async () => {
    const listener = ownUdpListeners().find((r) => r.local.startsWith('127.15.0.41:'));
    expect(listener).toBeDefined();
    const port = Number(listener!.local.split(':')[1]);
    const sock = createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.15.0.42', () => r()));
    const send = () =>
      new Promise<void>((r) =>
        sock.send(
          sflowFlood({ target: '203.0.113.9', samples: 1, agent: '127.15.0.42' })[0]!,
          port,
          '127.15.0.41',
          () => r(),
        ),
      );
    const atSplunk = (action: string) => () =>
      splunk.requests.find(
        (r) =>
          r.body.includes('"category":"exporter"') &&
          r.body.includes(`"action":"${action}"`) &&
          r.body.includes('127.15.0.42'),
      );
    try {
      await send();
      const silent = await waitFor('exporter silent at Splunk', atSplunk('silent'));
      expect(JSON.parse(silent.body.split('\n')[0]!)).toMatchObject({
        event: { exporter: '127.15.0.42', reason: expect.stringMatching(/^no datagram for \d+ s$/) },
      });
      await send();
      await waitFor('exporter back at Splunk', atSplunk('back'));
    } finally {
      sock.close();
    }
  });

  it('live reload: the Splunk sink goes, an Elasticsearch sink comes, no restart', async () => {
    writeFileSync(
      file,
      config({ elastic: [{ name: 'es', url: elastic.baseUrl, apiKey: ES_API_KEY, queue: { flushMs: 0 } }] }),
    );
    const res = await app.api!.inject({
      method: 'POST',
      url: '/api/v1/config/reload',
      headers: { authorization: 'Bearer exports-test' },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { applied: string[]; restartRequired: string[] };
    expect(body.restartRequired).toEqual([]);
    expect(body.applied).toEqual(expect.arrayContaining(['exports.splunk', 'exports.elastic']));
    const before = splunk.requests.length;
    app.events.publish({ type: 'attack', at: attack.at, event: attack });
    await waitFor('attack in Elasticsearch', () =>
      [...docs.keys()].some((k) => k.startsWith('attack:a-1:start')),
    );
    expect(splunk.requests.length).toBe(before);
    expect(elastic.violations).toEqual([]);
    // the sink counts the batch once the answer is in (just after the document is stored)
    const text = await waitFor('es counted in /metrics', async () => {
      const t = (await app.api!.inject({ method: 'GET', url: '/metrics' })).body;
      return /^floodgate_export_sent_total\{sink="es",kind="elastic",node="floodgate"\} [1-9]/m.test(t)
        ? t
        : undefined;
    });
    expect(text).not.toMatch(/sink="hec"/);
  });

  it('exports.metrics.enabled: false turns /metrics off on reload', async () => {
    writeFileSync(file, config({ metrics: { enabled: false } }));
    expect(
      (
        await app.api!.inject({
          method: 'POST',
          url: '/api/v1/config/reload',
          headers: { authorization: 'Bearer exports-test' },
        })
      ).statusCode,
    ).toBe(200);
    expect((await app.api!.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(404);
  });
});
