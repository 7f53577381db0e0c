// The attack report of a capture of raw traffic (`floodgate analyze`): totals, protocol mix, top sources,
// destinations and ports, a packet-size histogram, and per dominant destination the family (the detector's
// own classifier), its signature (the detector's own signature builder) and the FlowSpec rules the engine
// would deploy for it (the engine's renderRule at the default policy's FlowSpec levels). Pure.
import { classify } from '../detect/classify.js';
import { classifyRow } from '../detect/counters.js';
import { parseDetectionConfig } from '../detect/config.js';
import { SIZE_BINS, sizeBin } from '../detect/metrics.js';
import { RowStore } from '../detect/rows.js';
import { buildProfile } from '../detect/signature.js';
import type { Signature } from '../domain/attack.js';
import type { EscalationLevel } from '../domain/rule.js';
import type { FlowBatch } from '../flow/batch.js';
import { formatFlowSpec } from '../flowspec/text.js';
import type { FlowSpecAction } from '../flowspec/types.js';
import { parseMitigationConfig } from '../mitigation/config.js';
import { INTENT_KIND } from '../domain/rule.js';
import { renderRule } from '../mitigation/intents.js';
import { wordsToIpString } from '../net/index.js';

export interface Ranked {
  readonly key: string;
  readonly packets: number;
  readonly share: number;
}

export interface RuleSketch {
  readonly level: number;
  readonly intent: string;
  /** Attack bps at which the engine's default policy enters this level. */
  readonly whenBps: number | null;
  readonly flowspec: string;
  readonly actions: readonly FlowSpecAction[];
}

export interface TargetReport {
  readonly target: string;
  readonly packets: number;
  readonly share: number;
  readonly pps: number;
  readonly bps: number;
  readonly family: string;
  readonly reason: string;
  readonly signature: Signature;
  readonly rules: readonly RuleSketch[];
}

export interface AnalyzeReport {
  readonly packets: number;
  readonly bytes: number;
  readonly start: number;
  readonly end: number;
  readonly seconds: number;
  readonly protocols: readonly Ranked[];
  readonly sources: readonly Ranked[];
  readonly destinations: readonly Ranked[];
  /** "proto/port" keys, e.g. "17/53". */
  readonly destinationPorts: readonly Ranked[];
  readonly sourcePorts: readonly Ranked[];
  /** Packets per size bin of the packet length as captured; upTo null = larger than the last bound. */
  readonly sizes: readonly { upTo: number | null; packets: number; share: number }[];
  readonly targets: readonly TargetReport[];
}

export interface AnalyzeOptions {
  /** Rows in each top list. */
  readonly top?: number;
  /** A destination is reported as a target from this share of all packets. */
  readonly minShare?: number;
}

const PROTO: Record<number, string> = {
  1: 'icmp',
  6: 'tcp',
  17: 'udp',
  47: 'gre',
  58: 'icmpv6',
  132: 'sctp',
};

function rank(m: Map<string, number>, total: number, top: number): Ranked[] {
  return [...m]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, top)
    .map(([key, packets]) => ({ key, packets, share: total > 0 ? packets / total : 0 }));
}

const bump = (m: Map<string, number>, k: string, n: number) => m.set(k, (m.get(k) ?? 0) + n);

