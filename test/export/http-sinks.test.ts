// Contract tests of the HTTP sinks against local servers that check each vendor's documented request
// shape and answer like the vendor, including the error answers: 429 with Retry-After, 5xx, auth refusals,
// per-item bulk failures, token expiry, a private CA. Loopback 127.15.0.20–24 only.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  elasticSinkSchema,
  mispSinkSchema,
  sentinelSinkSchema,
  splunkSinkSchema,
} from '../../src/export/config.js';
import { ElasticSink } from '../../src/export/elastic.js';
import { toExportEvent, type ExportEvent } from '../../src/export/event.js';
import { MispSink } from '../../src/export/misp.js';
import { SentinelSink } from '../../src/export/sentinel.js';
import { SplunkSink } from '../../src/export/splunk.js';
import { ContractServer } from '../adapters/services/contract-server.js';
import { certificateAuthority } from '../support/tls.js';
import { attack } from './fixtures.js';
import {
  AZ,
  ES_API_KEY,
  HEC_TOKEN,
  MISP_KEY,
  elasticModel,
  mispModel,
  sentinelModel,
  splunkModel,
  type MispState,
  type SentinelState,
} from './vendor-models.js';

const fast = { flushMs: 0, backoffMs: 10, maxBackoffMs: 2000, maxAttempts: 4, timeoutMs: 5000 };

const events = (): ExportEvent[] => [
  toExportEvent({ type: 'attack', at: attack.at, event: attack }, 'fg')!,
  toExportEvent(
    { type: 'adapter', at: attack.at + 1, adapter: 'gobgp', state: 'down', detail: 'refused' },
    'fg',
  )!,
  toExportEvent(
    {
      type: 'audit',
      at: attack.at + 2,
      record: {
        at: attack.at + 2,
        actor: 'engine',
        action: 'withdraw',
        tenant: 't',
        target: '203.0.113.5/32',
        dryRun: false,
        reason: 'ended',
      },
    },
    'fg',
  )!,
];

