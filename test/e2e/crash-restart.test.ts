// Issue 7, "restart-proof", with real processes: a real floodgate (native BGP speaker) peers with a real
// gobgpd; an sFlow flood (1:1000 sampling, IPv4 and IPv6 victims) gives FlowSpec rules in gobgpd's RIB;
// floodgate is killed with SIGKILL while the flood goes on and restarted on the same config and SQLite
// file. It must restore its active set, withdraw the rule whose TTL ran out while it was down (never
// announce it again), make no duplicate, and the router must end up holding exactly the engine's active
// set, compared field by field (target, every match component, every action).
import { rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flowSpecActions } from '../../src/bgp/render.js';
import type { AuditRecord } from '../../src/domain/audit.js';
import type { Rule } from '../../src/domain/rule.js';
import { formatFlowSpec } from '../../src/flowspec/index.js';
import { Gobgpd } from '../support/daemons/gobgpd.js';
import { getJson, startFloodgate, type FloodgateProcess, authHeader } from '../support/floodgate-process.js';
import { waitFor } from '../support/wait.js';
import { RibWatch, flowSpecRib, type RibFlowRule } from './support-gobgp.js';
import { PacedSender, freeTcpPort, freeUdpPort, sflowFlood } from './support-sflow.js';

const FG = '127.0.80.1'; // floodgate: speaker local address, API, sFlow listener
const ROUTER = '127.0.80.2'; // gobgpd
const API_PORT = 18300;
let GRPC_PORT = 0; // a free port, found before gobgpd starts (a fixed one can be an ephemeral port in use)
const V4 = '203.0.113.10';
const V6 = '2001:db8::10';
const SHORT = '203.0.113.30'; // manual rule with a TTL that runs out while floodgate is down
const SHORT_TTL_S = 5;

