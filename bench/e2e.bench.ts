// The headline figure, end to end with real processes: from the first sFlow datagram of an attack
// (1:1000 sampling) sent to floodgate's collector to the FlowSpec rule standing in a real gobgpd's RIB,
// announced by floodgate's native BGP speaker. 20 attacks on different targets, one after another;
// gobgpd's RIB is polled over gRPC (ListPath) every 20 ms (50 Hz), so each figure is late by ≤ 20 ms.
// The same arrival is also timed without polling, from gobgpd's WatchEvent stream (UPDATE received).
// Target p99 ≤ 500 ms. Breakdown from floodgate's own records: datagram → AttackEvent (the "attack
// start" log line), AttackEvent → engine decision (audit `at` of the announce), decision → RIB.
// Detection and policy are floodgate's defaults (host threshold 50 kpps / 500 Mbit/s; levels
// > 100 Mbit/s rate-limit, > 500 Mbit/s drop): each attack is a 2 Mpps UDP flood of 64-byte packets
// (≈ 1 Gbit/s, 40× the pps threshold), i.e. 2000 samples/s in 250 datagrams/s.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GobgpClient } from '../src/adapters/gobgp/client.js';
import type { AuditRecord } from '../src/domain/audit.js';
import { Gobgpd } from '../test/bgp/helpers/gobgpd.js';
import { getJson, startFloodgate } from '../test/support/floodgate-process.js';
import { GOBGP_PROTO_DIR, RibWatch } from '../test/e2e/support-gobgp.js';
import { PacedSender, freeUdpPort, sflowFlood } from '../test/e2e/support-sflow.js';

const FG = '127.0.80.11';
const ROUTER = '127.0.80.12';
const GRPC_PORT = 50301;
const API_PORT = 18301;
const ATTACKS = 20;
const POLL_MS = 20;
const GIVE_UP_MS = 5000;

function percentile(values: readonly number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
}

const round = (n: number) => Math.round(n * 10) / 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** "attack start" log lines of floodgate (pino JSON): target → time (ms since epoch). */
function attackStarts(log: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of log.split('\n')) {
    if (!line.includes('"kind":"start"')) continue;
    try {
      const o = JSON.parse(line) as { time: string | number; target: string; kind: string };
      const t = typeof o.time === 'number' ? o.time : Date.parse(o.time);
      if (o.kind === 'start' && !out.has(o.target)) out.set(o.target, t);
    } catch {
      /* not a JSON line */
    }
  }
  return out;
}