const servers: ContractServer[] = [];
async function server(
  model: ConstructorParameters<typeof ContractServer>[0],
  host: string,
): Promise<ContractServer> {
  const s = new ContractServer(model);
  await s.start(host);
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

describe('Splunk HEC', () => {
  it('sends one batch of HEC envelopes with the Splunk token; the model finds no violation', async () => {
    const srv = await server(splunkModel(), '127.15.0.20');
    const sink = new SplunkSink(
      splunkSinkSchema.parse({
        url: srv.baseUrl,
        token: HEC_TOKEN,
        index: 'ddos',
        queue: { ...fast, batchSize: 10 },
      }),
    );
    for (const e of events()) sink.push(e);
    await sink.idle();
    expect(srv.violations).toEqual([]);
    expect(srv.requests).toHaveLength(1);
    const lines = srv.requests[0]!.body.split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({
      time: attack.at / 1000,
      host: 'edge1',
      index: 'ddos',
      sourcetype: 'floodgate:event',
      event: { category: 'attack', target: '203.0.113.5/32' },
    });
    expect(sink.stats()).toMatchObject({ sent: 3, deadLettered: 0 });
    await sink.close();
  });

  it('503 "Server is busy" with Retry-After is retried after the delay; 401/403 are final', async () => {
    const srv = await server(splunkModel(), '127.15.0.20');
    srv.inject({ status: 503, headers: { 'retry-after': '1' }, body: { text: 'Server is busy', code: 9 } });
    const sink = new SplunkSink(splunkSinkSchema.parse({ url: srv.baseUrl, token: HEC_TOKEN, queue: fast }));
    const t0 = Date.now();
    sink.push(events()[0]!);
    await sink.idle();
    expect(srv.requests).toHaveLength(2);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(sink.stats()).toMatchObject({ sent: 1, retries: 1 });
    const bad = new SplunkSink(
      splunkSinkSchema.parse({ name: 'bad', url: srv.baseUrl, token: 'wrong', queue: fast }),
    );
    bad.push(events()[0]!);
    await bad.idle();
    expect(srv.requests).toHaveLength(3);
    expect(bad.stats()).toMatchObject({ sent: 0, deadLettered: 1, retries: 0 });
    expect(bad.stats().lastError).toMatch(/HTTP 403.*Invalid token/);
    await Promise.all([sink.close(), bad.close()]);
  });
});

describe('secrets from the environment', () => {
  it('env:NAME is read when sending; a missing variable dead-letters with a clear error, nothing sent', async () => {
    const srv = await server(splunkModel(), '127.15.0.20');
    process.env.FG_TEST_HEC_TOKEN = HEC_TOKEN;
    try {
      const sink = new SplunkSink(
        splunkSinkSchema.parse({ url: srv.baseUrl, token: 'env:FG_TEST_HEC_TOKEN', queue: fast }),
      );
      sink.push(events()[0]!);
      await sink.idle();
      expect(sink.stats()).toMatchObject({ sent: 1 });
      const missing = new SplunkSink(
        splunkSinkSchema.parse({
          name: 'nokey',
          url: srv.baseUrl,
          token: 'env:FG_TEST_NOT_SET',
          queue: fast,
        }),
      );
      missing.push(events()[0]!);
      await missing.idle();
      expect(missing.stats()).toMatchObject({ sent: 0, deadLettered: 1, retries: 0 });
      expect(missing.stats().lastError).toBe(
        'exports.splunk nokey token: environment variable FG_TEST_NOT_SET (named by "env:FG_TEST_NOT_SET") is not set',
      );
      expect(srv.requests).toHaveLength(1);
    } finally {
      delete process.env.FG_TEST_HEC_TOKEN;
    }
  });
});

describe('https endpoint signed by a private CA', () => {
  it('is trusted with `ca` and refused without it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fg-https-'));
    const ca = certificateAuthority(dir, 'hec test CA');
    const server = ca.issueServer('srv', '127.15.0.24', ['IP:127.15.0.24']);
    const seen: string[] = [];
    const srv = createHttps(
      { key: readFileSync(server.keyFile), cert: readFileSync(server.certFile) },
      (req, res) => {
        seen.push(`${req.method} ${req.url} ${req.headers.authorization}`);
        req.resume();
        req.on('end', () =>
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"text":"Success","code":0}'),
        );
      },
    );
    await new Promise<void>((r) => srv.listen(0, '127.15.0.24', () => r()));
    const url = `https://127.15.0.24:${(srv.address() as AddressInfo).port}`;
    try {
      const good = new SplunkSink(
        splunkSinkSchema.parse({ url, token: HEC_TOKEN, ca: ca.caFile, queue: fast }),
      );
      const bad = new SplunkSink(
        splunkSinkSchema.parse({ name: 'no-ca', url, token: HEC_TOKEN, queue: { ...fast, maxAttempts: 1 } }),
      );
      good.push(events()[0]!);
      bad.push(events()[0]!);
      await Promise.all([good.idle(), bad.idle()]);
      expect(good.stats()).toMatchObject({ sent: 1 });
      expect(bad.stats()).toMatchObject({ sent: 0, deadLettered: 1 });
      expect(bad.stats().lastError).toMatch(/certificate/i);
      expect(seen).toEqual([`POST /services/collector/event Splunk ${HEC_TOKEN}`]);
      await Promise.all([good.close(), bad.close()]);
    } finally {
      srv.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Elasticsearch / OpenSearch _bulk', () => {
  it('NDJSON create actions with ids; per-item 429 retried alone, each document stored once', async () => {
    const docs = new Map<string, unknown>();
    const srv = await server(elasticModel(docs, [0, 429]), '127.15.0.21');
    const sink = new ElasticSink(
      elasticSinkSchema.parse({
        url: srv.baseUrl,
        apiKey: ES_API_KEY,
        index: 'floodgate-events',
        queue: { ...fast, batchSize: 10 },
      }),
    );
    for (const e of events()) sink.push(e);
    await sink.idle();
    expect(srv.violations).toEqual([]);
    expect(srv.requests).toHaveLength(2);
    expect(srv.requests[1]!.body.trim().split('\n')).toHaveLength(2); // only the rejected item again
    expect(docs.size).toBe(3);
    expect(sink.stats()).toMatchObject({ sent: 3, deadLettered: 0, retries: 1 });
    await sink.close();
  });

  it('a 5xx answer retries the whole batch; a replayed document (409) counts as delivered', async () => {
    const docs = new Map<string, unknown>();
    const srv = await server(elasticModel(docs), '127.15.0.21');
    const e = events()[0]!;
    docs.set(e.id, {}); // already indexed by an earlier attempt whose answer was lost
    srv.inject({ status: 502, body: 'Bad Gateway' });
    const sink = new ElasticSink(
      elasticSinkSchema.parse({ url: srv.baseUrl, apiKey: ES_API_KEY, queue: fast }),
    );
    sink.push(e);
    await sink.idle();
    expect(srv.requests).toHaveLength(2);
    expect(sink.stats()).toMatchObject({ sent: 1, deadLettered: 0 });
    await sink.close();
  });

  it('wrong credentials: 401 security_exception is final', async () => {
    const srv = await server(elasticModel(new Map()), '127.15.0.21');
    const sink = new ElasticSink(
      elasticSinkSchema.parse({ url: srv.baseUrl, username: 'u', password: 'p', queue: fast }),
    );
    sink.push(events()[0]!);
    await sink.idle();
    expect(srv.requests[0]!.headers['authorization']).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
    expect(sink.stats()).toMatchObject({ sent: 0, deadLettered: 1 });
  });
});

