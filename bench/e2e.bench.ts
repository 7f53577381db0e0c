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
// Moderate floods (issue 10 item 8): multiples of the 50 kpps host threshold (512-byte packets up to 4.4×,
// 256-byte for 10×, so that each is over level 1 of the policy), split over two sFlow agents (two nodes)
// or from one. Each multiple sits 10 % above the least the engine's confidence formula acts on for its
// number of routers: 2× from two routers scores exactly 0.65 and 3.98× from one router 0.65 (a flood of
// 2× from one router scores 0.50 and is alert only). A flood exactly at that edge is mitigated at once or
// only at the next update (1 s) depending on the last percent of its reading, and 1:1000 sampling alone
// makes a 250 ms reading ±20 % in the field, so the edge measures a coin, not the path. Target p99 ≤
// 500 ms for every series. The deployment rate limit is lifted so that queueing never adds to the figures.
// Under load (issue 15: "first sFlow datagram → attack start p99 ≤ 150 ms under the benchmark load"):
// E2E_BENCH_LOAD=<datagrams/s> replays the repository's sfprobe sFlow capture (7.1 samples per datagram,
// 1:1 sampling, a flood on 203.0.113.5 — itself detected and mitigated, as a busy network would be) to the
// same listener from its own process (bench/replay-sender.ts) for the whole run; the figures then carry
// `e2e.load.*`: what was offered, what the collector received and what the kernel dropped.
import { runIfMain } from './main.js';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GobgpClient } from '../src/adapters/gobgp/client.js';
import type { AuditRecord } from '../src/domain/audit.js';
import { Gobgpd } from '../test/support/daemons/gobgpd.js';
import { getJson, startFloodgate } from '../test/support/floodgate-process.js';
import { GOBGP_PROTO_DIR, RibWatch } from '../test/e2e/support-gobgp.js';
import { PacedSender, freeUdpPort, sflowFlood } from '../test/e2e/support-sflow.js';
import { BENCH_ROOT, startReplay } from './replay.js';

const FG = '127.0.80.11';
const ROUTER = '127.0.80.12';
const GRPC_PORT = 50301;
const API_PORT = 18301;
// E2E_BENCH_ATTACKS / E2E_BENCH_SERIES_ATTACKS change the counts, E2E_BENCH_SERIES=2.2x.2 picks series (x.routers)
const ATTACKS = Number(process.env.E2E_BENCH_ATTACKS ?? 20);
const POLL_MS = 20;
const GIVE_UP_MS = 5000;
/** Moderate attacks slower than this (ms) print their events and audit trail to stderr (E2E_BENCH_TRACE_MS). */
const TRACE_MS = Number(process.env.E2E_BENCH_TRACE_MS ?? 500);
const SERIES_ATTACKS = Number(process.env.E2E_BENCH_SERIES_ATTACKS ?? 10);
const AGENTS = ['127.0.80.9', '127.0.80.10'];
/** Background sFlow datagrams/s for the whole run (0: none). */
const LOAD = Number(process.env.E2E_BENCH_LOAD ?? 0);

