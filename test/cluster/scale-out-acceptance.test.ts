// Issue 16 acceptance, all real and on loopback (127.42.0.0/16): nats-server (JetStream, one node),
// PostgreSQL, gobgpd as the router, two sFlow agents (bounded paced floods) each sending to its own
// collector, 2 collectors → JetStream shards → 2 detectors → events → 2 engines (one elected, both peered
// with gobgpd through the native speaker). The leader is killed with SIGKILL during the attack: the standby
// must take over, the router must hold exactly one correct rule throughout (gRPC watch of every UPDATE:
// never two paths at once), the audit chain must verify with every announce the router saw in it, and
// detection must carry on into the new leader. The failover time is measured and printed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Rule } from '../../src/domain/rule.js';
import { openPostgresStore } from '../../src/store/postgres.js';
import { getJson, startFloodgate, type FloodgateProcess } from '../support/floodgate-process.js';
import { startPostgres, type PostgresServer } from '../support/postgres.js';
import { waitFor as wait } from '../support/wait.js';
import { PacedSender, freeUdpPort, sflowFlood } from '../e2e/support-sflow.js';
import {
  type Daemon,
  NeighborRibWatch,
  RibSampler,
  type Router,
  routerPaths,
  startNats,
  startRouter,
} from './support.js';

const PG_HOST = '127.42.0.10';
const NATS_HOST = '127.42.0.20';
const ROUTER = '127.42.0.30';
const ENGINES = ['127.42.0.41', '127.42.0.42'];
const COLLECTORS = ['127.42.0.51', '127.42.0.52'];
const DETECTORS = ['127.42.0.61', '127.42.0.62'];
const AGENTS = ['127.42.0.71', '127.42.0.72'];
const VICTIM = '203.0.113.10';
const ROUTER_AS = 65142;
const ENGINE_AS = 65141;
// per agent, 8 samples a datagram, ≈ 500 samples/s: the flood lasts ≤ 48 s, long enough to outlast both kills
const FLOOD_SAMPLES = 24_000;

interface Health {
  checks: {
    detection?: { openAttacks: number; records: number };
    cluster?: {
      leadership?: { state: string; token: number | null };
      consumer?: { records: number; shards: number[] };
      publisher?: { recordsIn: number; recordsOut: number; droppedRecords: number; messages: number };
      events?: { published: number; received: number };
      leases?: { owned: number[]; takeovers: number; gapMs: number; maxGapMs: number };
    };
  };
}

async function health(p: FloodgateProcess): Promise<Health | undefined> {
  return getJson<Health>(`${p.api}/healthz`).catch(() => undefined);
}

/** The one waitFor, its timeout error followed by every process's output. */
const waitFor = <T>(
  what: string,
  fn: () => Promise<T | undefined>,
  ms: number,
  dump: () => string,
): Promise<T> =>
  wait(what, fn, ms).catch((err: Error) => {
    throw new Error(`${err.message}\n${dump()}`, { cause: err });
  });

function config(
  role: 'collector' | 'detector' | 'engine',
  name: string,
  pgUrl: string,
  nats: string,
  extra: Record<string, unknown>,
): Record<string, unknown> {
  return {
    node: { name },
    store: { driver: 'postgres', postgresUrl: pgUrl },
    cluster: {
      role,
      nats: { servers: [nats], shards: 8, flushMs: 100 },
      leadership: { leaseMs: 3000, pollMs: 250 },
      detectorLeaseMs: 3000,
    },
    detection: {
      networks: ['203.0.113.0/24'],
      thresholds: { host: { incoming: { pps: 20_000 } } },
    },
    mitigation: {
      dryRun: false,
      ttlSeconds: 300,
      guards: { allowSpecialPurpose: ['203.0.113.0/24'] },
      policies: {
        default: {
          levels: [
            { intent: 'rate-limit', pps: 10_000, rateBitsPerSecond: 10e6 },
            { intent: 'drop', pps: 1e9 },
            { intent: 'blackhole', pps: 2e9 },
            { intent: 'scrubbing', pps: 5e9 },
          ],
        },
      },
    },
    ...extra,
  };
}

