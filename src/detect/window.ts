// The counting window: FlowBatch records into sliding-window sums per host, per /24 (/64) and per host
// group in both directions (the detector's ingest path). A record spanning several buckets is spread
// evenly over them, and only its part inside the window counts; each bucket keeps its records as rows
// (rows.ts) so the signature builder can read them and the bucket can be subtracted when it leaves the
// window. Pure: time comes in as record timestamps and as `now` in advance().

import type { Direction } from '../domain/attack.js';
import type { FlowBatch } from '../flow/batch.js';
import { type Family, formatPrefix, prefixFromWords } from '../net/index.js';
import type { DetectionConfig } from './config.js';
import { CounterSet, HOST_WIDTH, contributionMask } from './counters.js';
import { protoClass } from './metrics.js';
import { type GroupPolicy, Policies } from './policy.js';
import { FlowParts } from './parts.js';
import { TargetIndex } from './targets.js';
import { RowStore } from './rows.js';

export const LEVELS = ['host', 'prefix', 'group'] as const;
export type Level = (typeof LEVELS)[number];
export const DIRECTIONS: readonly Direction[] = ['incoming', 'outgoing'];

/** What the window counted and why it skipped records. */
export interface CountStats {
  records: number;
  notOurs: number;
  late: number;
  invalid: number;
  untracked: number;
}

export class CountWindow {
  readonly policies: Policies;
  /** Index = level * 2 + direction: host in/out, prefix in/out, group in/out. */
  readonly sets: CounterSet[];
  /** The window's buckets, a ring of R = W + 2 (one ahead for records from the near future, one behind). */
  readonly stores: RowStore[];
  readonly tickMs: number;
  /** Buckets in the window. */
  readonly W: number;
  readonly R: number;
  /** Window length in seconds (sums / winSec = rates). */
  readonly winSec: number;
  /** Current bucket (time / tick); written by ingest (first record) and advance(). */
  epoch = Number.NEGATIVE_INFINITY;
  private readonly dropLate: boolean;
  /** Names of the exporters of the batch being counted, by batch.exporter index. */
  exporterNames: readonly string[] = [];
  /** Scratch words (masks, parsed addresses). */
  readonly maskW = new Uint32Array(4);
  readonly stats: CountStats = { records: 0, notOurs: 0, late: 0, invalid: 0, untracked: 0 };
  private readonly onsetOn: boolean;
  // The record being counted (ingestOne → addRow, once per bucket it spans): its targets per set
  // (-1: none), average packet size, protocol class and contribution mask.
  private rInH = -1;
  private rOutH = -1;
  private rInP = -1;
  private rOutP = -1;
  private rInG = -1;
  private rOutG = -1;
  private rSize = 0;
  private rPc = 0;
  private rMask = 0;
  /** The parts of a record spanning several buckets: bucket, start time, packets, bytes, flows. */
  private readonly partEp: Float64Array;
  private readonly partT: Float64Array;
  private readonly partP: Float64Array;
  private readonly partB: Float64Array;
  private readonly partF: Float64Array;
  /** Finds or adds a record's targets, evicts idle ones (targets.ts). */
  private readonly targets: TargetIndex;
  /** Older parts of the rows of multi-bucket records (parts.ts). */
  private readonly parts: FlowParts;

  constructor(
    readonly cfg: DetectionConfig,
    initialCapacity = 4096,
  ) {
    this.policies = new Policies(cfg);
    this.dropLate = cfg.lateRecords === 'drop';
    this.onsetOn = cfg.onset.enabled;
    this.tickMs = cfg.tick;
    this.W = Math.max(1, Math.round(cfg.window / cfg.tick));
    this.R = this.W + 2;
    this.winSec = (this.W * this.tickMs) / 1000;
    this.stores = Array.from({ length: this.R }, () => new RowStore(1024));
    this.partEp = new Float64Array(this.R);
    this.partT = new Float64Array(this.R);
    this.partP = new Float64Array(this.R);
    this.partB = new Float64Array(this.R);
    this.partF = new Float64Array(this.R);
    const bp = cfg.dynamic;
    const init = initialCapacity;
    const groups = this.policies.groups.length;
    this.sets = [
      new CounterSet(init, cfg.maxHosts, bp, HOST_WIDTH),
      new CounterSet(init, cfg.maxHosts, bp, HOST_WIDTH),
      new CounterSet(Math.min(init, 1024), cfg.maxPrefixes, bp),
      new CounterSet(Math.min(init, 1024), cfg.maxPrefixes, bp),
      new CounterSet(groups, groups, bp),
      new CounterSet(groups, groups, bp),
    ];
    this.parts = new FlowParts(this.sets, this.stores);
    this.targets = new TargetIndex(cfg, this.policies, this.sets, this.stats);
    for (const set of [this.sets[4], this.sets[5]] as CounterSet[])
      for (const g of this.policies.groups) set.insert(4, g.index, 0, 0, 0, g.index, 0, g.mode === 'p99');
  }