interface FlowHealth {
  checks: { flow: { datagrams: number; backpressure: { socketDrops: number } } };
}
const MODERATE = [
  { x: 2.2, routers: 2, bytes: 512 },
  { x: 4, routers: 2, bytes: 512 },
  { x: 10, routers: 2, bytes: 256 },
  { x: 4.4, routers: 1, bytes: 512 },
  { x: 10, routers: 1, bytes: 256 },
] as const;

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
  let load: ChildProcess | undefined;
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
          limits: { deploymentsPerWindow: 10_000 },
        },
      },
      { apiHost: FG, apiPort: API_PORT, dir },
    );
    await g.waitEstablished(30_000);
    // the background starts before the first attack and runs past the last (killed at the end)
    const capture = join(BENCH_ROOT, 'test', 'fixtures', 'flow', 'sfprobe-sflow5.pcap');
    load = LOAD > 0 ? startReplay(FG, flowPort, capture, LOAD, 1800) : undefined;
    const loadFrom = load ? (await getJson<FlowHealth>(`${fg.api}/healthz`)).checks.flow : undefined;
    const loadT0 = Date.now();
    if (load) await sleep(3000);
    client = new GobgpClient(`127.0.0.1:${GRPC_PORT}`, GOBGP_PROTO_DIR, 2000);
    watch = new RibWatch(GRPC_PORT);
    await watch.ready;
    const family = { afi: 'AFI_IP', safi: 'SAFI_FLOW_SPEC_UNICAST' } as const;

    const total: number[] = [];
    const byWatch: number[] = [];
    const sent: Record<string, { first: number; rib: number }> = {};
    let missed = 0;
    /** Every moderate attack, for the per-series breakdown and the outliers' diagnosis. */
    const moderate: { series?: string; target: string; first: number; rib: number }[] = [];

    /** First datagram → rule in gobgpd's RIB for one flood (senders built per target); NaN when missed. */
    const attack = async (target: string, senders: PacedSender[], headline: boolean): Promise<number> => {
      const arrival = (watch as RibWatch).next(`"${target}"`, GIVE_UP_MS + 1000);
      for (const s of senders) await s.start();
      const first = Math.min(...senders.map((s) => s.firstSentAt));
      const needle = ` ${target}/32]`; // gobgp's NLRI text: "[destination: 203.0.113.100/32]..."
      let ribAt = NaN;
      const deadline = Date.now() + GIVE_UP_MS;
      while (Date.now() < deadline) {
        const paths = await (client as GobgpClient).listPath(family);
        const now = performance.timeOrigin + performance.now();
        if (paths.some((p) => p.prefix.includes(needle))) {
          ribAt = now;
          break;
        }
        await sleep(POLL_MS);
      }
      for (const s of senders) await s.stop();
      const seen = await arrival;
      if (headline && seen !== undefined) byWatch.push(seen.at - first);
      if (headline && !Number.isNaN(ribAt)) sent[`${target}/32`] = { first, rib: ribAt };
      if (!headline) moderate.push({ target, first, rib: ribAt });
      await sleep(300);
      return Number.isNaN(ribAt) ? NaN : ribAt - first;
    };

    for (let k = 0; k < ATTACKS; k++) {
      const target = `203.0.113.${100 + k}`;
      // 2000 samples/s for at most 3 s; 8 samples per datagram, one datagram every 4 ms
      const ms = await attack(
        target,
        [
          new PacedSender(
            FG,
            flowPort,
            sflowFlood({ target, samples: 6000, packetBytes: 64, sources: 200 }),
            1,
            4,
          ),
        ],
        true,
      );
      if (Number.isNaN(ms)) missed++;
      else total.push(ms);
    }

    // moderate floods: multiple of the 50 kpps threshold, 1:1000 sampling, 8 samples per datagram
    const series: Record<string, number> = {};
    let next = 130;
    const pick = process.env.E2E_BENCH_SERIES?.split(',');
    for (const { x, routers, bytes } of MODERATE) {
      if (pick && !pick.includes(`${x}x.${routers}`)) continue;
      const got: number[] = [];
      let lost = 0;
      const samplesPerSecond = (x * 50_000) / 1000 / routers;
      const everyMs = 1000 / (samplesPerSecond / 8);
      for (let k = 0; k < SERIES_ATTACKS; k++) {
        const target = `203.0.113.${next++}`;
        const senders = Array.from({ length: routers }, (_, r) => {
          const datagrams = sflowFlood({
            target,
            samples: Math.ceil(samplesPerSecond * 3),
            packetBytes: bytes,
            sources: 100,
            sourceOffset: r * 100,
            agent: AGENTS[r] as string,
          });
          return new PacedSender(FG, flowPort, datagrams, 1, everyMs, AGENTS[r] as string);
        });
        // the second router's first datagram half a period after the first router's
        const [a, b] = senders;
        const startAll = senders.map((s) => s.start.bind(s));
        if (b !== undefined && a !== undefined) {
          a.start = async () => {
            await startAll[0]!();
            await sleep(everyMs / 2);
            await startAll[1]!();
          };
          b.start = async () => undefined;
        }
        const ms = await attack(target, senders, false);
        if (Number.isNaN(ms)) lost++;
        else got.push(ms);
      }
      const name = `e2e.${x}x.${routers}router${routers > 1 ? 's' : ''}`;
      for (const m of moderate) m.series ??= name;
      series[`${name}.missed`] = lost;
      series[`${name}.datagramToRib.p50Ms`] = round(percentile(got, 50));
      series[`${name}.datagramToRib.p99Ms`] = round(percentile(got, 99));
      series[`${name}.datagramToRib.maxMs`] = round(Math.max(...got));
    }

    const loadFigures: Record<string, number> = {};
    if (load && loadFrom) {
      const h = (await getJson<FlowHealth>(`${fg.api}/healthz`)).checks.flow;
      const seconds = (Date.now() - loadT0) / 1000;
      load.kill('SIGKILL');
      loadFigures['e2e.load.offeredDgPerSecond'] = LOAD;
      loadFigures['e2e.load.receivedDgPerSecond'] = Math.round((h.datagrams - loadFrom.datagrams) / seconds);
      loadFigures['e2e.load.socketDrops'] = h.backpressure.socketDrops - loadFrom.backpressure.socketDrops;
      loadFigures['e2e.load.seconds'] = Math.round(seconds);
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
    // per series: datagram → AttackEvent and AttackEvent → announce decision; over 500 ms, the events and
    // the audit trail of that target go to stderr so an outlier can be told from scheduling
    const log = fg.output();
    const allAudit = await getJson<{ records: AuditRecord[] }>(`${fg.api}/api/v1/audit?limit=10000`);
    for (const name of new Set(moderate.map((m) => m.series as string))) {
      const of = moderate.filter((m) => m.series === name);
      const ev = of.flatMap((m) => {
        const at = starts.get(`${m.target}/32`);
        return at === undefined ? [] : [at - m.first];
      });
      const dec = of.flatMap((m) => {
        const at = starts.get(`${m.target}/32`);
        const d = records
          .filter((r) => r.target === `${m.target}/32`)
          .reduce((x, r) => Math.min(x, r.at), Infinity);
        return at === undefined || !Number.isFinite(d) ? [] : [d - at];
      });
      series[`${name}.datagramToEvent.p50Ms`] = round(percentile(ev, 50));
      series[`${name}.datagramToEvent.p99Ms`] = round(percentile(ev, 99));
      series[`${name}.eventToDecision.p50Ms`] = round(percentile(dec, 50));
      series[`${name}.eventToDecision.p99Ms`] = round(percentile(dec, 99));
      for (const m of of) {
        if (!(m.rib - m.first > TRACE_MS || Number.isNaN(m.rib))) continue;
        const lines = log
          .split('\n')
          .filter((l) => l.includes(`"${m.target}/32"`) || l.includes(`"${m.target}"`))
          .map((l) => {
            try {
              const o = JSON.parse(l) as {
                time: number | string;
                msg: string;
                pps?: number;
                node?: string;
                reason?: string;
              };
              const t = typeof o.time === 'number' ? o.time : Date.parse(o.time);
              return `  +${Math.round(t - m.first)} ms ${o.msg} pps=${o.pps ?? ''} node=${o.node ?? ''} ${o.reason ?? ''}`;
            } catch {
              return `  ${l}`;
            }
          });
        const audit = allAudit.records
          .filter((r) => r.target === `${m.target}/32`)
          .map(
            (r) => `  +${Math.round(r.at - m.first)} ms audit ${r.action} ${JSON.stringify(r).slice(0, 400)}`,
          );
        process.stderr.write(
          `${name} ${m.target}: ${Math.round(m.rib - m.first)} ms\n${[...lines, ...audit].join('\n')}\n`,
        );
      }
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
      ...series,
      ...loadFigures,
    };
  } finally {
    load?.kill('SIGKILL');
    client?.close();
    watch?.close();
    await fg?.stop('SIGTERM');
    await g.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, run);
