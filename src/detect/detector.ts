// The detection core: counts FlowBatch records into sliding-window sums per host, per /24 (/64) and
// per host group in both directions, and on each tick compares them with static thresholds or learned
// baselines, names the attack, describes it and runs its lifecycle. Pure: time comes in as `now` and
// as record timestamps; no timers, no I/O. A record spanning several buckets is spread evenly over
// them, and only its part inside the window counts. Each event names a node (exporter) and carries
// that node's share; at the onset of a surge pps and bps are read over its own elapsed time (the window
// still holds the calm before it); per mitigated target the traffic no rule covers is measured for the
// engine's collateral-damage rollback (collateral.ts).

import type { AttackEvent, Direction } from '../domain/attack.js';
import type { FlowBatch } from '../flow/batch.js';
import type { FlowSpecMatch } from '../flowspec/types.js';
import {
  type Family,
  formatPrefix,
  ipToWords,
  parsePrefix,
  prefixFromWords,
  tryParsePrefix,
} from '../net/index.js';
import type { BaselineSnapshot } from './baseline.js';
import { classify } from './classify.js';
import type { DetectionConfig } from './config.js';
import { type RowPredicate, matchPredicate, signaturePredicate } from './collateral.js';
import {
  CounterSet,
  HOST_WIDTH,
  O_CALM_AT,
  O_CALM_B,
  O_CALM_BPS,
  O_CALM_N,
  O_CALM_P,
  O_CUM_N,
  O_CUM_B,
  O_CUM_P,
  ONSET_WIDTH,
} from './counters.js';
import {
  type LifecycleParams,
  type NodeShare,
  type Observation,
  type OpenAttack,
  observeAbove,
  observeBelow,
  onsetGrowth,
  openAttack,
} from './lifecycle.js';
import {
  BASE_COLUMN,
  BASE_COUNT,
  BASE_IS_BITS,
  BASE_KEYS,
  BASE_SCALE,
  LIMIT_COLUMN,
  LIMIT_COUNT,
  LIMIT_KEYS,
  LIMIT_SCALE,
} from './metrics.js';
import { type GroupPolicy, Policies } from './policy.js';
import { RowStore } from './rows.js';
import { type RowColumn, type TrafficProfile, buildProfile } from './signature.js';

export const LEVELS = ['host', 'prefix', 'group'] as const;
export type Level = (typeof LEVELS)[number];
const DIRECTIONS: readonly Direction[] = ['incoming', 'outgoing'];
const COLUMN: readonly RowColumn[] = ['inHost', 'outHost', 'inPrefix', 'outPrefix', 'inGroup', 'outGroup'];

/** LIMIT index → BASE index (-1 when that limit has no baseline). */
const LIMIT_TO_BASE = LIMIT_KEYS.map((k) => (BASE_KEYS as readonly string[]).indexOf(k));
const OTHER_BASE = BASE_KEYS.indexOf('otherPps');
/** Weight of each calm tick's window rate in what a target receives while calm. */
const CALM_EWMA = 0.2;

export interface DetectorOptions {
  /** Node name used when a record's exporter has no name. */
  readonly node?: string;
  /** Initial table capacity (grows to maxHosts / maxPrefixes). */
  readonly initialCapacity?: number;
}

export interface DetectorStats {
  records: number;
  notOurs: number;
  late: number;
  invalid: number;
  untracked: number;
  rows: number;
  hostsIn: number;
  hostsOut: number;
  prefixesIn: number;
  prefixesOut: number;
  evictions: number;
  openAttacks: number;
}

export interface BaselineBlob {
  readonly version: 1;
  /** Per counter set (`host.incoming` …): target prefix text → baseline. */
  readonly sets: Record<string, Record<string, BaselineSnapshot>>;
}

/** One target's current rate and learned normal (see Detector.traffic). */
export interface TrafficSample {
  readonly target: string;
  readonly level: Level;
  readonly direction: Direction;
  readonly mode: GroupPolicy['mode'];
  readonly pps: number;
  readonly bps: number;
  readonly baselinePps?: number;
  readonly baselineBps?: number;
}

/** Legitimate traffic towards a target under attack or mitigation, as the engine's `legit-traffic` input. */
export interface LegitReport {
  readonly target: string;
  /** Bits/s of the target's traffic that no active rule covers (no rule yet: that the attack's signature does not describe). */
  readonly bps: number;
}

interface Crossing {
  /** > 0: the rate is the onset estimate over this many ms since the target was last calm. */
  onsetMs: number;
  /** Onset estimates of pps and bps (-1: none). */
  estPps: number;
  estBps: number;
  ratio: number;
  limit: number;
  rate: number;
  source: string;
}

const fmt = (n: number) =>
  n >= 1e9
    ? `${(n / 1e9).toFixed(2)}G`
    : n >= 1e6
      ? `${(n / 1e6).toFixed(2)}M`
      : n >= 1e3
        ? `${(n / 1e3).toFixed(1)}k`
        : n.toFixed(0);