export async function run(): Promise<Record<string, number>> {
  const g = new Gobgpd({ address: ROUTER, asn: 65091, grpcPort: GRPC_PORT, peerAddress: FG, peerAs: 65090 });
  const dir = mkdtempSync(join(tmpdir(), 'fg-bench-e2e-'));
  let fg: Awaited<ReturnType<typeof startFloodgate>> | undefined;
  let client: GobgpClient | undefined;
  let watch: RibWatch | undefined;
  try {
    await g.start();
    const flowPort = await freeUdpPort(FG);
    fg = await startFloodgate(
      {
        node: { name: 'bench' },
        flow: { listeners: [{ protocol: 'sflow', address: FG, port: flowPort }] },
        detection: { networks: ['203.0.113.0/24'] },
        bgp: {
          enabled: true,
          routerId: '10.80.0.11',
          localAs: 65090,
          peers: [
            {
              name: 'gobgpd',
              address: ROUTER,
              port: 1179,
              localAddress: FG,
              remoteAs: 65091,
              families: ['ipv4-flowspec', 'ipv6-flowspec'],
              connectRetrySeconds: 0.5,
            },
          ],
        },
        mitigation: {
          dryRun: false,
          guards: { allowSpecialPurpose: ['203.0.113.0/24'] },
        },
      },
      { apiHost: FG, apiPort: API_PORT, dir },
    );
    await g.waitEstablished(30_000);
    client = new GobgpClient(`127.0.0.1:${GRPC_PORT}`, GOBGP_PROTO_DIR, 2000);
    watch = new RibWatch(GRPC_PORT);
    await watch.ready;
    const family = { afi: 'AFI_IP', safi: 'SAFI_FLOW_SPEC_UNICAST' } as const;

    const total: number[] = [];
    const byWatch: number[] = [];
    const sent: Record<string, { first: number; rib: number }> = {};
    let missed = 0;
    for (let k = 0; k < ATTACKS; k++) {
      const target = `203.0.113.${100 + k}`;
      // 2000 samples/s for at most 3 s; 8 samples per datagram, one datagram every 4 ms
      const sender = new PacedSender(
        FG,
        flowPort,
        sflowFlood({ target, samples: 6000, packetBytes: 64, sources: 200 }),
        1,
        4,
      );
      const arrival = (watch as RibWatch).next(`"${target}"`, GIVE_UP_MS + 1000);
      await sender.start();
      const needle = ` ${target}/32]`; // gobgp's NLRI text: "[destination: 203.0.113.100/32]..."
      let ribAt = NaN;
      const deadline = Date.now() + GIVE_UP_MS;
      while (Date.now() < deadline) {
        const paths = await client.listPath(family);
        const now = performance.timeOrigin + performance.now();
        if (paths.some((p) => p.prefix.includes(needle))) {
          ribAt = now;
          break;
        }
        await sleep(POLL_MS);
      }
      await sender.stop();
      const seen = await arrival;
      if (seen !== undefined) byWatch.push(seen.at - sender.firstSentAt);
      if (Number.isNaN(ribAt)) missed++;
      else {
        total.push(ribAt - sender.firstSentAt);
        sent[`${target}/32`] = { first: sender.firstSentAt, rib: ribAt };
      }
      await sleep(300);
    }

    // breakdown from floodgate's log and audit trail
    const starts = attackStarts(fg.output());
    const { records } = await getJson<{ records: AuditRecord[] }>(
      `${fg.api}/api/v1/audit?action=announce&limit=1000`,
    );
    const toEvent: number[] = [];
    const toDecision: number[] = [];
    const decisionToRib: number[] = [];
    for (const [target, { first, rib }] of Object.entries(sent)) {
      const ev = starts.get(target);
      const dec = records.filter((r) => r.target === target).reduce((m, r) => Math.min(m, r.at), Infinity);
      if (ev !== undefined) toEvent.push(ev - first);
      if (ev !== undefined && Number.isFinite(dec)) toDecision.push(dec - ev);
      if (Number.isFinite(dec)) decisionToRib.push(rib - dec);
    }
    return {
      'e2e.attacks': ATTACKS,
      'e2e.missed': missed,
      'e2e.pollIntervalMs': POLL_MS,
      'e2e.datagramToRib.p50Ms': round(percentile(total, 50)),
      'e2e.datagramToRib.p99Ms': round(percentile(total, 99)),
      'e2e.datagramToRib.maxMs': round(Math.max(...total)),
      'e2e.datagramToUpdateReceived.p50Ms': round(percentile(byWatch, 50)),
      'e2e.datagramToUpdateReceived.p99Ms': round(percentile(byWatch, 99)),
      'e2e.datagramToEvent.p50Ms': round(percentile(toEvent, 50)),
      'e2e.datagramToEvent.p99Ms': round(percentile(toEvent, 99)),
      'e2e.eventToDecision.p50Ms': round(percentile(toDecision, 50)),
      'e2e.eventToDecision.p99Ms': round(percentile(toDecision, 99)),
      'e2e.decisionToRib.p50Ms': round(percentile(decisionToRib, 50)),
      'e2e.decisionToRib.p99Ms': round(percentile(decisionToRib, 99)),
    };
  } finally {
    client?.close();
    watch?.close();
    await fg?.stop('SIGTERM');
    await g.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(JSON.stringify(await run(), null, 2) + '\n');
}