export function analyze(batches: readonly FlowBatch[], opts: AnalyzeOptions = {}): AnalyzeReport {
  const top = opts.top ?? 10;
  const minShare = opts.minShare ?? 0.1;
  const protos = new Map<string, number>();
  const srcs = new Map<string, number>();
  const dsts = new Map<string, number>();
  const dports = new Map<string, number>();
  const sports = new Map<string, number>();
  const sizes = new Array<number>(SIZE_BINS.length + 1).fill(0);
  const rows = new Map<string, { b: FlowBatch; i: number }[]>();
  let packets = 0;
  let bytes = 0;
  let start = Infinity;
  let end = -Infinity;
  for (const b of batches) {
    for (let i = 0; i < b.length; i++) {
      const n = b.packets[i] as number;
      const fam = b.family[i] === 6 ? 6 : 4;
      const p = b.proto[i] as number;
      const dst = wordsToIpString(b.dstAddr, i * 4, fam);
      packets += n;
      bytes += b.bytes[i] as number;
      start = Math.min(start, b.startMs[i] as number);
      end = Math.max(end, b.endMs[i] as number);
      bump(protos, PROTO[p] ?? String(p), n);
      bump(srcs, wordsToIpString(b.srcAddr, i * 4, fam), n);
      bump(dsts, dst, n);
      if (p === 6 || p === 17 || p === 132) {
        bump(dports, `${p}/${b.dstPort[i]}`, n);
        bump(sports, `${p}/${b.srcPort[i]}`, n);
      }
      sizes[sizeBin((b.bytes[i] as number) / n)]! += n;
      let list = rows.get(dst);
      if (!list) rows.set(dst, (list = []));
      list.push({ b, i });
    }
  }
  if (packets === 0) start = end = 0;
  const seconds = Math.max(0.001, (end - start) / 1000);
  const targets = rank(dsts, packets, top)
    .filter((d) => d.share >= minShare)
    .map((d) => target(d, rows.get(d.key)!, seconds));
  return {
    packets,
    bytes,
    start,
    end,
    seconds,
    protocols: rank(protos, packets, top),
    sources: rank(srcs, packets, top),
    destinations: rank(dsts, packets, top),
    destinationPorts: rank(dports, packets, top),
    sourcePorts: rank(sports, packets, top),
    sizes: sizes.map((c, k) => ({
      upTo: SIZE_BINS[k] ?? null,
      packets: c,
      share: packets ? c / packets : 0,
    })),
    targets,
  };
}

const detection = parseDetectionConfig({});
const mitigation = parseMitigationConfig({});

/** One destination's rows through the detector's profile and classifier, then the engine's rule renderer. */
function target(d: Ranked, list: { b: FlowBatch; i: number }[], seconds: number): TargetReport {
  const st = new RowStore(list.length);
  let bytes = 0;
  for (const { b, i } of list) {
    const r = st.push();
    const fam = b.family[i] as number;
    const off = i * 4;
    st.inHost[r] = 0;
    st.inPrefix[r] = st.inGroup[r] = st.outHost[r] = st.outPrefix[r] = st.outGroup[r] = -1;
    st.pkts[r] = b.packets[i] as number;
    st.bytes[r] = b.bytes[i] as number;
    st.flows[r] = 1;
    st.family[r] = fam;
    st.proto[r] = b.proto[i] as number;
    st.flags[r] = b.tcpFlags[i] as number;
    st.frag[r] = b.fragment[i] as number;
    st.srcPort[r] = b.srcPort[i] as number;
    st.dstPort[r] = b.dstPort[i] as number;
    st.size[r] = Math.min(65535, Math.round((b.bytes[i] as number) / (b.packets[i] as number)));
    st.src0[r] = b.srcAddr[off] as number;
    st.src1[r] = fam === 6 ? (b.srcAddr[off + 1] as number) : 0;
    st.dstLow[r] = b.dstAddr[fam === 6 ? off + 3 : off] as number;
    classifyRow(st, r);
    bytes += b.bytes[i] as number;
  }
  const profile = buildProfile([st], 'inHost', 0, detection.signature);
  const { family, reason } = classify(profile.mix);
  const prefix = `${d.key}/${d.key.includes(':') ? 128 : 32}`;
  const rules: RuleSketch[] = [];
  mitigation.policies.default!.levels.forEach((l, k) => {
    if (INTENT_KIND[l.intent] !== 'flowspec') return;
    const rule = renderRule(
      {
        id: `analyze-${k + 1}`,
        tenant: 'default',
        target: prefix,
        intent: l.intent,
        level: (k + 1) as EscalationLevel,
        signature: profile.signature,
        depth: 'basic',
        ...(l.intent === 'rate-limit'
          ? { rateBitsPerSecond: l.rateBitsPerSecond ?? l.bps ?? undefined }
          : {}),
        ttlSeconds: 3600,
        now: 0,
        origin: 'auto',
        reason,
        dryRun: true,
      },
      mitigation,
    );
    rules.push({
      level: k + 1,
      intent: l.intent,
      whenBps: l.bps,
      flowspec: formatFlowSpec(rule.match),
      actions: rule.actions,
    });
  });
  return {
    target: prefix,
    packets: d.packets,
    share: d.share,
    pps: d.packets / seconds,
    bps: (bytes * 8) / seconds,
    family,
    reason,
    signature: profile.signature,
    rules,
  };
}