  /** Counts a batch of records. `exporterNames[batch.exporter[i]]` names the node of record i. */
  ingest(batch: FlowBatch, exporterNames: readonly string[], from = 0, to = batch.length): void {
    this.exporterNames = exporterNames;
    for (let i = from; i < to; i++) this.ingestOne(batch, i);
  }

  private ingestOne(b: FlowBatch, i: number): void {
    this.stats.records++;
    const fam = b.family[i] as number;
    const pk = b.packets[i] as number;
    if ((fam !== 4 && fam !== 6) || !(pk > 0) || !((b.bytes[i] as number) >= 0)) {
      this.stats.invalid++;
      return;
    }
    let s = b.startMs[i] as number;
    let e = b.endMs[i] as number;
    if (!(s <= e)) s = e;
    if (!Number.isFinite(e)) {
      this.stats.invalid++;
      return;
    }
    if (this.epoch === Number.NEGATIVE_INFINITY) this.epoch = Math.floor(e / this.tickMs);
    const E = this.epoch;
    const tick = this.tickMs;
    const first = E - this.W;
    const last = E + 1;
    let epE = Math.floor(e / tick);
    // A flow export always arrives after its flow ended (that is when it is exported). One that ended
    // before the current tick is shifted to end now, spread over its own duration: without this, a record
    // ending 0.9 s before it arrived would put only its last 0.1 s into the 1 s window and a flood would
    // read as a trickle. A record before the window altogether (and any zero-length sample) is "late":
    // shifted the same way, or dropped when lateRecords is drop.
    const endedEarlier = epE < E && s < e;
    if (epE < first || (endedEarlier && !this.dropLate)) {
      if (epE < first) this.stats.late++;
      if (this.dropLate && epE < first) return;
      const shift = E * tick - e;
      s += shift;
      e += shift;
      epE = E;
    }
    const off = i * 4;
    const inH = this.targets.hostFor(0, fam as Family, b.dstAddr, off, e);
    const outH = this.targets.hostFor(1, fam as Family, b.srcAddr, off, e);
    if (inH < 0 && outH < 0) {
      this.stats.notOurs++;
      return;
    }
    const inP = inH >= 0 ? this.targets.prefixFor(0, inH, fam, b.dstAddr, off, e) : -1;
    const outP = outH >= 0 ? this.targets.prefixFor(1, outH, fam, b.srcAddr, off, e) : -1;
    const inG = inH >= 0 ? this.policies.hostPolicies[this.sets[0]!.policy[inH] as number]!.group.index : -1;
    const outG =
      outH >= 0 ? this.policies.hostPolicies[this.sets[1]!.policy[outH] as number]!.group.index : -1;

    this.rInH = inH;
    this.rOutH = outH;
    this.rInP = inP;
    this.rOutP = outP;
    this.rInG = inG;
    this.rOutG = outG;
    const proto = b.proto[i] as number;
    const avg = (b.bytes[i] as number) / pk;
    const size = avg > 65535 ? 65535 : Math.round(avg);
    this.rSize = size;
    this.rPc = protoClass(proto);
    this.rMask = contributionMask(
      proto,
      b.tcpFlags[i] as number,
      b.fragment[i] as number,
      b.srcPort[i] as number,
      size,
    );
    const sr = (b.samplingRate[i] as number) || 1;
    const P = pk * sr;
    const B = (b.bytes[i] as number) * sr;
    // Flow exports count one new flow at the flow's start; packet samples (sFlow, pcap) carry no flows.
    const isFlow = (b.format[i] as number) <= 2;
    const flowEp = Math.floor(s / tick);
    const d = e - s;
    const epS = Math.floor(s / tick);
    if (d <= 0 || epS === epE) {
      const ep = epE > last ? last : epE;
      this.addRow(b, i, ep, s, P, B, isFlow && flowEp >= first ? sr : 0, true);
      return;
    }
    const from = epS < first ? first : epS;
    const to = epE > last ? last : epE;
    const pe = this.partEp;
    const pt = this.partT;
    const pp = this.partP;
    const pb = this.partB;
    const pf = this.partF;
    let n = 0;
    let sumP = 0;
    let sumB = 0;
    let sumF = 0;
    for (let ep = from; ep <= to; ep++) {
      const a = ep * tick > s ? ep * tick : s;
      const z = ep === to ? e : (ep + 1) * tick < e ? (ep + 1) * tick : e;
      const frac = (z - a) / d;
      if (!(frac > 0)) continue;
      const flows = isFlow && (flowEp === ep || (ep === from && flowEp < from && flowEp >= first)) ? sr : 0;
      pe[n] = ep;
      pt[n] = a;
      sumP += pp[n] = P * frac;
      sumB += pb[n] = B * frac;
      sumF += pf[n] = Math.fround(flows);
      n++;
    }
    if (n === 0) {
      // wholly in the future (starts after the window's last bucket): into that bucket, as a sample would
      if (from > to) this.addRow(b, i, to, s, P, B, isFlow ? sr : 0, true);
      return;
    }
    if (n === 1) {
      this.addRow(
        b,
        i,
        pe[0] as number,
        pt[0] as number,
        pp[0] as number,
        pb[0] as number,
        pf[0] as number,
        true,
      );
      return;
    }
    // One row, in the newest part's bucket, with everything inside the window; the oldest part is a
    // reference that takes its share off when its bucket leaves, then decays (parts.ts).
    const newest = pe[n - 1] as number;
    const r = this.addRow(b, i, newest, pt[n - 1] as number, sumP, sumB, sumF, false);
    this.parts.push(
      pe[0] as number,
      ((newest % this.R) + this.R) % this.R,
      r,
      pp[0] as number,
      pb[0] as number,
      pf[0] as number,
      n > 2 ? (pp[1] as number) : 0,
      n > 2 ? (pb[1] as number) : 0,
      newest,
    );
    // Onset: only the parts in the newest buckets are near real time; as when each part was a row, only
    // the record's first part may start a surge.
    if (this.onsetOn) {
      const sets = this.sets;
      for (let k = 0; k < n; k++) {
        if ((pe[k] as number) < this.epoch - 1) continue;
        const t = pt[k] as number;
        if (this.rInH >= 0) sets[0]!.countRecent(this.rInH, pp[k] as number, pb[k] as number, t, k === 0);
        if (this.rOutH >= 0) sets[1]!.countRecent(this.rOutH, pp[k] as number, pb[k] as number, t, k === 0);
      }
    }
  }