export class Detector {
  readonly policies: Policies;
  /** Index = level * 2 + direction: host in/out, prefix in/out, group in/out. */
  readonly sets: CounterSet[];
  private readonly stores: RowStore[];
  private readonly tickMs: number;
  private readonly W: number;
  private readonly R: number;
  private readonly winSec: number;
  private epoch = Number.NEGATIVE_INFINITY;
  private lastSampleSec = Number.NEGATIVE_INFINITY;
  private lastEvictSec = 0;
  private needEvict = false;
  private readonly dropLate: boolean;
  private exporterNames: readonly string[] = [];
  private readonly attacks = new Map<number, OpenAttack>();
  private readonly prefixRecheck = new Map<number, number>();
  private readonly life: LifecycleParams;
  private readonly scratchBase = new Float64Array(BASE_COUNT);
  private readonly maskW = new Uint32Array(4);
  /** Onset estimate of the target last asked (pps, bps). */
  private readonly est = new Float64Array(2);
  /** Active discarding rules' matches by target, set by the engine side (setMitigations). */
  private mitigations = new Map<string, RowPredicate[]>();
  private readonly stats_: Omit<
    DetectorStats,
    'hostsIn' | 'hostsOut' | 'prefixesIn' | 'prefixesOut' | 'evictions' | 'openAttacks' | 'rows'
  > = {
    records: 0,
    notOurs: 0,
    late: 0,
    invalid: 0,
    untracked: 0,
  };