describe('scale-out: 2 collectors, 2 detectors, 2 engines over NATS JetStream and PostgreSQL', () => {
  let server: PostgresServer;
  let nats: Daemon;
  let router: Router;
  const procs = new Map<string, FloodgateProcess>();
  const senders: PacedSender[] = [];
  let dir: string;
  const dump = () => {
    if (process.env.SCALE_DUMP)
      writeFileSync(
        process.env.SCALE_DUMP,
        [...procs.entries()].map(([n, p]) => `---- ${n}\n${p.output()}`).join('\n'),
      );
    return (
      [...procs.entries()].map(([n, p]) => `---- ${n}\n${p.output().slice(-3000)}`).join('\n') +
      `\n---- gobgpd\n${router?.output().slice(-2000)}`
    );
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fg-scale-'));
    [server, nats, router] = await Promise.all([
      startPostgres(PG_HOST, 55443),
      startNats(NATS_HOST, 14242, 18242),
      startRouter(
        ROUTER,
        ROUTER_AS,
        50442,
        ENGINES.map((a) => ({ address: a, asn: ENGINE_AS })),
      ),
    ]);
    const natsUrl = `${NATS_HOST}:14242`;
    // in waves of two: six Node processes starting at once on two loaded cores can miss the harness's 30 s
    let starts: Promise<void>[] = [];
    const wave = async () => {
      await Promise.all(starts);
      starts = [];
    };
    const start = (name: string, cfg: Record<string, unknown>, host: string) =>
      starts.push(
        startFloodgate(cfg, { apiHost: host, apiPort: 18442, dir: mkdtempSync(join(dir, `${name}-`)) }).then(
          (p) => {
            procs.set(name, p);
          },
        ),
      );
    ENGINES.forEach((host, i) =>
      start(
        `engine-${i + 1}`,
        config('engine', `engine-${i + 1}`, server.url, natsUrl, {
          bgp: {
            enabled: true,
            routerId: `10.42.0.${41 + i}`,
            localAs: ENGINE_AS,
            discardNextHop: { ipv4: '100.64.0.1' },
            peers: [
              {
                name: 'gobgpd',
                address: ROUTER,
                port: 1179,
                localAddress: host,
                remoteAs: ROUTER_AS,
                families: ['ipv4-unicast', 'ipv4-flowspec'],
                connectRetrySeconds: 0.5,
                maxConnectRetrySeconds: 1,
              },
            ],
          },
        }),
        host,
      ),
    );
    await wave();
    DETECTORS.forEach((host, i) =>
      start(`detector-${i + 1}`, config('detector', `detector-${i + 1}`, server.url, natsUrl, {}), host),
    );
    await wave();
    const flowPorts = await Promise.all(COLLECTORS.map((h) => freeUdpPort(h)));
    COLLECTORS.forEach((host, i) =>
      start(
        `collector-${i + 1}`,
        config('collector', `collector-${i + 1}`, server.url, natsUrl, {
          flow: { listeners: [{ protocol: 'sflow', address: host, port: flowPorts[i] }] },
        }),
        host,
      ),
    );
    await wave();
    // bounded floods at 1:1000, ≈ 500 samples/s each (≈ 500 kpps per PoP)
    AGENTS.forEach((agent, i) => {
      const flood = sflowFlood({
        target: VICTIM,
        samples: FLOOD_SAMPLES,
        agent,
        sources: 32,
        sourceOffset: 32 * i,
      });
      senders.push(new PacedSender(COLLECTORS[i]!, flowPorts[i]!, flood, 1, 16, agent));
    });
  }, 180_000);

  afterAll(async () => {
    for (const s of senders) await s.stop();
    await Promise.all([...procs.values()].map((p) => p.stop('SIGTERM').catch(() => undefined)));
    await router?.stop();
    await nats?.stop();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('kill -9 of the leading engine during an attack: the standby takes over, one rule on the router throughout, audit whole', async () => {
    const engine = (n: number) => procs.get(`engine-${n}`)!;
    const leaderOf = async () => {
      for (const n of [1, 2])
        if ((await health(engine(n)))?.checks.cluster?.leadership?.state === 'leader') return n;
      return undefined;
    };
    const leader = await waitFor('an elected engine', leaderOf, 60_000, dump);
    const standby = leader === 1 ? 2 : 1;
    expect((await health(engine(standby)))?.checks.cluster?.leadership?.state).toBe('standby');
    // both detectors hold shards, together all 8, none twice
    const owned = await waitFor(
      'the shards split between the two detectors',
      async () => {
        const sets = await Promise.all(
          [1, 2].map(
            async (n) => (await health(procs.get(`detector-${n}`)!))?.checks.cluster?.leases?.owned ?? [],
          ),
        );
        const all = sets.flat().sort((a, b) => a - b);
        return sets.every((s) => s.length > 0) && all.length === 8 && new Set(all).size === 8
          ? sets
          : undefined;
      },
      60_000,
      dump,
    );
    expect(owned.flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);

    const watch = new NeighborRibWatch(router.grpc);
    await watch.ready;
    const sampler = new RibSampler(router, VICTIM);
    for (const s of senders) await s.start();
    const victimPaths = async () => (await routerPaths(router)).filter((p) => p.nlri.includes(VICTIM));

    const leaderApi = engine(leader);
    const first = await waitFor(
      'the leader’s rule in gobgpd',
      async () => {
        const { rules } = await getJson<{ rules: Rule[] }>(`${leaderApi.api}/api/v1/rules?active=true`);
        const held = await victimPaths();
        return rules.length === 1 && held.length === 1 && held[0]!.neighbor === ENGINES[leader - 1]
          ? rules[0]
          : undefined;
      },
      60_000,
      dump,
    );
    expect(first).toMatchObject({
      target: `${VICTIM}/32`,
      origin: 'auto',
      intent: 'rate-limit',
      dryRun: false,
    });
    // the flood is still on when the leader dies
    expect(senders.every((s) => s.sent < FLOOD_SAMPLES / 8)).toBe(true);

    const killedAt = performance.timeOrigin + performance.now();
    await leaderApi.stop('SIGKILL');
    procs.delete(`engine-${leader}`);

    const successor = engine(standby);
    const diagnose = async (err: Error) => {
      const h = await health(successor);
      const audit = await getJson<unknown>(`${successor.api}/api/v1/audit?limit=30`).catch((e: unknown) =>
        String(e),
      );
      throw new Error(
        `${err.message}\nsuccessor health: ${JSON.stringify(h)}\naudit: ${JSON.stringify(audit)}\nrouter: ${JSON.stringify(await victimPaths().catch(String))}`,
      );
    };
    await waitFor(
      'the standby’s rule, and only it, in gobgpd',
      async () => {
        const held = await victimPaths();
        return held.length === 1 && held[0]!.neighbor === ENGINES[standby - 1] ? true : undefined;
      },
      60_000,
      dump,
    ).catch(diagnose);
    const announced = watch.events.find(
      (e) => !e.withdraw && e.neighbor === ENGINES[standby - 1] && e.nlri.includes(VICTIM),
    );
    expect(announced, 'the successor’s UPDATE in the watch stream').toBeDefined();
    const failoverMs = announced!.at - killedAt;
    console.log(
      `[scale-out] failover: kill -9 of the leader → successor's rule on the router in ${Math.round(failoverMs)} ms`,
    );
    const h = await health(successor);
    expect(h?.checks.cluster?.leadership).toMatchObject({ state: 'leader', token: 2 });

    // detection carries on: the successor keeps receiving the detectors' events while the flood lasts
    const received = h?.checks.cluster?.events?.received ?? 0;
    await waitFor(
      'more events at the successor',
      async () =>
        ((await health(successor))?.checks.cluster?.events?.received ?? 0) > received ? true : undefined,
      30_000,
      dump,
    );
    await sampler.stop();
    watch.close();
    // both PoPs' views reached the engine over NATS (events carry their node; the engine corroborates them)
    for (const agent of AGENTS) expect(successor.output()).toContain(`"node":"${agent}"`);

    // never two paths for the victim at once (sampled RIB), each engine announced it exactly once
    expect(sampler.samples).toBeGreaterThan(2);
    expect(sampler.max).toBeLessThanOrEqual(1); // the exactly-one states were waited for above
    expect(watch.announces(VICTIM)).toEqual({ [ENGINES[leader - 1]!]: 1, [ENGINES[standby - 1]!]: 1 });
    const { rules } = await getJson<{ rules: Rule[] }>(`${successor.api}/api/v1/rules?active=true`);
    expect(rules).toHaveLength(1);
    expect(rules[0]!.id).toBe(first.id); // restored and re-announced, not re-made

    // the audit: chain intact; both announces the router saw are in it (the first one recovered from the
    // fence log by the successor when the leader died between its UPDATE and its audit record)
    const store = await openPostgresStore(server.url);
    const c = new pg.Client({ connectionString: server.url });
    await c.connect();
    try {
      expect((await store.audit.verify()).ok).toBe(true);
      // the successor's record follows its adapter's answer: on a loaded machine it may trail the UPDATE
      const announcesOf = async () =>
        (await store.audit.query({ ruleId: first.id })).filter(
          (r) => r.action === 'announce' && r.adapter !== 'dry-run',
        );
      await waitFor(
        'both announces in the audit',
        async () => ((await announcesOf()).length >= 2 ? true : undefined),
        20_000,
        dump,
      ).catch(async (err: Error) => {
        const all = await store.audit.query({ ruleId: first.id });
        const fenceRows = await c.query(`SELECT * FROM fg_cluster_fence WHERE rule_id = $1 ORDER BY id`, [
          first.id,
        ]);
        throw new Error(
          `${err.message}\naudit: ${JSON.stringify(all.map((r) => [r.id, r.action, r.adapter, r.actor, r.reason]))}\nfence: ${JSON.stringify(fenceRows.rows)}`,
        );
      });
      expect(await announcesOf()).toHaveLength(2);
      const fence = await c.query<{ holder: string; token: string; outcome: string }>(
        `SELECT holder, token, outcome FROM fg_cluster_fence WHERE rule_id = $1 AND op = 'announce' ORDER BY id`,
        [first.id],
      );
      const rows = fence.rows.map((r) => [r.holder, Number(r.token), r.outcome]);
      expect(rows).toHaveLength(2);
      expect(rows[0]?.slice(0, 2)).toEqual([`engine-${leader}`, 1]);
      expect(['sent', 'recovered']).toContain(rows[0]?.[2]);
      expect(rows[1]).toEqual([`engine-${standby}`, 2, 'sent']);
      console.log(`[scale-out] the dead leader's announce: ${String(rows[0]?.[2])}`);
    } finally {
      await c.end();
      await store.close();
    }

    // kill -9 the detector that counts the victim's shard: the other one takes its shards over once the
    // lease runs out and the attack is detected again there, within the reported gap
    const detector = (n: number) => procs.get(`detector-${n}`)!;
    const counting = await waitFor(
      'the detector counting the victim',
      async () => {
        for (const n of [1, 2])
          if (((await health(detector(n)))?.checks.detection?.openAttacks ?? 0) > 0) return n;
        return undefined;
      },
      30_000,
      dump,
    );
    const other = counting === 1 ? 2 : 1;
    expect(senders.every((s) => s.sent < FLOOD_SAMPLES / 8)).toBe(true);
    const detectorKilledAt = Date.now();
    await detector(counting).stop('SIGKILL');
    procs.delete(`detector-${counting}`);
    const leases = await waitFor(
      'the surviving detector to own every shard and see the attack',
      async () => {
        const hh = await health(detector(other));
        const l = hh?.checks.cluster?.leases;
        return l?.owned.length === 8 && (hh?.checks.detection?.openAttacks ?? 0) > 0 ? l : undefined;
      },
      60_000,
      dump,
    );
    console.log(
      `[scale-out] detector kill -9 → all shards and the attack on the survivor in ${Date.now() - detectorKilledAt} ms (reported: ${leases.takeovers} shards taken over, longest gap ${Math.round(leases.maxGapMs)} ms)`,
    );
    expect(leases.takeovers).toBeGreaterThan(0);
    expect(leases.maxGapMs).toBeGreaterThan(0);
    const before = (await health(successor))?.checks.cluster?.events?.received ?? 0;
    await waitFor(
      'events from the surviving detector at the engine',
      async () =>
        ((await health(successor))?.checks.cluster?.events?.received ?? 0) > before ? true : undefined,
      30_000,
      dump,
    );
    // still exactly one rule on the router
    expect((await victimPaths()).map((p) => p.neighbor)).toEqual([ENGINES[standby - 1]]);

    // collectors published what they received (pre-aggregated), nothing dropped on the way
    for (const n of [1, 2]) {
      const pub = (await health(procs.get(`collector-${n}`)!))?.checks.cluster?.publisher;
      expect(pub?.droppedRecords).toBe(0);
      expect(pub?.messages).toBeGreaterThan(0);
    }
  }, 300_000);
});