  /** Writes record i's row into bucket ep and adds it to its targets; returns the row. */
  private addRow(
    b: FlowBatch,
    i: number,
    ep: number,
    t: number,
    pkts: number,
    bytes: number,
    flows: number,
    onset: boolean,
  ): number {
    const st = this.stores[((ep % this.R) + this.R) % this.R] as RowStore;
    if (st.length === 0) st.epoch = ep;
    const r = st.push();
    const off = i * 4;
    const fam = b.family[i] as number;
    const inH = this.rInH;
    const outH = this.rOutH;
    const inP = this.rInP;
    const outP = this.rOutP;
    const inG = this.rInG;
    const outG = this.rOutG;
    st.inHost[r] = inH;
    st.inPrefix[r] = inP;
    st.inGroup[r] = inG;
    st.outHost[r] = outH;
    st.outPrefix[r] = outP;
    st.outGroup[r] = outG;
    st.exporter[r] = b.exporter[i] as number;
    st.pkts[r] = pkts;
    st.bytes[r] = bytes;
    st.flows[r] = flows;
    st.family[r] = fam;
    st.proto[r] = b.proto[i] as number;
    st.flags[r] = b.tcpFlags[i] as number;
    st.frag[r] = b.fragment[i] as number;
    st.srcPort[r] = b.srcPort[i] as number;
    st.dstPort[r] = b.dstPort[i] as number;
    st.size[r] = this.rSize;
    st.src0[r] = b.srcAddr[off] as number;
    st.src1[r] = fam === 6 ? (b.srcAddr[off + 1] as number) : 0;
    st.dstLow[r] = b.dstAddr[fam === 6 ? off + 3 : off] as number;
    const pc = this.rPc;
    const mask = this.rMask;
    st.pclass[r] = pc;
    st.mask[r] = mask;
    // flows as stored (32-bit float), so that subtracting the row takes away exactly what was added
    const f = st.flows[r] as number;
    const sets = this.sets;
    if (inH >= 0) sets[0]!.add(inH, pkts, bytes, f, pc, mask, 1);
    if (outH >= 0) sets[1]!.add(outH, pkts, bytes, f, pc, mask, 1);
    if (inP >= 0) sets[2]!.add(inP, pkts, bytes, f, pc, mask, 1);
    if (outP >= 0) sets[3]!.add(outP, pkts, bytes, f, pc, mask, 1);
    if (inG >= 0) sets[4]!.add(inG, pkts, bytes, f, pc, mask, 1);
    if (outG >= 0) sets[5]!.add(outG, pkts, bytes, f, pc, mask, 1);
    // Onset estimate (hosts; prefix and group totals stay on the window, so that "one host alone makes
    // the excess" compares like with like): only what falls into the newest buckets is near real time.
    if (onset && ep >= this.epoch - 1 && this.onsetOn) {
      if (inH >= 0) sets[0]!.countRecent(inH, pkts, bytes, t, true);
      if (outH >= 0) sets[1]!.countRecent(outH, pkts, bytes, t, true);
    }
    return r;
  }

