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
import { PartRefs, RowStore } from './rows.js';

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
  private lastEvictSec = 0;
  private needEvict = false;
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
  /** Older parts of the rows of multi-bucket records (rows.ts PartRefs). */
  private readonly parts = new PartRefs();
  /** The next bucket whose parts leave, and the newest row bucket of any part reference. */
  private partsFrom = Number.POSITIVE_INFINITY;
  private maxRowEp = Number.NEGATIVE_INFINITY;

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
    const inH = this.hostFor(0, fam as Family, b.dstAddr, off, e);
    const outH = this.hostFor(1, fam as Family, b.srcAddr, off, e);
    if (inH < 0 && outH < 0) {
      this.stats.notOurs++;
      return;
    }
    const inP = inH >= 0 ? this.prefixFor(0, inH, fam, b.dstAddr, off, e) : -1;
    const outP = outH >= 0 ? this.prefixFor(1, outH, fam, b.srcAddr, off, e) : -1;
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
    // reference that takes its share off when its bucket leaves, then moves on (rows.ts PartRefs).
    const newest = pe[n - 1] as number;
    const r = this.addRow(b, i, newest, pt[n - 1] as number, sumP, sumB, sumF, false);
    this.pushPart(
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

  /** Files the older parts of the row at (store, r): the first (p, b, f) leaves with bucket ep. */
  private pushPart(
    ep: number,
    store: number,
    r: number,
    p: number,
    b: number,
    f: number,
    stepP: number,
    stepB: number,
    rowEp: number,
  ): void {
    const refs = this.parts;
    const q = refs.push();
    refs.store[q] = store;
    refs.row[q] = r;
    refs.pkts[q] = p;
    refs.bytes[q] = b;
    refs.flows[q] = f;
    refs.nextEp[q] = ep;
    refs.stepP[q] = stepP;
    refs.stepB[q] = stepB;
    refs.rowEp[q] = rowEp;
    refs.phase[q] = 0;
    if (rowEp > this.maxRowEp) this.maxRowEp = rowEp;
    if (ep < this.partsFrom) this.partsFrom = ep;
  }

  /**
   * Bucket x leaves the window: every decaying target loses its records' middle-part shares; a record
   * whose first part was in x starts decaying (its first part is taken off); one whose last middle part
   * was in x stops (only its row's own part is left, taken off with the row's bucket).
   */
  private expireParts(x: number): void {
    const sets = this.sets;
    for (let si = 0; si < 6; si++) if ((sets[si] as CounterSet).decayingCount > 0) sets[si]!.applyDecay();
    const refs = this.parts;
    let keep = 0;
    for (let q = 0; q < refs.length; q++) {
      const rs = this.stores[refs.store[q] as number] as RowStore;
      const r = refs.row[q] as number;
      const last = (refs.rowEp[q] as number) - 1;
      if (refs.phase[q] === 0) {
        if (refs.nextEp[q] === x) {
          this.takePart(rs, r, refs.pkts[q] as number, refs.bytes[q] as number, refs.flows[q] as number);
          if (x >= last) continue; // no middle parts: only the row's own part is left
          this.decayRow(rs, r, refs.stepP[q] as number, refs.stepB[q] as number, 1);
          refs.phase[q] = 1;
        }
      } else {
        // the decay took middle part x off the sums: keep the row's amount what is left in the window
        rs.pkts[r] = (rs.pkts[r] as number) - (refs.stepP[q] as number);
        rs.bytes[r] = (rs.bytes[r] as number) - (refs.stepB[q] as number);
        if (x >= last) {
          this.decayRow(rs, r, refs.stepP[q] as number, refs.stepB[q] as number, -1);
          continue;
        }
      }
      if (keep !== q) refs.move(q, keep);
      keep++;
    }
    refs.truncate(keep);
  }

  /** Adds (sign 1) or removes (sign -1) row r's per-bucket share to its targets' decay. */
  private decayRow(rs: RowStore, r: number, p: number, b: number, sign: number): void {
    const sets = this.sets;
    const pc = rs.pclass[r] as number;
    const m = rs.mask[r] as number;
    let id = rs.inHost[r] as number;
    if (id >= 0) sets[0]!.decayAdd(id, p, b, pc, m, sign);
    id = rs.outHost[r] as number;
    if (id >= 0) sets[1]!.decayAdd(id, p, b, pc, m, sign);
    id = rs.inPrefix[r] as number;
    if (id >= 0) sets[2]!.decayAdd(id, p, b, pc, m, sign);
    id = rs.outPrefix[r] as number;
    if (id >= 0) sets[3]!.decayAdd(id, p, b, pc, m, sign);
    id = rs.inGroup[r] as number;
    if (id >= 0) sets[4]!.decayAdd(id, p, b, pc, m, sign);
    id = rs.outGroup[r] as number;
    if (id >= 0) sets[5]!.decayAdd(id, p, b, pc, m, sign);
  }

  /** Takes one part (p, b, f) of row r off its targets' sums and off the row. */
  private takePart(rs: RowStore, r: number, p: number, b: number, f: number): void {
    const sets = this.sets;
    const pc = rs.pclass[r] as number;
    const m = rs.mask[r] as number;
    let id = rs.inHost[r] as number;
    if (id >= 0) sets[0]!.addPart(id, -p, -b, -f, pc, m);
    id = rs.outHost[r] as number;
    if (id >= 0) sets[1]!.addPart(id, -p, -b, -f, pc, m);
    id = rs.inPrefix[r] as number;
    if (id >= 0) sets[2]!.addPart(id, -p, -b, -f, pc, m);
    id = rs.outPrefix[r] as number;
    if (id >= 0) sets[3]!.addPart(id, -p, -b, -f, pc, m);
    id = rs.inGroup[r] as number;
    if (id >= 0) sets[4]!.addPart(id, -p, -b, -f, pc, m);
    id = rs.outGroup[r] as number;
    if (id >= 0) sets[5]!.addPart(id, -p, -b, -f, pc, m);
    rs.pkts[r] = (rs.pkts[r] as number) - p;
    rs.bytes[r] = (rs.bytes[r] as number) - b;
    rs.flows[r] = (rs.flows[r] as number) - f;
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

  private hostFor(d: number, fam: Family, words: Uint32Array, off: number, t: number): number {
    const set = this.sets[d] as CounterSet;
    let id = set.table.find(fam, words, off);
    if (id < 0) {
      if (!this.policies.isOurs(fam, words, off)) return -1;
      const pol = this.policies.hostPolicyOf(fam, words, off);
      const g = (this.policies.hostPolicies[pol] as { group: GroupPolicy }).group;
      const w0 = words[off] as number;
      const v6 = fam === 6;
      id = set.insert(
        fam,
        w0,
        v6 ? (words[off + 1] as number) : 0,
        v6 ? (words[off + 2] as number) : 0,
        v6 ? (words[off + 3] as number) : 0,
        pol,
        this.currentSec(t),
        g.mode === 'p99',
      );
      if (id < 0) {
        this.stats.untracked++;
        this.needEvict = true;
        return -1;
      }
    }
    set.lastSeen[id] = t;
    return id;
  }

  private prefixFor(
    d: number,
    hostId: number,
    fam: number,
    words: Uint32Array,
    off: number,
    t: number,
  ): number {
    const hosts = this.sets[d] as CounterSet;
    const prefixes = this.sets[2 + d] as CounterSet;
    const cached = hosts.prefixId[hostId] as number;
    if (
      cached >= 0 &&
      prefixes.gen[cached] === hosts.prefixGen[hostId] &&
      prefixes.table.family[cached] === fam
    ) {
      prefixes.lastSeen[cached] = t;
      return cached;
    }
    const len = fam === 4 ? this.cfg.prefixLengths.v4 : this.cfg.prefixLengths.v6;
    const m = this.maskW;
    for (let k = 0; k < 4; k++) {
      const bits = len - k * 32;
      const w = fam === 4 && k > 0 ? 0 : (words[off + k] as number);
      m[k] = bits >= 32 ? w : bits <= 0 ? 0 : (w & (-1 << (32 - bits))) >>> 0;
    }
    let id = prefixes.table.findWords(fam, m[0] as number, m[1] as number, m[2] as number, m[3] as number);
    if (id < 0) {
      const g = (this.policies.hostPolicies[hosts.policy[hostId] as number] as { group: GroupPolicy }).group;
      id = prefixes.insert(
        fam,
        m[0] as number,
        m[1] as number,
        m[2] as number,
        m[3] as number,
        g.index,
        this.currentSec(t),
        g.mode === 'p99',
      );
      if (id < 0) {
        this.needEvict = true;
        return -1;
      }
    }
    hosts.prefixId[hostId] = id;
    hosts.prefixGen[hostId] = prefixes.gen[id] as number;
    prefixes.lastSeen[id] = t;
    return id;
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
    // Parts first, bucket by bucket: their rows may sit in buckets that leave in this same call.
    if (this.parts.length > 0) {
      const stop = Math.min(firstKept, this.maxRowEp);
      for (let x = this.partsFrom; x < stop; x++) this.expireParts(x);
    }
    this.partsFrom = Math.max(this.partsFrom, firstKept);
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

  private evict(now: number, sec: number): void {
    this.lastEvictSec = sec;
    const idleBefore = now - this.cfg.idleEvictSeconds * 1000;
    for (let si = 0; si < 4; si++) {
      const set = this.sets[si] as CounterSet;
      set.evictIdle(idleBefore);
      // Still full: make room by evicting any target without traffic in the window.
      if (this.needEvict && set.size >= set.table.maxEntries)
        set.evictIdle(now - this.cfg.window, set.table.maxEntries / 8);
    }
    this.needEvict = false;
  }
  /** Moves the window to `now`: buckets that left it are subtracted. */
  advance(now: number): void {
    const E = Math.floor(now / this.tickMs);
    if (this.epoch === Number.NEGATIVE_INFINITY || E > this.epoch) this.epoch = E;
    this.expire(this.epoch - this.W);
  }

  /** Evicts idle targets every 10 s, or at once when a table was full. */
  maybeEvict(now: number, sec: number): void {
    if (this.needEvict || sec - this.lastEvictSec >= 10) this.evict(now, sec);
  }

  /** Rows held in the window's buckets. */
  rowCount(): number {
    let rows = 0;
    for (const st of this.stores) rows += st.length;
    return rows;
  }
}
