// The counting window: FlowBatch records into sliding-window sums per host, per /24 (/64) and per host
// group in both directions (the detector's ingest path). A record spanning several buckets is spread
// evenly over them, and only its part inside the window counts (spread.ts). Each bucket keeps one aggregate per
// target it touched (buckets.ts), taken off the sums when the bucket leaves the window; records of
// targets near a threshold also keep a row (rows.ts, rowgate.ts) for the signature builder. Pure: time
// comes in as record timestamps and as `now` in advance().

import type { Direction } from '../domain/attack.js';
import type { FlowBatch } from '../flow/batch.js';
import { type Family, formatPrefix, prefixFromWords } from '../net/index.js';
import { BucketSums, typedArrayBytes } from './buckets.js';
import type { DetectionConfig } from './config.js';
import { contributionMask as contributionMaskFn } from './contribution.js';
import { CounterSet, HOST_WIDTH } from './counters.js';
import { protoClass as protoClassFn } from './metrics.js';
import { RowParts } from './parts.js';
import { type GroupPolicy, Policies } from './policy.js';
import { RowGate } from './rowgate.js';
import { RowStore } from './rows.js';
import { A_FIRST, A_STEP, A_TOT, RecordSpread, ringSlot as ringSlotFn } from './spread.js';
import { TargetIndex } from './targets.js';