  currentSec(t: number): number {
    return Math.floor(t / 1000);
  }

  private expire(firstKept: number): void {
    const sets = this.sets;
    const [s0, s1, s2, s3, s4, s5] = sets as [
      CounterSet,
      CounterSet,
      CounterSet,
      CounterSet,
      CounterSet,
      CounterSet,
    ];
    // Parts first: their rows may sit in buckets that leave in this same call.
    this.parts.expire(firstKept);
    for (const st of this.stores) {
      if (st.length === 0 || st.epoch >= firstKept) continue;
      for (let r = 0; r < st.length; r++) {
        const p = st.pkts[r] as number;
        const b = st.bytes[r] as number;
        const f = st.flows[r] as number;
        const pc = st.pclass[r] as number;
        const m = st.mask[r] as number;
        let id = st.inHost[r] as number;
        if (id >= 0) s0.add(id, p, b, f, pc, m, -1);
        id = st.outHost[r] as number;
        if (id >= 0) s1.add(id, p, b, f, pc, m, -1);
        id = st.inPrefix[r] as number;
        if (id >= 0) s2.add(id, p, b, f, pc, m, -1);
        id = st.outPrefix[r] as number;
        if (id >= 0) s3.add(id, p, b, f, pc, m, -1);
        id = st.inGroup[r] as number;
        if (id >= 0) s4.add(id, p, b, f, pc, m, -1);
        id = st.outGroup[r] as number;
        if (id >= 0) s5.add(id, p, b, f, pc, m, -1);
      }
      st.clear(1024);
    }
  }

  groupOf(si: number, id: number): GroupPolicy {
    const set = this.sets[si] as CounterSet;
    if (si < 2) return (this.policies.hostPolicies[set.policy[id] as number] as { group: GroupPolicy }).group;
    return this.policies.groups[set.policy[id] as number] as GroupPolicy;
  }

  targetText(set: CounterSet, id: number): string {
    const fam = set.table.family[id] as Family;
    const si = this.sets.indexOf(set);
    const len =
      si < 2 ? (fam === 4 ? 32 : 128) : fam === 4 ? this.cfg.prefixLengths.v4 : this.cfg.prefixLengths.v6;
    return formatPrefix(prefixFromWords(fam, set.table.keys, id * 4, len));
  }

  /** Moves the window to `now`: buckets that left it are subtracted. */
  advance(now: number): void {
    const E = Math.floor(now / this.tickMs);
    if (this.epoch === Number.NEGATIVE_INFINITY || E > this.epoch) this.epoch = E;
    this.expire(this.epoch - this.W);
  }

  /** Evicts idle targets every 10 s, or at once when a table was full. */
  maybeEvict(now: number, sec: number): void {
    this.targets.maybeEvict(now, sec);
  }

  /** Rows held in the window's buckets. */
  rowCount(): number {
    let rows = 0;
    for (const st of this.stores) rows += st.length;
    return rows;
  }
}
