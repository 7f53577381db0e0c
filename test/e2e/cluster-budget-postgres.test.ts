// Issue 10 item 6, end to end: two real `floodgate run` processes on one real PostgreSQL, rules pushed
// through both APIs at once for many targets. The 30-per-minute window and the 200-rule cap are the
// cluster's, not each process's: never more than 30 announcements a minute and 200 active rules per
// tenant in total (counted in PostgreSQL itself: the audit's announce records and the rules table).
// Sensitive by construction: without the shared counter each process admits its own 30 (60 in all);
// without the tenant lock the concurrent charges over-admit (see the closing note of issue 10).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlowBatch } from '../../src/flow/batch.js';
import { batchesToPcap } from '../../src/gen/packet.js';
import { startFloodgate, type FloodgateProcess } from '../support/floodgate-process.js';
import { waitFor } from '../support/wait.js';
import { startPostgres, type PostgresServer } from '../support/postgres.js';
import { authHeader } from '../support/floodgate-process.js';
import { softflowdExport } from '../support/softflowd.js';

const PG_HOST = '127.13.0.10';
const API = ['127.13.0.11', '127.13.0.12'] as const;
const RATE_NET = '203.0.113.0/24'; // tenant "rate": the defaults, 30 per 60 s and 200 active
const CAP_NETS = ['198.51.100.0/24', '198.18.0.0/24']; // tenant "cap": 1000 per window, 200 active
const FLOOD_NET = '198.19.0.0/24'; // tenant "flood": the defaults, fed overlapping many-target floods
const FLOW_PORT = 20013;

/** UDP floods towards 40 hosts of FLOOD_NET from host index `first`, 10 sources each, ending at `endMs`. */
function manyTargetFlood(first: number, endMs: number): Buffer {
  const b = new FlowBatch(512);
  for (let t = first; t < first + 40; t++) {
    for (let s = 0; s < 10; s++) {
      const i = b.next();
      b.family[i] = 4;
      b.srcAddr[i * 4] = ((100 << 24) | (70 << 16) | (t << 8) | (s + 1)) >>> 0;
      b.dstAddr[i * 4] = ((198 << 24) | (19 << 16) | (t + 1)) >>> 0;
      b.proto[i] = 17;
      b.srcPort[i] = 40000 + s;
      b.dstPort[i] = 27015;
      b.packets[i] = 60;
      b.bytes[i] = 60_000;
      b.startMs[i] = endMs - 3000 + s;
      b.endMs[i] = endMs - 50 + s;
    }
  }
  return batchesToPcap([b]);
}

async function post(api: string, body: object): Promise<number> {
  const res = await fetch(`${api}/api/v1/rules`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...authHeader },
    body: JSON.stringify(body),
  });
  await res.text();
  return res.status;
}

