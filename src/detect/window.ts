// The counting window: FlowBatch records into sliding-window sums per host, per /24 (/64) and per host
// group in both directions (the detector's ingest path). A record spanning several buckets is spread
// evenly over them, and only its part inside the window counts; each bucket keeps its records as rows
// (rows.ts) so the signature builder can read them and the bucket can be subtracted when it leaves the
// window. Pure: time comes in as record timestamps and as `now` in advance().

import type { Direction } from '../domain/attack.js';
import type { FlowBatch } from '../flow/batch.js';
import { type Family, formatPrefix, prefixFromWords } from '../net/index.js';
import type { DetectionConfig } from './config.js';
import { CounterSet, HOST_WIDTH } from './counters.js';
import { type GroupPolicy, Policies } from './policy.js';
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
  private lastEvictSec = 0;
  private needEvict = false;
  private readonly dropLate: boolean;
  /** Names of the exporters of the batch being counted, by batch.exporter index. */
  exporterNames: readonly string[] = [];
  /** Scratch words (masks, parsed addresses). */
  readonly maskW = new Uint32Array(4);
  readonly stats: CountStats = { records: 0, notOurs: 0, late: 0, invalid: 0, untracked: 0 };

  constructor(
    readonly cfg: DetectionConfig,
    initialCapacity = 4096,
  ) {
    this.policies = new Policies(cfg);
    this.dropLate = cfg.lateRecords === 'drop';
    this.tickMs = cfg.tick;
    this.W = Math.max(1, Math.round(cfg.window / cfg.tick));
    this.R = this.W + 2;
    this.winSec = (this.W * this.tickMs) / 1000;
    this.stores = Array.from({ length: this.R }, () => new RowStore(1024));
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
      this.addRow(b, i, ep, s, P, B, isFlow && flowEp >= first ? sr : 0, inH, inP, inG, outH, outP, outG);
      return;
    }
    const from = epS < first ? first : epS;
    const to = epE > last ? last : epE;
    for (let ep = from; ep <= to; ep++) {
      const a = ep * tick > s ? ep * tick : s;
      const z = ep === to ? e : (ep + 1) * tick < e ? (ep + 1) * tick : e;
      const frac = (z - a) / d;
      if (!(frac > 0)) continue;
      const flows = isFlow && (flowEp === ep || (ep === from && flowEp < from && flowEp >= first)) ? sr : 0;
      this.addRow(b, i, ep, a, P * frac, B * frac, flows, inH, inP, inG, outH, outP, outG);
    }
  }

  private addRow(
    b: FlowBatch,
    i: number,
    ep: number,
    t: number,
    pkts: number,
    bytes: number,
    flows: number,
    inH: number,
    inP: number,
    inG: number,
    outH: number,
    outP: number,
    outG: number,
  ): void {
    const st = this.stores[((ep % this.R) + this.R) % this.R] as RowStore;
    if (st.length === 0) st.epoch = ep;
    const r = st.push();
    const off = i * 4;
    const fam = b.family[i] as number;
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
    const avg = (b.bytes[i] as number) / (b.packets[i] as number);
    st.size[r] = avg > 65535 ? 65535 : Math.round(avg);
    st.src0[r] = b.srcAddr[off] as number;
    st.src1[r] = fam === 6 ? (b.srcAddr[off + 1] as number) : 0;
    st.dstLow[r] = b.dstAddr[fam === 6 ? off + 3 : off] as number;
    const sets = this.sets;
    if (inH >= 0) sets[0]!.apply(inH, st, r, 1);
    if (outH >= 0) sets[1]!.apply(outH, st, r, 1);
    if (inP >= 0) sets[2]!.apply(inP, st, r, 1);
    if (outP >= 0) sets[3]!.apply(outP, st, r, 1);
    if (inG >= 0) sets[4]!.apply(inG, st, r, 1);
    if (outG >= 0) sets[5]!.apply(outG, st, r, 1);
    // Onset estimate (hosts; prefix and group totals stay on the window, so that "one host alone makes
    // the excess" compares like with like): only what falls into the newest buckets is near real time.
    if (ep >= this.epoch - 1 && this.cfg.onset.enabled) {
      if (inH >= 0) sets[0]!.countRecent(inH, pkts, bytes, t);
      if (outH >= 0) sets[1]!.countRecent(outH, pkts, bytes, t);
    }
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
    for (const st of this.stores) {
      if (st.length === 0 || st.epoch >= firstKept) continue;
      const sets = this.sets;
      for (let r = 0; r < st.length; r++) {
        let id = st.inHost[r] as number;
        if (id >= 0) sets[0]!.apply(id, st, r, -1);
        id = st.outHost[r] as number;
        if (id >= 0) sets[1]!.apply(id, st, r, -1);
        id = st.inPrefix[r] as number;
        if (id >= 0) sets[2]!.apply(id, st, r, -1);
        id = st.outPrefix[r] as number;
        if (id >= 0) sets[3]!.apply(id, st, r, -1);
        id = st.inGroup[r] as number;
        if (id >= 0) sets[4]!.apply(id, st, r, -1);
        id = st.outGroup[r] as number;
        if (id >= 0) sets[5]!.apply(id, st, r, -1);
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