function config(flowPort: number): Record<string, unknown> {
  return {
    node: { name: 'crash' },
    flow: { listeners: [{ protocol: 'sflow', address: FG, port: flowPort }] },
    detection: {
      networks: ['203.0.113.0/24', '2001:db8::/32'],
      thresholds: { host: { incoming: { pps: 20_000 } } },
    },
    bgp: {
      enabled: true,
      routerId: '10.80.0.1',
      localAs: 65080,
      discardNextHop: { ipv4: '100.64.0.1' },
      peers: [
        {
          name: 'gobgpd',
          address: ROUTER,
          port: 1179,
          localAddress: FG,
          remoteAs: 65081,
          families: ['ipv4-unicast', 'ipv6-unicast', 'ipv4-flowspec', 'ipv6-flowspec'],
          connectRetrySeconds: 0.5,
          maxConnectRetrySeconds: 1,
        },
      ],
    },
    mitigation: {
      dryRun: false,
      ttlSeconds: 300,
      guards: { allowSpecialPurpose: ['203.0.113.0/24', '2001:db8::/32'] },
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
  };
}

async function activeRules(fg: FloodgateProcess): Promise<Rule[]> {
  return (await getJson<{ rules: Rule[] }>(`${fg.api}/api/v1/rules?active=true`)).rules;
}

/** Differences between the engine's active set and the router's FlowSpec RIB; [] when they are equal. */
function mismatches(active: readonly Rule[], rib: readonly RibFlowRule[]): string[] {
  const out: string[] = [];
  const key = (m: RibFlowRule['match']) => formatFlowSpec(m);
  for (const r of active) {
    const held = rib.filter((p) => key(p.match) === key(r.match));
    if (held.length !== 1) {
      out.push(`${r.id} ${key(r.match)}: router holds ${held.length} paths`);
      continue;
    }
    const p = held[0] as RibFlowRule;
    if (p.target !== r.target) out.push(`${r.id}: router target ${p.target} != ${r.target}`);
    if (p.family !== r.family) out.push(`${r.id}: router family ${p.family} != ${r.family}`);
    if (!isDeepStrictEqual(p.match, r.match))
      out.push(`${r.id}: match ${JSON.stringify(p.match)} != ${JSON.stringify(r.match)}`);
    const want = flowSpecActions(r);
    if (!isDeepStrictEqual(p.actions, want))
      out.push(`${r.id}: actions ${JSON.stringify(p.actions)} != ${JSON.stringify(want)}`);
  }
  for (const p of rib)
    if (!active.some((r) => key(r.match) === key(p.match)))
      out.push(`router holds ${key(p.match)}, which is no active rule (orphan)`);
  return out;
}

describe('kill -9 during an attack: restart restores the active set and the router matches it', () => {
  let g: Gobgpd;
  let fg: FloodgateProcess | undefined;
  let sender: PacedSender | undefined;
  let dir: string;
  let flowPort: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fg-crash-'));
    GRPC_PORT = await freeTcpPort('127.0.0.1');
    g = new Gobgpd({ address: ROUTER, asn: 65081, grpcPort: GRPC_PORT, peerAddress: FG, peerAs: 65080 });
    await g.start();
    flowPort = await freeUdpPort(FG);
    fg = await startFloodgate(config(flowPort), { apiHost: FG, apiPort: API_PORT, dir });
    await g.waitEstablished(30_000);
  }, 90_000);

  afterAll(async () => {
    await sender?.stop();
    if (fg) await fg.stop('SIGTERM');
    await g?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('restores, expires, never duplicates, and leaves gobgpd holding exactly the active set', async () => {
    // 500 samples/s at 1:1000 on each victim (≈ 500 kpps each, 25× the host threshold), for at most 40 s.
    const v4 = sflowFlood({ target: V4, samples: 20_000 });
    const v6 = sflowFlood({ target: V6, samples: 20_000, proto: 17, dstPort: 123 });
    const flood = v4.flatMap((d, k) => [d, v6[k] as Uint8Array]);
    sender = new PacedSender(FG, flowPort, flood, 2, 16);
    await sender.start();

    const first = fg as FloodgateProcess;
    const before = await waitFor(
      'the two auto rules in the engine and in gobgpd',
      async () => {
        const active = await activeRules(first);
        const rib = await flowSpecRib(g);
        return active.length === 2 && rib.length === 2 ? active : undefined;
      },
      30_000,
      200,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${first.output().slice(-4000)}`);
    });
    expect(before.map((r) => r.target).sort()).toEqual([`${V4}/32`, `${V6}/128`].sort());
    expect(before.every((r) => r.origin === 'auto' && r.intent === 'rate-limit' && !r.dryRun)).toBe(true);

    // a manual rule whose TTL will run out while floodgate is down
    const res = await fetch(`${first.api}/api/v1/rules`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...authHeader },
      body: JSON.stringify({
        target: SHORT,
        intent: 'drop',
        protocol: 17,
        port: 53,
        ttlSeconds: SHORT_TTL_S,
      }),
    });
    expect(res.status).toBe(201);
    const short = ((await res.json()) as { rule: Rule }).rule;
    const preKill = await waitFor('three rules held by gobgpd', async () => {
      const active = await activeRules(first);
      const rib = await flowSpecRib(g);
      return active.length === 3 && rib.length === 3 ? { active, rib } : undefined;
    });
    // the comparison itself: before the crash the router holds exactly the active set
    expect(mismatches(preKill.active, preKill.rib)).toEqual([]);

    // kill -9 in the middle of the attack (the flood keeps going)
    expect(sender.sent).toBeLessThan(flood.length);
    await first.stop('SIGKILL');
    fg = undefined;
    expect(first.child.signalCode).toBe('SIGKILL');
    // without graceful restart the router drops everything it learnt on the session
    await waitFor('gobgpd to drop the dead session’s routes', async () =>
      (await flowSpecRib(g)).length === 0 ? true : undefined,
    );
    // stay down until the short rule's TTL has run out
    const wait = short.expiresAt + 500 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));

    // watch every UPDATE gobgpd receives from now on: the expired rule must never be announced again,
    // not even for an instant between two RIB reads
    const watch = new RibWatch(GRPC_PORT);
    await watch.ready;

    const second = await startFloodgate(config(flowPort), { apiHost: FG, apiPort: API_PORT, dir });
    fg = second;
    try {
      await waitFor(
        'gobgpd to hold exactly the restored active set',
        async () => {
          const active = await activeRules(second);
          return mismatches(active, await flowSpecRib(g)).length === 0 && active.length === 2
            ? true
            : undefined;
        },
        30_000,
        200,
      );
      // the flood goes on: detection starts a new attack on the same targets, which must not duplicate
      await waitFor('the restarted process to detect the ongoing flood again', () =>
        second.output().includes('"kind":"start"') ? true : undefined,
      );
      await new Promise((r) => setTimeout(r, 3000));
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${second.output().slice(-5000)}`);
    } finally {
      watch.close();
    }

    const after = await activeRules(second);
    // the same rules as before the crash, minus the expired one: restored, not re-made
    expect(after.map((r) => r.id).sort()).toEqual(before.map((r) => r.id).sort());
    for (const target of [`${V4}/32`, `${V6}/128`])
      expect(
        after.filter((r) => r.target === target),
        `one active rule on ${target}`,
      ).toHaveLength(1);
    // field by field: the router holds exactly the engine's active set, nothing more
    const rib = await flowSpecRib(g);
    expect(mismatches(after, rib)).toEqual([]);
    expect(rib).toHaveLength(after.length);

    const announced = (addr: string) =>
      watch.events.filter((e) => !e.withdraw && e.nlri.includes(`"${addr}"`)).length;
    expect(announced(SHORT), 'announcements of the expired rule after the restart').toBe(0);
    expect(announced(V4), 'the restored IPv4 rule re-announced once').toBe(1);
    expect(announced(V6), 'the restored IPv6 rule re-announced once').toBe(1);
    // the rule whose TTL ran out while floodgate was down: withdrawn, audited, never re-announced
    const { rule: gone } = await getJson<{ rule: Rule }>(
      `${second.api}/api/v1/rules/${encodeURIComponent(short.id)}`,
    );
    expect(gone.state).toBe('withdrawn');
    const { records } = await getJson<{ records: AuditRecord[] }>(
      `${second.api}/api/v1/audit?ruleId=${encodeURIComponent(short.id)}&action=withdraw`,
    );
    expect(records.some((r) => r.reason.includes('TTL ran out while the engine was down'))).toBe(true);
  }, 150_000);
});