  constructor(
    readonly cfg: DetectionConfig,
    private readonly opts: DetectorOptions = {},
  ) {
    this.policies = new Policies(cfg);
    this.dropLate = cfg.lateRecords === 'drop';
    this.tickMs = cfg.tick;
    this.W = Math.max(1, Math.round(cfg.window / cfg.tick));
    this.R = this.W + 2;
    this.winSec = (this.W * this.tickMs) / 1000;
    this.life = {
      quietMs: cfg.quietPeriod * 1000,
      updateMs: cfg.updateInterval * 1000,
      onsetMs: cfg.window,
    };
    this.stores = Array.from({ length: this.R }, () => new RowStore(1024));
    const bp = cfg.dynamic;
    const init = opts.initialCapacity ?? 4096;
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

  // ---------------------------------------------------------------- ingest (hot path)

  /** Counts a batch of records. `exporterNames[batch.exporter[i]]` names the node of record i. */
  ingest(batch: FlowBatch, exporterNames: readonly string[], from = 0, to = batch.length): void {
    this.exporterNames = exporterNames;
    for (let i = from; i < to; i++) this.ingestOne(batch, i);
  }

  /** Tick length in ms. */
  get tickLength(): number {
    return this.tickMs;
  }

  get openAttackCount(): number {
    return this.attacks.size;
  }

  private ingestOne(b: FlowBatch, i: number): void {
    this.stats_.records++;
    const fam = b.family[i] as number;
    const pk = b.packets[i] as number;
    if ((fam !== 4 && fam !== 6) || !(pk > 0) || !((b.bytes[i] as number) >= 0)) {
      this.stats_.invalid++;
      return;
    }
    let s = b.startMs[i] as number;
    let e = b.endMs[i] as number;
    if (!(s <= e)) s = e;
    if (!Number.isFinite(e)) {
      this.stats_.invalid++;
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
      if (epE < first) this.stats_.late++;
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
      this.stats_.notOurs++;
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

  private currentSec(t: number): number {
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
        this.stats_.untracked++;
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

  // ---------------------------------------------------------------- tick

  /** Advances the window to `now`, learns baselines once a second, evaluates, returns the attack events. */
  tick(now: number): AttackEvent[] {
    const E = Math.floor(now / this.tickMs);
    if (this.epoch === Number.NEGATIVE_INFINITY || E > this.epoch) this.epoch = E;
    this.expire(this.epoch - this.W);
    const sec = this.currentSec(now);
    const events: AttackEvent[] = [];
    const seen = new Set<number>();
    for (let si = 0; si < this.sets.length; si++) this.evaluateSet(si, now, sec, events, seen);
    for (const [key, a] of this.attacks) {
      if (seen.has(key)) continue;
      const si = Math.floor(key / 2 ** 32);
      const id = key % 2 ** 32;
      const set = this.sets[si] as CounterSet;
      const s = id * set.width;
      const pps = (set.sums[s] as number) / this.winSec;
      const bps = ((set.sums[s + 1] as number) * 8) / this.winSec;
      const thr =
        a.current.thresholdPps !== undefined
          ? pps / a.current.thresholdPps
          : a.current.thresholdBps
            ? bps / a.current.thresholdBps
            : 0;
      const r = observeBelow(a, pps, bps, thr, now, this.life);
      events.push(...r.events);
      if (r.ended) {
        this.attacks.delete(key);
        set.pinned[id] = 0;
      }
    }
    // Learn after evaluating, so a target found under attack this tick is already held.
    if (sec > this.lastSampleSec) {
      this.learn(sec);
      this.lastSampleSec = sec;
    }
    if (this.needEvict || sec - this.lastEvictSec >= 10) this.evict(now, sec);
    return events;
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

  private groupOf(si: number, id: number): GroupPolicy {
    const set = this.sets[si] as CounterSet;
    if (si < 2) return (this.policies.hostPolicies[set.policy[id] as number] as { group: GroupPolicy }).group;
    return this.policies.groups[set.policy[id] as number] as GroupPolicy;
  }

  /** One baseline sample per second for every target with traffic whose group learns. */
  private learn(sec: number): void {
    const v = this.scratchBase;
    for (let si = 0; si < this.sets.length; si++) {
      const set = this.sets[si] as CounterSet;
      for (let a = 0; a < set.activeCount; a++) {
        const id = set.active[a] as number;
        if (this.groupOf(si, id).mode === 'static') continue;
        if (set.pinned[id]) {
          set.baselines.hold(id, sec);
          continue;
        }
        const s = id * set.width;
        for (let m = 0; m < BASE_COUNT; m++)
          v[m] =
            ((set.sums[s + (BASE_COLUMN[m] as number)] as number) * (BASE_SCALE[m] as number)) / this.winSec;
        set.baselines.sample(id, sec, v);
      }
    }
  }

  /** Dynamic threshold for base measure m, or undefined when the baseline cannot be used yet. */
  private dynamicLimit(
    set: CounterSet,
    id: number,
    g: GroupPolicy,
    m: number,
    rate: number,
  ): [number, string] | undefined {
    const bl = set.baselines;
    const dyn = this.cfg.dynamic;
    const floor = BASE_IS_BITS[m] ? dyn.minBps : dyn.minPps;
    if (rate <= floor) return [floor, `${g.mode} floor`];
    if (g.mode === 'ewma') {
      const b = id * BASE_COUNT + m;
      const f = (bl.fast[b] as number) * dyn.fastFactor;
      const s = (bl.slow[b] as number) * dyn.slowFactor;
      const lim = Math.max(f, s, floor);
      return [
        lim,
        `EWMA baseline (fast ${fmt(bl.fast[b] as number)} ×${dyn.fastFactor}, slow ${fmt(bl.slow[b] as number)} ×${dyn.slowFactor})`,
      ];
    }
    const p = bl.p99(id, m);
    if (p === undefined) return undefined;
    return [Math.max(p * dyn.p99Factor, floor), `p99 baseline ${fmt(p)} ×${dyn.p99Factor}`];
  }

  /**
   * Onset estimate of target id into this.est (pps, bps): the traffic counted since the target was last
   * calm over the time since then, once that is at least onset.minMs and still shorter than the window
   * (after a window the window itself is exact). False when there is no estimate.
   */
  private onset(set: CounterSet, id: number, now: number): boolean {
    const on = set.onset;
    const o = id * ONSET_WIDTH;
    const el = now - (on[o + O_CALM_AT] as number);
    if (!(el >= this.cfg.onset.minMs) || el >= this.cfg.window) return false;
    // enough samples that a few datagrams delivered together do not make a surge
    if ((on[o + O_CUM_N] as number) - (on[o + O_CALM_N] as number) < this.cfg.onset.minSamples) return false;
    this.est[0] = ((on[o + O_CUM_P] as number) - (on[o + O_CALM_P] as number)) / (el / 1000);
    this.est[1] = (((on[o + O_CUM_B] as number) - (on[o + O_CALM_B] as number)) * 8) / (el / 1000);
    // Only while the surge goes on (traffic within the last tick): a burst that is over is not extrapolated.
    return now - (set.lastSeen[id] as number) <= this.tickMs;
  }

  /**
   * Calm = the window and the traffic since the last calm tick both below onset.calmShare of the pps and
   * bps thresholds: a later surge is then measured from this tick. A surge keeps its start because its
   * own rate is not calm.
   */
  private markCalm(set: CounterSet, id: number, limits: Float64Array, now: number): void {
    const share = this.cfg.onset.calmShare;
    const s = id * set.width;
    const maxP = share * (limits[0] as number);
    const maxB = share * (limits[1] as number);
    if ((set.sums[s] as number) / this.winSec >= maxP) return;
    if (((set.sums[s + 1] as number) * 8) / this.winSec >= maxB) return;
    const on = set.onset;
    const o = id * ONSET_WIDTH;
    const el = (now - (on[o + O_CALM_AT] as number)) / 1000;
    if (!(el > 0)) return;
    if (((on[o + O_CUM_P] as number) - (on[o + O_CALM_P] as number)) / el >= maxP) return;
    if ((((on[o + O_CUM_B] as number) - (on[o + O_CALM_B] as number)) * 8) / el >= maxB) return;
    on[o + O_CALM_AT] = now;
    // what the target receives while calm, averaged over the last calm ticks
    const bps = ((set.sums[s + 1] as number) * 8) / this.winSec;
    const prev = on[o + O_CALM_BPS] as number;
    on[o + O_CALM_BPS] = prev > 0 ? prev + CALM_EWMA * (bps - prev) : bps;
    on[o + O_CALM_P] = on[o + O_CUM_P] as number;
    on[o + O_CALM_B] = on[o + O_CUM_B] as number;
    on[o + O_CALM_N] = on[o + O_CUM_N] as number;
  }

  /** Worst threshold crossing of one target, or undefined when it is within all limits. */
  private check(si: number, id: number, sec: number, now: number, out: Crossing): number {
    const set = this.sets[si] as CounterSet;
    const g = this.groupOf(si, id);
    const d = si & 1;
    const level = LEVELS[si >> 1] as Level;
    let limits: Float64Array;
    let staticSource: string;
    if (level === 'host') {
      const hp = this.policies.hostPolicies[
        set.policy[id] as number
      ] as (typeof this.policies.hostPolicies)[number];
      limits = hp.host[d] as Float64Array;
      staticSource = hp.override ? `override ${hp.override}` : `group ${g.name} host threshold`;
    } else {
      limits = (level === 'prefix' ? g.prefix[d] : g.total[d]) as Float64Array;
      staticSource = `group ${g.name} ${level === 'prefix' ? 'prefix' : 'total'} threshold`;
    }
    const s = id * set.width;
    // Onset: a surge since the target was last calm is read over its own elapsed time (pps and bps).
    let estP = -1;
    let estB = -1;
    if (si < 2 && this.cfg.onset.enabled) {
      if (this.onset(set, id, now)) {
        estP = this.est[0] as number;
        estB = this.est[1] as number;
      }
      this.markCalm(set, id, limits, now);
    }
    // Early out (most targets, most ticks): every packet measure is ≤ pps and every bit measure ≤ bps,
    // and a dynamic limit is never below its floor, so below the smallest limits nothing can cross.
    {
      const L = limits;
      let minP = Math.min(L[0] as number, L[3] as number, L[4] as number, L[6] as number, L[8] as number);
      let minB = Math.min(L[1] as number, L[5] as number, L[7] as number, L[9] as number);
      if (g.mode !== 'static') {
        minP = Math.min(minP, this.cfg.dynamic.minPps);
        minB = Math.min(minB, this.cfg.dynamic.minBps);
      }
      const w = this.winSec;
      if (
        Math.max((set.sums[s] as number) / w, estP) <= minP &&
        Math.max(((set.sums[s + 1] as number) * 8) / w, estB) <= minB &&
        (set.sums[s + 2] as number) / w <= (L[2] as number)
      )
        return -1;
    }
    let dynamic = false;
    if (g.mode !== 'static') {
      set.baselines.catchUp(id, sec);
      dynamic = (set.baselines.samples[id] as number) >= g.bootstrapSeconds;
    }
    let worst = -1;
    let worstRatio = 1;
    out.onsetMs = 0;
    out.estPps = estP;
    out.estBps = estB;
    for (let k = 0; k < LIMIT_COUNT + 1; k++) {
      let rate: number;
      let lim: number;
      let onsetRate = false;
      let src = staticSource;
      const bm = k < LIMIT_COUNT ? (LIMIT_TO_BASE[k] as number) : OTHER_BASE;
      if (k < LIMIT_COUNT) {
        rate =
          ((set.sums[s + (LIMIT_COLUMN[k] as number)] as number) * (LIMIT_SCALE[k] as number)) / this.winSec;
        const est = k === 0 ? estP : k === 1 ? estB : -1;
        if (est > rate) {
          rate = est;
          onsetRate = true;
        }
        lim = limits[k] as number;
      } else {
        if (!dynamic) break;
        rate =
          ((set.sums[s + (BASE_COLUMN[bm] as number)] as number) * (BASE_SCALE[bm] as number)) / this.winSec;
        lim = Infinity;
      }
      if (dynamic && bm >= 0) {
        const dl = this.dynamicLimit(set, id, g, bm, rate);
        if (dl) {
          lim = dl[0];
          src = dl[1];
        }
      }
      if (rate > lim && rate / lim > worstRatio) {
        worstRatio = lim > 0 ? rate / lim : Infinity;
        worst = k;
        out.ratio = worstRatio;
        out.limit = lim;
        out.rate = rate;
        out.source = src;
        out.onsetMs = onsetRate ? now - (set.onset[id * ONSET_WIDTH + O_CALM_AT] as number) : 0;
      }
    }
    return worst;
  }

  private evaluateSet(si: number, now: number, sec: number, events: AttackEvent[], seen: Set<number>): void {
    const set = this.sets[si] as CounterSet;
    const cross: Crossing = { onsetMs: 0, estPps: -1, estBps: -1, ratio: 0, limit: 0, rate: 0, source: '' };
    for (let a = 0; a < set.activeCount; a++) {
      const id = set.active[a] as number;
      const k = this.check(si, id, sec, now, cross);
      if (k < 0) continue;
      const key = si * 2 ** 32 + id;
      const open = this.attacks.get(key);
      if (
        open &&
        now - open.lastEventAt < this.life.updateMs &&
        !onsetGrowth(open, cross.ratio, now, this.life, cross.onsetMs > 0)
      ) {
        // Fast path: still over, nothing to report this tick (family changes show at the next update).
        seen.add(key);
        open.lastAbove = now;
        const s = id * set.width;
        open.peakPps = Math.max(open.peakPps, (set.sums[s] as number) / this.winSec);
        open.peakBps = Math.max(open.peakBps, ((set.sums[s + 1] as number) * 8) / this.winSec);
        continue;
      }
      if (!open && si >= 2) {
        const until = this.prefixRecheck.get(key);
        if (until !== undefined && now < until) continue;
      }
      let obs = this.observe(si, id, k, cross);
      // A group total whose busiest network is already a prefix attack's target adds nothing.
      if (obs && !open && si >= 4 && this.hasOpenTarget(obs.target, obs.direction)) obs = undefined;
      if (!obs) {
        this.prefixRecheck.set(key, now + 1000);
        continue;
      }
      this.prefixRecheck.delete(key);
      seen.add(key);
      if (open) events.push(...observeAbove(open, obs, now, this.life));
      else {
        const opened = openAttack(obs, now);
        const before = this.beforeSurgeBps(si, id);
        if (before !== undefined) opened.attack.legitBefore = before;
        this.attacks.set(key, opened.attack);
        set.pinned[id] = 1;
        events.push(...opened.events);
      }
    }
  }

  /** Builds what we say about an over-threshold target; undefined when a prefix/group total is one host's attack. */
  private observe(si: number, id: number, k: number, cross: Crossing): Observation | undefined {
    const set = this.sets[si] as CounterSet;
    const d = si & 1;
    const level = LEVELS[si >> 1] as Level;
    const g = this.groupOf(si, id);
    // Describe the traffic since the attack began (at least the last two buckets), not the whole window.
    const open = this.attacks.get(si * 2 ** 32 + id);
    // Updates describe the last few buckets: the scan costs O(rows) per attack, so keep it short.
    const since = open
      ? Math.max(Math.floor(open.startedAt / this.tickMs) - 1, this.epoch - 4)
      : this.epoch - 2;
    const hostKey = d * 2 ** 32;
    const attacked = level === 'host' ? undefined : (h: number) => this.attacks.has(hostKey + h);
    const col = COLUMN[si] as RowColumn;
    let profile: TrafficProfile = buildProfile(
      this.stores,
      col,
      id,
      this.cfg.signature,
      Math.max(since, this.epoch - this.W),
      attacked,
    );
    // Traffic has stopped in the last buckets: describe what the window still holds.
    if (profile.signature.coverage === 0)
      profile = buildProfile(this.stores, col, id, this.cfg.signature, this.epoch - this.W, attacked);
    const cls =
      open && profile.signature.coverage === 0
        ? { family: open.current.family, reason: 'traffic subsiding' }
        : classify(profile.mix);
    let family = cls.family;
    let target: string;
    let spread = '';
    if (level === 'host') target = this.targetText(set, id);
    else {
      const carpet =
        profile.hosts >= this.cfg.carpet.minHosts && profile.topHostShare <= this.cfg.carpet.maxTopHostShare;
      const hostSet = this.sets[d] as CounterSet;
      const topHost = profile.topHostRow
        ? (profile.topHostRow.store[d === 0 ? 'inHost' : 'outHost'][profile.topHostRow.row] as number)
        : -1;
      // Hosts with attacks of their own are reported as such: the total is an attack only if the rest crosses.
      const rest = this.remainder(si, id, k, cross.rate);
      if (rest <= cross.limit) return undefined;
      // Nor is it a prefix/group attack when one host alone makes the excess: that host's thresholds judge it.
      if (
        topHost >= 0 &&
        !this.attacks.has(d * 2 ** 32 + topHost) &&
        rest - this.measure(d, topHost, k) <= cross.limit
      )
        return undefined;
      if (level === 'prefix') target = this.targetText(set, id);
      else {
        const hk = topHost >= 0 ? topHost : 0;
        const fam = (hostSet.table.family[hk] as Family) || 4;
        target = this.policies.groupNetworkOf(fam, hostSet.table.keys, hk * 4) ?? g.name;
      }
      if (carpet) {
        family = 'carpet_bombing';
        spread = `; carpet bombing: spread over ${profile.hosts} hosts, busiest ${Math.round(profile.topHostShare * 100)}% (vector ${cls.family})`;
      }
    }
    const s = id * set.width;
    let pps = (set.sums[s] as number) / this.winSec;
    let bps = ((set.sums[s + 1] as number) * 8) / this.winSec;
    pps = Math.max(pps, cross.estPps);
    bps = Math.max(bps, cross.estBps);
    const key = k < LIMIT_COUNT ? (LIMIT_KEYS[k] as string) : 'otherPps';
    const bits = k < LIMIT_COUNT ? LIMIT_SCALE[k] === 8 : false;
    const dir = DIRECTIONS[d] as Direction;
    return {
      target,
      direction: dir,
      family,
      reason: `${dir} ${key} ${fmt(cross.rate)} > ${fmt(cross.limit)} (${cross.source})${cross.onsetMs > 0 ? ` over the surge's first ${Math.round(cross.onsetMs)} ms` : ''}; ${cls.reason}${spread}`,
      hostGroup: g.name,
      shares:
        open && profile.signature.coverage === 0 ? open.current.shares : this.nodeShares(profile.byExporter),
      pps,
      bps,
      ...(bits ? { thresholdBps: cross.limit } : { thresholdPps: cross.limit }),
      severity: cross.ratio,
      ...(cross.onsetMs > 0 ? { onsetEstimate: true } : {}),
      signature: open && profile.signature.coverage === 0 ? open.current.signature : profile.signature,
    };
  }

  /**
   * The nodes that carry a target's traffic, by name (exporters sharing a name are one node), with their
   * shares of its packets and bytes; nodes under detection.nodeMinShare of both are left out and the rest
   * renormalised, so the shares of the nodes reported always add up to the whole.
   */
  private nodeShares(byExporter: ReadonlyMap<number, { packets: number; bytes: number }>): NodeShare[] {
    const fallback = this.opts.node ?? 'local';
    const byName = new Map<string, { packets: number; bytes: number }>();
    let P = 0;
    let B = 0;
    for (const [ex, v] of byExporter) {
      const name = this.exporterNames[ex] ?? fallback;
      const acc = byName.get(name);
      if (acc) {
        acc.packets += v.packets;
        acc.bytes += v.bytes;
      } else byName.set(name, { packets: v.packets, bytes: v.bytes });
      P += v.packets;
      B += v.bytes;
    }
    if (!(P > 0)) return [{ node: fallback, packets: 1, bytes: 1 }];
    const min = this.cfg.nodeMinShare;
    let kept = [...byName].filter(([, v]) => v.packets / P >= min || (B > 0 && v.bytes / B >= min));
    if (kept.length === 0) kept = [...byName].sort((a, b) => b[1].packets - a[1].packets).slice(0, 1);
    let kp = 0;
    let kb = 0;
    for (const [, v] of kept) {
      kp += v.packets;
      kb += v.bytes;
    }
    return kept
      .sort((a, b) => b[1].packets - a[1].packets)
      .map(([node, v]) => ({
        node,
        packets: v.packets / kp,
        bytes: kb > 0 ? v.bytes / kb : v.packets / kp,
      }));
  }

  // ---------------------------------------------------------------- collateral damage

  /**
   * The matches of the rules standing per target (canonical prefix text), from the engine side: only
   * rules that discard or police traffic (collateral.discardingMatches). Replaces the previous set.
   */
  setMitigations(matches: ReadonlyMap<string, readonly FlowSpecMatch[]>): void {
    const next = new Map<string, RowPredicate[]>();
    for (const [target, list] of matches) next.set(target, list.map(matchPredicate));
    this.mitigations = next;
  }

  /**
   * Legitimate traffic of every target with a rule standing or an incoming attack open (host and prefix
   * targets): the window's bits/s that no standing rule covers; before any rule, what the target received
   * while calm before the surge (or, unknown, the traffic the attack's signature does not describe) — the
   * baseline the engine judges a rule's collateral damage against.
   * One pass over the window's rows.
   */
  legitTraffic(): LegitReport[] {
    interface Acc {
      target: string;
      covered: RowPredicate[];
      bytes: number;
      /** What the target received before the surge, bits/s (0: unknown; then what the signature leaves). */
      floor: number;
    }
    const hosts = new Map<number, Acc>();
    const prefixes = new Map<number, Acc>();
    const accs: Acc[] = [];
    const add = (target: string, covered: RowPredicate[], floor = 0) => {
      const p = tryParsePrefix(target);
      if (p === undefined) return;
      const w = this.maskW;
      w.fill(0);
      ipToWords({ family: p.family, bytes: p.bytes }, w, 0);
      const full = p.family === 4 ? 32 : 128;
      const plen = p.family === 4 ? this.cfg.prefixLengths.v4 : this.cfg.prefixLengths.v6;
      const si = p.length === full ? 0 : p.length === plen ? 2 : -1;
      if (si < 0) return;
      const id = (this.sets[si] as CounterSet).table.find(p.family, w, 0);
      if (id < 0) return;
      const map = si === 0 ? hosts : prefixes;
      if (map.has(id)) return;
      const acc: Acc = { target, covered, bytes: 0, floor };
      map.set(id, acc);
      accs.push(acc);
    };
    for (const [target, preds] of this.mitigations) add(target, preds);
    for (const a of this.attacks.values())
      if (a.current.direction === 'incoming')
        add(a.current.target, [signaturePredicate(a.current.signature)], a.legitBefore);
    if (accs.length === 0) return [];
    for (const st of this.stores) {
      for (let r = 0; r < st.length; r++) {
        const h = hosts.size > 0 ? hosts.get(st.inHost[r] as number) : undefined;
        const p = prefixes.size > 0 ? prefixes.get(st.inPrefix[r] as number) : undefined;
        if (h !== undefined && !h.covered.some((pred) => pred(st, r))) h.bytes += st.bytes[r] as number;
        if (p !== undefined && !p.covered.some((pred) => pred(st, r))) p.bytes += st.bytes[r] as number;
      }
    }
    return accs.map((a) => ({ target: a.target, bps: a.floor > 0 ? a.floor : (a.bytes * 8) / this.winSec }));
  }

  /**
   * What host target id received before its surge began: the window's bits/s at its last calm tick, the
   * legitimate traffic a rule must not collapse. Undefined when the target was never seen calm.
   */
  private beforeSurgeBps(si: number, id: number): number | undefined {
    if (si >= 2 || !this.cfg.onset.enabled) return undefined;
    const set = this.sets[si] as CounterSet;
    const o = id * ONSET_WIDTH;
    return Number.isFinite(set.onset[o + O_CALM_AT] as number)
      ? (set.onset[o + O_CALM_BPS] as number)
      : undefined;
  }

  /** Window rate of measure k (LIMIT index, or LIMIT_COUNT = other-protocol pps) of target id in set si. */
  private measure(si: number, id: number, k: number): number {
    const col = k < LIMIT_COUNT ? (LIMIT_COLUMN[k] as number) : (BASE_COLUMN[OTHER_BASE] as number);
    const scale = k < LIMIT_COUNT ? (LIMIT_SCALE[k] as number) : 1;
    return (
      (((this.sets[si] as CounterSet).sums[id * (this.sets[si] as CounterSet).width + col] as number) *
        scale) /
      this.winSec
    );
  }

  private hasOpenTarget(target: string, direction: Direction): boolean {
    for (const a of this.attacks.values())
      if (a.current.target === target && a.current.direction === direction) return true;
    return false;
  }

  /** Rate of measure k of a prefix/group total without the hosts that have open attacks of their own. */
  private remainder(si: number, id: number, k: number, rate: number): number {
    const d = si & 1;
    const hosts = this.sets[d] as CounterSet;
    const col = k < LIMIT_COUNT ? (LIMIT_COLUMN[k] as number) : (BASE_COLUMN[OTHER_BASE] as number);
    const scale = k < LIMIT_COUNT ? (LIMIT_SCALE[k] as number) : 1;
    const prefixes = this.sets[2 + d] as CounterSet;
    let rest = rate;
    for (const key of this.attacks.keys()) {
      if (Math.floor(key / 2 ** 32) !== d) continue;
      const h = key % 2 ** 32;
      const inside =
        si >> 1 === 1
          ? hosts.prefixId[h] === id && hosts.prefixGen[h] === prefixes.gen[id]
          : this.groupOf(d, h).index === (this.sets[si] as CounterSet).policy[id];
      if (inside) rest -= ((hosts.sums[h * hosts.width + col] as number) * scale) / this.winSec;
    }
    return rest;
  }

  private targetText(set: CounterSet, id: number): string {
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

  // ---------------------------------------------------------------- introspection and persistence

  stats(): DetectorStats {
    let rows = 0;
    for (const st of this.stores) rows += st.length;
    return {
      ...this.stats_,
      rows,
      hostsIn: this.sets[0]!.size,
      hostsOut: this.sets[1]!.size,
      prefixesIn: this.sets[2]!.size,
      prefixesOut: this.sets[3]!.size,
      evictions: this.sets.reduce((a, s) => a + s.evictions, 0),
      openAttacks: this.attacks.size,
    };
  }

  /** The open attacks' latest state (for APIs). */
  openAttacks(): {
    attackId: string;
    target: string;
    direction: Direction;
    family: string;
    startedAt: number;
    peakPps: number;
    peakBps: number;
  }[] {
    return [...this.attacks.values()].map((a) => ({
      attackId: a.attackId,
      target: a.current.target,
      direction: a.current.direction,
      family: a.current.family,
      startedAt: a.startedAt,
      peakPps: a.peakPps,
      peakBps: a.peakBps,
    }));
  }

  /** Current window rates of one target (tests, API): undefined when it is not tracked. */
  rates(level: Level, direction: Direction, target: string): Record<string, number> | undefined {
    const si = LEVELS.indexOf(level) * 2 + (direction === 'incoming' ? 0 : 1);
    const set = this.sets[si] as CounterSet;
    for (let id = 0; id < set.table.idLimit; id++) {
      if (set.table.family[id] === 0) continue;
      if (level !== 'group' && this.targetText(set, id) !== target) continue;
      if (level === 'group' && this.policies.groups[set.policy[id] as number]?.name !== target) continue;
      const s = id * set.width;
      const out: Record<string, number> = {};
      for (let k = 0; k < LIMIT_COUNT; k++)
        out[LIMIT_KEYS[k] as string] =
          ((set.sums[s + (LIMIT_COLUMN[k] as number)] as number) * (LIMIT_SCALE[k] as number)) / this.winSec;
      return out;
    }
    return undefined;
  }

  /**
   * The `n` busiest hosts in one direction by current window packet rate (metrics, Kafka aggregates):
   * a scan of the active list only, O(active · n) with n small.
   */
  topTalkers(n: number, direction: Direction = 'incoming'): { target: string; pps: number; bps: number }[] {
    if (n <= 0) return [];
    const set = this.sets[direction === 'incoming' ? 0 : 1] as CounterSet;
    const top: { id: number; pps: number }[] = [];
    for (let i = 0; i < set.activeCount; i++) {
      const id = set.active[i] as number;
      const pps = (set.sums[id * set.width + (LIMIT_COLUMN[0] as number)] as number) / this.winSec;
      if (top.length === n && pps <= (top[n - 1] as { pps: number }).pps) continue;
      top.push({ id, pps });
      top.sort((a, b) => b.pps - a.pps);
      if (top.length > n) top.pop();
    }
    return top.map(({ id, pps }) => ({
      target: this.targetText(set, id),
      pps,
      bps: ((set.sums[id * set.width + (LIMIT_COLUMN[1] as number)] as number) * 8) / this.winSec,
    }));
  }

  /**
   * Current window rate of one host or prefix and what its baseline says is normal (dashboard charts).
   * The baseline is the slow EWMA (ewma groups) or the rolling p99 (p99 groups); absent for static
   * groups and before the first sample. Undefined when the target is not tracked. Read-only.
   */
  traffic(target: string, direction: Direction = 'incoming'): TrafficSample | undefined {
    const words = new Uint32Array(4);
    const p = parsePrefixWords(target, words);
    if (!p) return undefined;
    const hostLen = p.family === 4 ? 32 : 128;
    const len = Number(target.split('/')[1] ?? hostLen);
    const level: Level = len === hostLen ? 'host' : 'prefix';
    const si = LEVELS.indexOf(level) * 2 + (direction === 'incoming' ? 0 : 1);
    const set = this.sets[si] as CounterSet;
    const id = set.table.find(p.family, words, 0);
    if (id < 0) return undefined;
    const g = this.groupOf(si, id);
    const s = id * set.width;
    const rate = (col: number, scale: number) => ((set.sums[s + col] as number) * scale) / this.winSec;
    const out: TrafficSample = {
      target: this.targetText(set, id),
      level,
      direction,
      mode: g.mode,
      pps: rate(BASE_COLUMN[0] as number, 1),
      bps: rate(BASE_COLUMN[1] as number, 8),
    };
    const bl = set.baselines;
    if (g.mode === 'static' || bl.samples[id] === 0) return out;
    if (g.mode === 'ewma')
      return {
        ...out,
        baselinePps: bl.slow[id * BASE_COUNT] as number,
        baselineBps: bl.slow[id * BASE_COUNT + 1] as number,
      };
    const pp = bl.p99(id, 0);
    const pb = bl.p99(id, 1);
    return {
      ...out,
      ...(pp !== undefined ? { baselinePps: pp } : {}),
      ...(pb !== undefined ? { baselineBps: pb } : {}),
    };
  }

  /** Serialisable baselines of every target that has learnt something. */
  baselinesToJSON(): BaselineBlob {
    const sets: Record<string, Record<string, BaselineSnapshot>> = {};
    for (let si = 0; si < this.sets.length; si++) {
      const set = this.sets[si] as CounterSet;
      const name = `${LEVELS[si >> 1]}.${DIRECTIONS[si & 1]}`;
      const out: Record<string, BaselineSnapshot> = {};
      for (let id = 0; id < set.table.idLimit; id++) {
        if (set.table.family[id] === 0 || set.baselines.samples[id] === 0) continue;
        const key =
          si >= 4
            ? (this.policies.groups[set.policy[id] as number] as GroupPolicy).name
            : this.targetText(set, id);
        out[key] = set.baselines.snapshot(id);
      }
      sets[name] = out;
    }
    return { version: 1, sets };
  }

  /** Restores baselines saved by baselinesToJSON (targets no longer ours are skipped). */
  loadBaselines(blob: BaselineBlob): number {
    if (blob?.version !== 1 || typeof blob.sets !== 'object')
      throw new TypeError('baseline blob: unsupported version');
    let n = 0;
    const words = new Uint32Array(4);
    for (let si = 0; si < this.sets.length; si++) {
      const set = this.sets[si] as CounterSet;
      const entries = blob.sets[`${LEVELS[si >> 1]}.${DIRECTIONS[si & 1]}`];
      if (!entries) continue;
      for (const [key, snap] of Object.entries(entries)) {
        let id: number;
        if (si >= 4) {
          const g = this.policies.groups.find((x) => x.name === key);
          if (!g) continue;
          id = set.table.findWords(4, g.index, 0, 0, 0);
          if (id < 0) continue;
          set.baselines.restore(id, snap, g.mode === 'p99');
        } else {
          const p = parsePrefixWords(key, words);
          if (!p) continue;
          const fam = p.family;
          if (!this.policies.isOurs(fam, words, 0)) continue;
          id = set.table.find(fam, words, 0);
          if (id < 0) {
            const pol = this.policies.hostPolicyOf(fam, words, 0);
            const g = (this.policies.hostPolicies[pol] as { group: GroupPolicy }).group;
            id = set.insert(
              fam,
              words[0] as number,
              words[1] as number,
              words[2] as number,
              words[3] as number,
              si < 2 ? pol : g.index,
              snap.lastSec + 1,
              g.mode === 'p99',
            );
            if (id < 0) continue;
            set.lastSeen[id] = (snap.lastSec + 1) * 1000;
          }
          set.baselines.restore(id, snap, this.groupOf(si, id).mode === 'p99');
        }
        n++;
      }
    }
    return n;
  }
}

function parsePrefixWords(text: string, out: Uint32Array): { family: Family } | undefined {
  try {
    const p = parsePrefix(text);
    ipToWords({ family: p.family, bytes: p.bytes }, out, 0);
    return { family: p.family };
  } catch {
    return undefined;
  }
}