describe('one deployment budget for two processes on PostgreSQL', () => {
  let server: PostgresServer;
  let db: pg.Client;
  const procs: FloodgateProcess[] = [];

  beforeAll(async () => {
    server = await startPostgres(PG_HOST, 55413);
    db = new pg.Client({ connectionString: server.url });
    await db.connect();
    for (const [n, host] of API.entries()) {
      procs.push(
        await startFloodgate(
          {
            node: { name: `engine-${n}` },
            store: { driver: 'postgres', postgresUrl: server.url },
            flow: { listeners: [{ protocol: 'netflow', address: host, port: FLOW_PORT }] },
            detection: {
              networks: [RATE_NET, ...CAP_NETS, FLOOD_NET],
              thresholds: { host: { incoming: { pps: 20 } } },
            },
            mitigation: {
              // dry-run (the default): every announcement is decided, audited and marked announced
              guards: { allowSpecialPurpose: [RATE_NET, ...CAP_NETS, FLOOD_NET] },
              tenants: {
                rate: { networks: [RATE_NET] },
                cap: { networks: CAP_NETS, deploymentsPerWindow: 1000 },
                flood: { networks: [FLOOD_NET] },
              },
              policies: {
                default: {
                  levels: [
                    { intent: 'rate-limit', bps: 1e5 },
                    { intent: 'drop', bps: 500e6 },
                    { intent: 'blackhole', bps: 2e9 },
                    { intent: 'scrubbing', bps: 5e9 },
                  ],
                },
              },
            },
          },
          { apiHost: host, apiPort: 18213 },
        ),
      );
    }
  }, 120_000);

  afterAll(async () => {
    for (const p of procs) await p.stop();
    await db?.end();
    await server?.stop();
  });

  const count = async (q: string, args: unknown[]): Promise<number> =>
    Number((await db.query<{ n: string }>(q, args)).rows[0]?.n ?? 0);
  const announces = (tenant: string) =>
    count(`SELECT count(*) AS n FROM audit WHERE tenant = $1 AND action = 'announce'`, [tenant]);
  const active = (tenant: string) =>
    count(
      `SELECT count(*) AS n FROM rules WHERE tenant = $1 AND state IN ('pending', 'announced', 'failed')`,
      [tenant],
    );

  it('200 rules pushed through both APIs at once: 30 announcements in the minute, in total', async () => {
    const started = Date.now();
    const statuses = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        post(procs[i % 2]!.api, {
          target: `203.0.113.${i + 1}`,
          intent: 'drop',
          protocol: 17,
          ttlSeconds: 3600,
          reason: `race ${i}`,
        }),
      ),
    );
    expect(statuses.every((s) => s === 201 || s === 202)).toBe(true);
    // settled: every rule was either announced or queued (locally, or refused by the shared budget)
    await waitFor(
      'every rule announced or queued',
      async () =>
        (await count(
          `SELECT count(DISTINCT rule_id) AS n FROM audit WHERE tenant = 'rate' AND action IN ('announce', 'queue')`,
          [],
        )) >= 200,
      30_000,
      200,
    );
    await new Promise((r) => setTimeout(r, 3000));
    expect(Date.now() - started).toBeLessThan(55_000); // still inside the first window: the test means it
    expect(await announces('rate')).toBe(30);
    expect(await active('rate')).toBe(30);
    expect(await count(`SELECT count(*) AS n FROM deployments WHERE tenant = 'rate'`, [])).toBe(30);
    // and both processes took part: each refused some with the cluster reason
    const refusedBy = await db.query<{ rule_id: string }>(
      `SELECT rule_id FROM audit WHERE tenant = 'rate' AND action = 'queue' AND reason LIKE 'cluster budget:%'`,
    );
    expect(refusedBy.rows.length).toBeGreaterThan(0);
  }, 90_000);

  it('300 rules for a tenant allowed 1000 a minute: never more than 200 active across both processes', async () => {
    let peak = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, await active('cap'));
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const targets = [
      ...Array.from({ length: 150 }, (_, i) => `198.51.100.${i + 1}`),
      ...Array.from({ length: 150 }, (_, i) => `198.18.0.${i + 1}`),
    ];
    const statuses = await Promise.all(
      targets.map((target, i) =>
        post(procs[i % 2]!.api, { target, intent: 'drop', protocol: 17, ttlSeconds: 3600 }),
      ),
    );
    expect(statuses.every((s) => s === 201 || s === 202)).toBe(true);
    await waitFor('200 active rules', async () => (await active('cap')) >= 200, 60_000, 200);
    // several cap polls (2 s) of both processes later, still 200
    await new Promise((r) => setTimeout(r, 6000));
    sampling = false;
    await sampler;
    expect(await active('cap')).toBe(200);
    expect(peak).toBe(200);
    expect(await announces('cap')).toBe(200);
  }, 120_000);

  it('overlapping 40-target floods (20 targets seen by both): one rule per target, 30 announcements in all', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fg-budget-'));
    try {
      // process 0 sees hosts .1-.40, process 1 hosts .21-.60: 60 targets, 20 of them seen by both
      const now = Date.now();
      await Promise.all(
        API.map((host, n) => {
          const pcap = join(dir, `flood-${n}.pcap`);
          writeFileSync(pcap, manyTargetFlood(n * 20, now));
          return softflowdExport(pcap, host, FLOW_PORT, 9);
        }),
      );
      await waitFor('30 flood rules', async () => (await active('flood')) >= 30, 60_000, 200).catch(
        (err: Error) => {
          throw new Error(`${err.message}\n${procs.map((p) => p.output().slice(-3000)).join('\n----\n')}`);
        },
      );
      // both processes decided every target (announced, adopted or queued) before we count
      await waitFor(
        'every target decided',
        async () =>
          (await count(
            `SELECT count(DISTINCT target) AS n FROM audit WHERE tenant = 'flood' AND action IN ('announce', 'queue', 'refresh')`,
            [],
          )) >= 60,
        30_000,
        200,
      );
      await new Promise((r) => setTimeout(r, 3000));
      expect(await announces('flood')).toBe(30);
      expect(await active('flood')).toBe(30);
      const perTarget = await db.query<{ target: string; n: string }>(
        `SELECT target, count(*) AS n FROM rules WHERE tenant = 'flood' AND state IN ('pending', 'announced', 'failed')
         GROUP BY target HAVING count(*) > 1`,
      );
      expect(perTarget.rows).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