describe('Microsoft Sentinel (Logs Ingestion API)', () => {
  const setup = async (st: SentinelState, clock: { now: number }, secret = AZ.secret) => {
    const srv = await server(sentinelModel(st), '127.15.0.22');
    const cfg = sentinelSinkSchema.parse({
      tenantId: AZ.tenant,
      clientId: AZ.client,
      clientSecret: secret,
      authorityUrl: srv.baseUrl,
      endpoint: srv.baseUrl,
      ruleId: AZ.dcr,
      stream: AZ.stream,
      queue: fast,
    });
    return { srv, sink: new SentinelSink(cfg, {}, () => clock.now) };
  };

  it('fetches a client-credentials token once, reuses it, and fetches a new one near expiry', async () => {
    const st: SentinelState = { now: 0, tokens: new Map(), rows: [], issued: 0, expiresIn: 3599 };
    const clock = { now: 0 };
    const { srv, sink } = await setup(st, clock);
    sink.push(events()[0]!);
    await sink.idle();
    sink.push(events()[1]!);
    await sink.idle();
    expect(st.issued).toBe(1);
    // one hour later both clocks agree the token is expired
    clock.now = st.now = 3600_000;
    sink.push(events()[2]!);
    await sink.idle();
    expect(st.issued).toBe(2);
    expect(srv.violations).toEqual([]);
    expect(st.rows).toHaveLength(3);
    expect(st.rows[0]).toMatchObject({
      TimeGenerated: new Date(attack.at).toISOString(),
      category: 'attack',
      target: '203.0.113.5/32',
    });
    expect(sink.stats()).toMatchObject({ sent: 3, deadLettered: 0 });
  });

  it('a token the service no longer accepts (401) is replaced at once; 429 waits Retry-After', async () => {
    const st: SentinelState = { now: 0, tokens: new Map(), rows: [], issued: 0, expiresIn: 3599 };
    const { srv, sink } = await setup(st, { now: 0 });
    sink.push(events()[0]!);
    await sink.idle();
    st.tokens.clear(); // revoked server-side while the client still believes it valid
    srv.inject({
      status: 429,
      headers: { 'retry-after': '1' },
      body: { error: { code: 'TooManyRequests' } },
      when: (r) => r.path.startsWith('/dataCollectionRules'),
    });
    sink.push(events()[1]!);
    await sink.idle();
    expect(st.issued).toBe(2);
    expect(st.rows).toHaveLength(2);
    expect(sink.stats()).toMatchObject({ sent: 2, retries: 1, deadLettered: 0 });
    expect(srv.violations).toEqual([]);
  });

  it('413 over 1 MB: the batch is halved until each call fits, every row arrives once', async () => {
    const st: SentinelState = { now: 0, tokens: new Map(), rows: [], issued: 0, expiresIn: 3599 };
    const { srv, sink } = await setup(st, { now: 0 });
    const big = (i: number) =>
      toExportEvent(
        { type: 'adapter', at: i, adapter: `a${i}`, state: 'down', detail: 'x'.repeat(300_000) },
        'fg',
      )!;
    for (let i = 0; i < 5; i++) sink.push(big(i));
    await sink.idle();
    const statuses = srv.requests.filter((r) => r.path.startsWith('/dataCollectionRules')).length;
    expect(statuses).toBeGreaterThan(1);
    expect(st.rows.map((r) => r.adapter)).toEqual(['a0', 'a1', 'a2', 'a3', 'a4']);
    expect(sink.stats()).toMatchObject({ sent: 5, deadLettered: 0 });
  });

  it('a wrong client secret (invalid_client) is final', async () => {
    const st: SentinelState = { now: 0, tokens: new Map(), rows: [], issued: 0, expiresIn: 3599 };
    const { sink } = await setup(st, { now: 0 }, 'nope');
    sink.push(events()[0]!);
    await sink.idle();
    expect(sink.stats()).toMatchObject({ sent: 0, deadLettered: 1 });
    expect(sink.stats().lastError).toMatch(/401.*invalid_client/);
  });
});