// Local copies: under tsx (npm start, the benches) every use of an imported function is a getter call.
const contributionMask = contributionMaskFn;
const protoClass = protoClassFn;
const ringSlot = ringSlotFn;

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
  /** Per set: each bucket's aggregate per target, taken off the sums when the bucket leaves. */
  readonly buckets: BucketSums[];
  /** The window's rows, a ring of R = W + 2 buckets (one ahead for records from the near future, one behind). */
  readonly stores: RowStore[];
  /** Which records keep rows. */
  readonly gate: RowGate;
  readonly tickMs: number;
  /** Buckets in the window. */
  readonly W: number;
  readonly R: number;
  /** Window length in seconds (sums / winSec = rates). */
  readonly winSec: number;
  /** Current bucket (time / tick); written by ingest (first record) and advance(). */
  epoch = Number.NEGATIVE_INFINITY;
  /** Ring slot of the current bucket (epoch mod R, kept so that records need no modulo of an epoch). */
  private epochSlot = 0;
  /** The oldest bucket not yet taken off the sums. */
  private nextExpire = Number.NEGATIVE_INFINITY;
  private readonly dropLate: boolean;
  /** Names of the exporters of the batch being counted, by batch.exporter index. */
  exporterNames: readonly string[] = [];
  /** Scratch words (masks, parsed addresses). */
  readonly maskW = new Uint32Array(4);
  readonly stats: CountStats = { records: 0, notOurs: 0, late: 0, invalid: 0, untracked: 0 };
  private readonly onsetOn: boolean;
  // The record being counted: its target per set (-1: none; index as `sets`), protocol class and
  // contribution mask.
  private readonly tg = new Int32Array(6);
  private rPc = 0;
  private rMask = 0;
  /** The parts of a record spanning several buckets (spread.ts). */
  private readonly spread: RecordSpread;
  /** Finds or adds a record's targets, evicts idle ones (targets.ts). */
  private readonly targets: TargetIndex;
  /** Older parts of the rows of multi-bucket records (parts.ts). */
  private readonly parts: RowParts;

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
    this.spread = new RecordSpread(this.R);
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
    this.buckets = this.sets.map((set) => new BucketSums(set.width, this.R, set.table.capacity));
    this.parts = new RowParts(this.stores);
    this.gate = new RowGate(cfg, this.policies, this.winSec);
    this.targets = new TargetIndex(cfg, this.policies, this.sets, this.stats, this.gate);
    for (let si = 4; si < 6; si++)
      for (const g of this.policies.groups) {
        const set = this.sets[si] as CounterSet;
        const id = set.insert(4, g.index, 0, 0, 0, g.index, 0, g.mode === 'p99');
        this.gate.init(si, set, id);
      }
  }

  /** Counts a batch of records. `exporterNames[batch.exporter[i]]` names the node of record i. */
  ingest(batch: FlowBatch, exporterNames: readonly string[], from = 0, to = batch.length): void {
    this.exporterNames = exporterNames;
    this.targets.forget();
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
    if (this.epoch === Number.NEGATIVE_INFINITY) this.setEpoch(Math.floor(e / this.tickMs));
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
    const tg = this.tg;
    const tx = this.targets;
    tx.now = e;
    const inH = tx.hostFor(0, fam as Family, b.dstAddr, off);
    const outH = tx.hostFor(1, fam as Family, b.srcAddr, off);
    if (inH < 0 && outH < 0) {
      this.stats.notOurs++;
      return;
    }
    tg[0] = inH;
    tg[1] = outH;
    tg[2] = inH >= 0 ? tx.prefixFor(0, inH, fam, b.dstAddr, off) : -1;
    tg[3] = outH >= 0 ? tx.prefixFor(1, outH, fam, b.srcAddr, off) : -1;
    // group by host policy: a typed array kept by Policies as host policies are made
    const hg = this.policies.hostGroupIndex;
    tg[4] = inH >= 0 ? (hg[this.sets[0]!.policy[inH] as number] as number) : -1;
    tg[5] = outH >= 0 ? (hg[this.sets[1]!.policy[outH] as number] as number) : -1;

    const proto = b.proto[i] as number;
    const avg = (b.bytes[i] as number) / pk;
    const size = avg > 65535 ? 65535 : Math.round(avg);
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
    // the bucket the record starts in, which is also where a flow record's one new flow is counted
    const epS = Math.floor(s / tick);
    const sp = this.spread;
    if (e - s <= 0 || epS === epE) {
      sp.one(epE > last ? last : epE, s, P, B, isFlow && epS >= first ? sr : 0);
      this.countOne(b, i, size);
      return;
    }
    const from = epS < first ? first : epS;
    const to = epE > last ? last : epE;
    const n = sp.split(s, e, epS, from, to, first, tick, P, B, sr, isFlow);
    if (n === 0) {
      // wholly in the future (starts after the window's last bucket): into that bucket, as a sample would
      if (from > to) {
        sp.one(to, s, P, B, isFlow ? sr : 0);
        this.countOne(b, i, size);
      }
      return;
    }
    if (n === 1) this.countOne(b, i, size);
    else this.countParts(b, i, n, size);
  }

  /**
   * Counts a record that falls into one bucket (or its one part inside the window): part 0 of the spread
   * (bucket, start time, amounts; scratch columns rather than arguments, so that no double is boxed).
   */
  private countOne(b: FlowBatch, i: number, size: number): void {
    const sp = this.spread;
    const ep = sp.ep[0] as number;
    const amt = sp.amt;
    amt[A_FIRST] = sp.p[0] as number;
    amt[A_FIRST + 1] = sp.b[0] as number;
    amt[A_FIRST + 2] = sp.f[0] as number;
    const E = this.epoch;
    const k = this.slotAt((ep - E) | 0);
    const tg = this.tg;
    const pc = this.rPc;
    const mask = this.rMask;
    const gate = this.gate;
    let want = gate.all;
    for (let si = 0; si < 6; si++) {
      const id = tg[si] as number;
      if (id < 0) continue;
      const set = this.sets[si] as CounterSet;
      (this.buckets[si] as BucketSums).count(set, k, id, amt, pc, mask);
      // the record keeps a row when any of its targets wants rows (rowgate.ts), its own sums counted
      if (!want && gate.wants(set, id)) want = true;
    }
    if (want) this.rowStore(k, ep).write(b, i, tg, sp.p[0]!, sp.b[0]!, sp.f[0]!, size, pc, mask);
    // Onset estimate (hosts; prefix and group totals stay on the window, so that "one host alone makes
    // the excess" compares like with like): only what falls into the newest buckets is near real time.
    if (this.onsetOn && ep >= this.epoch - 1) {
      if (tg[0]! >= 0) this.sets[0]!.countRecent(tg[0]!, sp.p, sp.b, sp.t, 0, true);
      if (tg[1]! >= 0) this.sets[1]!.countRecent(tg[1]!, sp.p, sp.b, sp.t, 0, true);
    }
  }

  /**
   * Counts a record whose n ≥ 2 parts (this.part*) span consecutive buckets. The sums get the whole
   * amount inside the window now; the first part leaves with its bucket, the equal middle parts through
   * the targets' decay (started when the first part's bucket leaves, ended after the last middle
   * part's), the last part with its own bucket, and the record's count with it.
   */
  private countParts(b: FlowBatch, i: number, n: number, size: number): void {
    const sp = this.spread;
    const pe = sp.ep;
    const pp = sp.p;
    const pb = sp.b;
    const pf = sp.f;
    const newest = pe[n - 1] as number;
    const E = this.epoch;
    const k0 = this.slotAt(((pe[0] as number) - E) | 0);
    const kLast = this.slotAt((newest - E) | 0);
    const kStop = this.slotAt(((pe[n - 2] as number) - E) | 0);
    const amt = sp.amounts(n);
    const tg = this.tg;
    const pc = this.rPc;
    const mask = this.rMask;
    const gate = this.gate;
    let want = gate.all;
    for (let si = 0; si < 6; si++) {
      const id = tg[si] as number;
      if (id < 0) continue;
      const set = this.sets[si] as CounterSet;
      (this.buckets[si] as BucketSums).countParts(set, id, k0, kLast, kStop, amt, n, pc, mask);
      if (!want && gate.wants(set, id)) want = true;
    }
    // One row, in the newest part's bucket, with everything inside the window; a reference takes the
    // older parts off it as their buckets leave (parts.ts).
    if (want) {
      const r = this.rowStore(kLast, newest).write(
        b,
        i,
        tg,
        amt[A_TOT]!,
        amt[A_TOT + 1]!,
        amt[A_TOT + 2]!,
        size,
        pc,
        mask,
      );
      this.parts.push(
        pe[0] as number,
        kLast,
        r,
        pp[0] as number,
        pb[0] as number,
        pf[0] as number,
        amt[A_STEP] as number,
        amt[A_STEP + 1] as number,
        newest,
      );
    }
    // Onset: only the parts in the newest buckets are near real time; as when each part was a row, only
    // the record's first part may start a surge.
    if (this.onsetOn) {
      const sets = this.sets;
      const pt = sp.t;
      for (let k = 0; k < n; k++) {
        if ((pe[k] as number) < this.epoch - 1) continue;
        if (tg[0]! >= 0) sets[0]!.countRecent(tg[0]!, pp, pb, pt, k, k === 0);
        if (tg[1]! >= 0) sets[1]!.countRecent(tg[1]!, pp, pb, pt, k, k === 0);
      }
    }
  }

  /**
   * Ring slot of the bucket d buckets from the current one (|d| < R: a record's buckets are within the
   * window). Per record the offset is passed, not the epoch: a double argument is boxed when not inlined.
   */
  private slotAt(d: number): number {
    const k = this.epochSlot + d;
    return k < 0 ? k + this.R : k >= this.R ? k - this.R : k;
  }

  /** The row store of bucket ep, at ring slot k (the caller has it already). */
  private rowStore(k: number, ep: number): RowStore {
    const st = this.stores[k] as RowStore;
    if (st.length === 0) st.epoch = ep;
    return st;
  }

  private setEpoch(E: number): void {
    if (this.epoch === Number.NEGATIVE_INFINITY) this.nextExpire = E - this.W;
    this.epoch = E;
    this.epochSlot = ((E % this.R) + this.R) % this.R;
  }

  currentSec(t: number): number {
    return Math.floor(t / 1000);
  }

  /** The buckets before firstKept leave the window, oldest first. */
  private expire(firstKept: number): void {
    // Row parts first: their rows may sit in buckets that leave in this same call.
    this.parts.expire(firstKept);
    const sets = this.sets;
    for (let x = this.nextExpire; x < firstKept; x++) {
      let idle = true;
      for (let si = 0; si < 6; si++)
        if (this.buckets[si]!.entries > 0 || sets[si]!.decayingCount > 0) idle = false;
      if (idle) break; // nothing left in the window (e.g. after a long pause)
      const k = ringSlot(x, this.epoch, this.epochSlot, this.R);
      for (let si = 0; si < 6; si++) {
        const set = sets[si] as CounterSet;
        // the bucket's middle parts first (records whose decay started in an earlier bucket)
        if (set.decayingCount > 0) set.applyDecay();
        (this.buckets[si] as BucketSums).drain(k, set);
      }
    }
    if (firstKept > this.nextExpire) this.nextExpire = firstKept;
    for (const st of this.stores) if (st.length > 0 && st.epoch < firstKept) st.clear(1024);
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
    // Records pending beside the sums go into their bucket entries first: ring slots stand for one
    // bucket each only while the window stays put, and a bucket leaving takes its entries with it.
    for (let si = 0; si < 6; si++) this.buckets[si]!.flush(this.sets[si]!);
    const E = Math.floor(now / this.tickMs);
    if (this.epoch === Number.NEGATIVE_INFINITY || E > this.epoch) this.setEpoch(E);
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

  /** Bytes of the window's buckets: rows, row part references and per-target aggregates (bench). */
  bucketBytes(): number {
    return typedArrayBytes([this.stores, this.parts, this.buckets]);
  }
}