describe('MISP', () => {
  it('one MISP event per attack: target and sources as attributes, family tags; updates add sources; end completes', async () => {
    const st: MispState = { events: new Map() };
    const srv = await server(mispModel(st), '127.15.0.23');
    const sink = new MispSink(mispSinkSchema.parse({ url: srv.baseUrl, apiKey: MISP_KEY, queue: fast }));
    const start = toExportEvent({ type: 'attack', at: attack.at, event: attack }, 'fg')!;
    const update = toExportEvent(
      {
        type: 'attack',
        at: attack.at + 5000,
        event: {
          ...attack,
          kind: 'update',
          signature: { ...attack.signature, sourcePrefixes: ['198.51.100.0/24', '192.0.2.0/24'] },
        },
      },
      'fg',
    )!;
    const end = toExportEvent(
      { type: 'attack', at: attack.at + 9000, event: { ...attack, kind: 'end' } },
      'fg',
    )!;
    const other = toExportEvent({ type: 'adapter', at: 1, adapter: 'x', state: 'down' }, 'fg')!;
    expect(sink.accepts(other)).toBe(false);
    for (const e of [start, update, end]) sink.push(e);
    await sink.idle();
    expect(srv.violations).toEqual([]);
    expect(srv.requests.map((r) => r.path)).toEqual(['/events/add', '/attributes/add/1', '/events/edit/1']);
    const ev = st.events.get('1')!;
    expect(ev.Event).toMatchObject({
      date: '2026-12-03',
      analysis: '2',
      distribution: '0',
      threat_level_id: '2',
    });
    expect((ev.Event.Tag as { name: string }[]).map((t) => t.name)).toEqual([
      'floodgate',
      'floodgate:family="dns_amplification"',
      'ddos:type="amplification-attack"',
    ]);
    expect(ev.attributes.map((a) => `${String(a.type)} ${String(a.value)}`)).toEqual([
      'ip-dst 203.0.113.5',
      'ip-src 198.51.100.0/24',
      'ip-src 192.0.2.0/24',
    ]);
    expect(sink.stats()).toMatchObject({ sent: 3, deadLettered: 0 });
  });

  it('a 5xx on events/add is retried; a wrong key (403) is final', async () => {
    const st: MispState = { events: new Map() };
    const srv = await server(mispModel(st), '127.15.0.23');
    srv.inject({ status: 500, body: { name: 'Internal error', message: 'Internal error' } });
    const sink = new MispSink(mispSinkSchema.parse({ url: srv.baseUrl, apiKey: MISP_KEY, queue: fast }));
    sink.push(toExportEvent({ type: 'attack', at: attack.at, event: attack }, 'fg')!);
    await sink.idle();
    expect(st.events.size).toBe(1);
    expect(sink.stats()).toMatchObject({ sent: 1, retries: 1 });
    const bad = new MispSink(mispSinkSchema.parse({ url: srv.baseUrl, apiKey: 'wrong', queue: fast }));
    bad.push(toExportEvent({ type: 'attack', at: attack.at, event: { ...attack, attackId: 'a-2' } }, 'fg')!);
    await bad.idle();
    expect(bad.stats()).toMatchObject({ sent: 0, deadLettered: 1, retries: 0 });
    expect(st.events.size).toBe(1);
  });
});
