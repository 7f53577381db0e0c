// Window sums for one kind of target (hosts, prefixes or groups) in one direction: an open-addressing
// KeyTable for the ids and typed-array columns indexed by id — METRIC_COUNT sums, the number of live
// window rows, last-seen time, the policy/group, the list of targets with traffic in the window, and
// the learned baselines. Rows are added and subtracted by the same function, so sums return to zero.

import { Baselines, type BaselineParams } from './baseline.js';
import * as MX from './metrics.js';
import { KeyTable } from './table.js';
import type { RowStore } from './rows.js';
import { FRAG_IS_FRAGMENT, FRAG_LATER } from '../flow/batch.js';

// Local copies: module-namespace lookups in the per-record path cost more than they should under some loaders.
const AMP_INDEX = MX.AMP_INDEX;
const M = MX.METRIC_COUNT;
const M_ACK = MX.M_ACK;
const M_ACK_RST_ONLY = MX.M_ACK_RST_ONLY;
const M_AMP0 = MX.M_AMP0;
const M_BYTES = MX.M_BYTES;
const M_FLAGS_OTHER = MX.M_FLAGS_OTHER;
const M_FLOWS = MX.M_FLOWS;
const M_FRAG = MX.M_FRAG;
const M_FRAG_LATER = MX.M_FRAG_LATER;
const M_GRE_PKTS = MX.M_GRE_PKTS;
const M_PKTS = MX.M_PKTS;
const M_RST = MX.M_RST;
const M_SIZE0 = MX.M_SIZE0;
const M_SYN = MX.M_SYN;
const M_TCP_PKTS = MX.M_TCP_PKTS;
const PC_ICMP = MX.PC_ICMP;
const PC_TCP = MX.PC_TCP;
const PC_UDP = MX.PC_UDP;
const protoClass = MX.protoClass;
const sizeBin = MX.sizeBin;

const TCP_FIN = 0x01,
  TCP_SYN = 0x02,
  TCP_RST = 0x04,
  TCP_PSH = 0x08,
  TCP_ACK = 0x10,
  TCP_URG = 0x20,
  TCP_ECE = 0x40,
  TCP_CWR = 0x80;
const OTHER_FLAGS = TCP_FIN | TCP_PSH | TCP_URG | TCP_ECE | TCP_CWR;

/** Column count of host sets: the measures thresholds and baselines need (M_PKTS .. M_SYN). */
export const HOST_WIDTH = M_SYN + 1;

/** First column carried in a contribution mask: bit k of the mask stands for column M_SYN + k. */
const MASK_BASE = M_SYN;

/**
 * The columns past the protocol classes that a record adds its packets to, as a bit mask (bit k =
 * column M_SYN + k): SYN-without-ACK, the other TCP flag measures, UDP amplification source ports, GRE,
 * fragments and the packet-size bin. Computed once per record; host sets use only bit 0 (M_SYN).
 */
export function contributionMask(
  proto: number,
  flags: number,
  frag: number,
  srcPort: number,
  size: number,
): number {
  const pc = protoClass(proto);
  let m = 0;
  if (pc === PC_TCP) {
    if (flags & TCP_SYN && !(flags & TCP_ACK)) m |= 1 << (M_SYN - MASK_BASE);
    if (flags & TCP_ACK) m |= 1 << (M_ACK - MASK_BASE);
    if (flags & TCP_RST) m |= 1 << (M_RST - MASK_BASE);
    if (flags & OTHER_FLAGS) m |= 1 << (M_FLAGS_OTHER - MASK_BASE);
    if (flags !== 0 && (flags & ~(TCP_ACK | TCP_RST)) === 0) m |= 1 << (M_ACK_RST_ONLY - MASK_BASE);
  } else if (pc === PC_UDP) {
    const a = AMP_INDEX[srcPort] as number;
    if (a !== 255) m |= 1 << (M_AMP0 + a - MASK_BASE);
  } else if (pc !== PC_ICMP && proto === 47) m |= 1 << (M_GRE_PKTS - MASK_BASE);
  if (frag & FRAG_IS_FRAGMENT) m |= 1 << (M_FRAG - MASK_BASE);
  if (frag & FRAG_LATER) m |= 1 << (M_FRAG_LATER - MASK_BASE);
  m |= 1 << (M_SIZE0 + sizeBin(size) - MASK_BASE);
  return m >>> 0;
}

/**
 * Adds packets p, bytes b and flows f of protocol class pc with contribution mask `mask` to the metric
 * vector at sums[s ..]; columns at or past `width` are skipped (host sets keep only the threshold
 * measures; classification reads the rows). Subtracting is adding the negated amounts, so sums return
 * to zero when a bucket leaves the window.
 */
export function addKernel(
  sums: Float64Array,
  s: number,
  width: number,
  p: number,
  b: number,
  f: number,
  pc: number,
  mask: number,
): void {
  sums[s + M_PKTS] = (sums[s + M_PKTS] as number) + p;
  sums[s + M_BYTES] = (sums[s + M_BYTES] as number) + b;
  sums[s + M_FLOWS] = (sums[s + M_FLOWS] as number) + f;
  sums[s + M_TCP_PKTS + pc] = (sums[s + M_TCP_PKTS + pc] as number) + p;
  sums[s + M_TCP_PKTS + 4 + pc] = (sums[s + M_TCP_PKTS + 4 + pc] as number) + b;
  let m = width <= M_SYN + 1 ? mask & 1 : mask;
  while (m !== 0) {
    const low = m & -m;
    const c = s + MASK_BASE + 31 - Math.clz32(low);
    sums[c] = (sums[c] as number) + p;
    m ^= low;
  }
}

/**
 * Sets row r's protocol class and contribution mask from its own columns (proto, flags, frag, srcPort,
 * size), for code that fills a RowStore itself: rows without them count nothing past packets and bytes.
 */
export function classifyRow(rows: RowStore, r: number): void {
  const proto = rows.proto[r] as number;
  rows.pclass[r] = protoClass(proto);
  rows.mask[r] = contributionMask(
    proto,
    rows.flags[r] as number,
    rows.frag[r] as number,
    rows.srcPort[r] as number,
    rows.size[r] as number,
  );
}

/** Adds (sign 1) or subtracts (sign -1) row r to the metric vector at sums[s ..] (see addKernel). */
export function addContribution(
  sums: Float64Array,
  s: number,
  width: number,
  rows: RowStore,
  r: number,
  sign: number,
): void {
  addKernel(
    sums,
    s,
    width,
    (rows.pkts[r] as number) * sign,
    (rows.bytes[r] as number) * sign,
    (rows.flows[r] as number) * sign,
    rows.pclass[r] as number,
    rows.mask[r] as number,
  );
}

/**
 * Onset state per id, interleaved so that it sits in two cache lines: packets and bytes counted near real
 * time (only ever added), the same counts and the time at the last calm tick, the window bits/s then, and
 * since then the time of the first and last record counted and what arrived at that first instant.
 */
export const ONSET_WIDTH = 12;
export const O_CUM_P = 0;
export const O_CUM_B = 1;
export const O_CALM_P = 2;
export const O_CALM_B = 3;
export const O_CALM_AT = 4;
export const O_CALM_BPS = 5;
/** Rows counted near real time, and their number at the last calm tick. */
export const O_CUM_N = 6;
export const O_CALM_N = 7;
/**
 * Record time of the first and the last record counted since the last calm tick (NaN: none yet), and the
 * packets and bytes that arrived at that first instant: a surge's rate is what came after its first
 * arrival over the time from its first to its last arrival (thresholds.ts, onset).
 */
export const O_FIRST_AT = 8;
export const O_FIRST_P = 9;
export const O_FIRST_B = 10;
export const O_LAST_AT = 11;

export class CounterSet {
  readonly table: KeyTable;
  sums: Float64Array;
  rowCount: Int32Array;
  lastSeen: Float64Array;
  /** Host sets: host policy index; prefix and group sets: group index. */
  policy: Int32Array;
  /** Host sets: the id (and its generation) of the host's prefix entry. */
  prefixId: Int32Array;
  prefixGen: Uint32Array;
  /** Bumped each time an id is reused, so cached references can be checked. */
  gen: Uint32Array;
  /** 1 while an attack on this target is open: the target is neither evicted nor learnt from. */
  pinned: Uint8Array;
  active: Int32Array;
  activePos: Int32Array;
  activeCount = 0;
  /**
   * Onset estimate (detector.ts), ONSET_WIDTH columns per id (O_*): (cum − calm counts) / (now − calm
   * time) is the rate of a surge over its own elapsed time.
   */
  onset: Float64Array;
  /**
   * Per-bucket decay of each target (window.ts): the sum of the equal middle-part shares of its flow
   * records still spanning older buckets, taken off the sums once per bucket leaving the window; with
   * the number of records in it and the list of targets that have one.
   */
  /** Decay slots, only for the targets that decay now: vector, record count and target of each slot. */
  decay = new Float64Array(0);
  decayN = new Int32Array(0);
  decaying = new Int32Array(0);
  decayingCount = 0;
  /** Slot of each target (-1: not decaying). */
  decayPos: Int32Array;
  readonly baselines: Baselines;
  evictions = 0;
  dropped = 0;

  constructor(
    initial: number,
    max: number,
    baseline: BaselineParams,
    /** Sum columns per target: METRIC_COUNT, or HOST_WIDTH for host sets. */
    readonly width = M,
  ) {
    this.table = new KeyTable(initial, max, (cap) => this.grow(cap));
    const cap = this.table.capacity;
    this.sums = new Float64Array(cap * width);
    this.rowCount = new Int32Array(cap);
    this.lastSeen = new Float64Array(cap);
    this.policy = new Int32Array(cap);
    this.prefixId = new Int32Array(cap).fill(-1);
    this.prefixGen = new Uint32Array(cap);
    this.gen = new Uint32Array(cap);
    this.pinned = new Uint8Array(cap);
    this.active = new Int32Array(cap);
    this.activePos = new Int32Array(cap).fill(-1);
    this.onset = new Float64Array(cap * ONSET_WIDTH);
    this.decayPos = new Int32Array(cap).fill(-1);
    this.baselines = new Baselines(cap, baseline);
  }

  private grow(cap: number): void {
    const f64 = (a: Float64Array, width: number) => {
      const b = new Float64Array(cap * width);
      b.set(a);
      return b;
    };
    const i32 = (a: Int32Array, fill = 0) => {
      const b = new Int32Array(cap).fill(fill);
      b.set(a);
      return b;
    };
    const u32 = (a: Uint32Array) => {
      const b = new Uint32Array(cap);
      b.set(a);
      return b;
    };
    this.sums = f64(this.sums, this.width);
    this.lastSeen = f64(this.lastSeen, 1);
    this.policy = i32(this.policy);
    this.prefixId = i32(this.prefixId, -1);
    this.prefixGen = u32(this.prefixGen);
    this.gen = u32(this.gen);
    const pinned = new Uint8Array(cap);
    pinned.set(this.pinned);
    this.pinned = pinned;
    this.active = i32(this.active);
    this.activePos = i32(this.activePos, -1);
    this.rowCount = i32(this.rowCount);
    this.onset = f64(this.onset, ONSET_WIDTH);
    this.decayPos = i32(this.decayPos, -1);
    this.baselines.grow(cap);
  }

  /** Inserts a new target; -1 when full. */
  insert(
    fam: number,
    w0: number,
    w1: number,
    w2: number,
    w3: number,
    policy: number,
    sec: number,
    p99: boolean,
  ): number {
    const id = this.table.insertWords(fam, w0, w1, w2, w3);
    if (id < 0) {
      this.dropped++;
      return -1;
    }
    this.sums.fill(0, id * this.width, (id + 1) * this.width);
    this.rowCount[id] = 0;
    this.policy[id] = policy;
    this.prefixId[id] = -1;
    this.gen[id] = (this.gen[id] as number) + 1;
    this.pinned[id] = 0;
    this.activePos[id] = -1;
    const o = id * ONSET_WIDTH;
    this.onset.fill(0, o, o + ONSET_WIDTH);
    this.onset[o + O_CALM_AT] = Number.NEGATIVE_INFINITY;
    this.onset[o + O_FIRST_AT] = Number.NaN;
    this.onset[o + O_LAST_AT] = Number.NaN;
    this.baselines.reset(id, sec, p99);
    return id;
  }

  /** Adds (sign 1) or removes (sign -1) row r's contribution to target id. */
  apply(id: number, rows: RowStore, r: number, sign: number): void {
    const s = id * this.width;
    addContribution(this.sums, s, this.width, rows, r, sign);
    this.counted(id, s, sign);
  }

  /** Adds (sign 1) or removes (sign -1) one row's amounts (see addKernel) to target id. */
  add(id: number, p: number, b: number, f: number, pc: number, mask: number, sign: number): void {
    const s = id * this.width;
    addKernel(this.sums, s, this.width, p * sign, b * sign, f * sign, pc, mask);
    this.counted(id, s, sign);
  }

  /** Adds an earlier part of a row (window.ts PartRefs) to target id: the sums only, the row stays. */
  addPart(id: number, p: number, b: number, f: number, pc: number, mask: number): void {
    addKernel(this.sums, id * this.width, this.width, p, b, f, pc, mask);
  }

  /** Adds (sign 1) or removes (sign -1) one record's per-bucket share to target id's decay. */
  decayAdd(id: number, p: number, b: number, pc: number, mask: number, sign: number): void {
    const w = this.width;
    let k = this.decayPos[id] as number;
    if (k < 0) {
      k = this.decayingCount++;
      if (k >= this.decaying.length) this.growDecay(Math.max(64, k * 2));
      this.decayPos[id] = k;
      this.decaying[k] = id;
      this.decayN[k] = 0;
      this.decay.fill(0, k * w, (k + 1) * w);
    }
    addKernel(this.decay, k * w, w, p * sign, b * sign, 0, pc, mask);
    if ((this.decayN[k] = (this.decayN[k] as number) + sign) > 0) return;
    // No record decays this target any more: free the slot (the last slot moves into it).
    const last = --this.decayingCount;
    if (k !== last) {
      const moved = this.decaying[last] as number;
      this.decay.copyWithin(k * w, last * w, (last + 1) * w);
      this.decayN[k] = this.decayN[last] as number;
      this.decaying[k] = moved;
      this.decayPos[moved] = k;
    }
    this.decayPos[id] = -1;
  }

  private growDecay(slots: number): void {
    const d = new Float64Array(slots * this.width);
    d.set(this.decay);
    this.decay = d;
    const n = new Int32Array(slots);
    n.set(this.decayN);
    this.decayN = n;
    const t = new Int32Array(slots);
    t.set(this.decaying);
    this.decaying = t;
  }

  /** One bucket left the window: every decaying target loses its per-bucket share. */
  applyDecay(): void {
    const w = this.width;
    const sums = this.sums;
    const decay = this.decay;
    for (let k = 0; k < this.decayingCount; k++) {
      const s = (this.decaying[k] as number) * w;
      const d = k * w;
      for (let c = 0; c < w; c++) sums[s + c] = (sums[s + c] as number) - (decay[d + c] as number);
    }
  }

  /** Keeps the live row count and the active list. */
  private counted(id: number, s: number, sign: number): void {
    if (sign > 0) {
      if ((this.rowCount[id] = (this.rowCount[id] as number) + 1) === 1) this.activate(id);
    } else if ((this.rowCount[id] = (this.rowCount[id] as number) - 1) === 0) {
      // Exactly zero again: drop float residue and leave the active list.
      this.sums.fill(0, s, s + this.width);
      this.deactivate(id);
    }
  }

  /**
   * Counts a near-real-time contribution for the onset estimate; the first row of a quiet target starts
   * a surge at t (when `mayStart`: only a record's first part may).
   */
  countRecent(id: number, pkts: number, bytes: number, t: number, mayStart: boolean): void {
    const on = this.onset;
    const o = id * ONSET_WIDTH;
    if (mayStart && this.rowCount[id] === 1) {
      on[o + O_CALM_AT] = t;
      on[o + O_CALM_BPS] = 0;
      on[o + O_CALM_P] = on[o + O_CUM_P] as number;
      on[o + O_CALM_B] = on[o + O_CUM_B] as number;
      on[o + O_CALM_N] = on[o + O_CUM_N] as number;
      on[o + O_FIRST_AT] = Number.NaN;
    }
    // first arrival since calm (NaN: none yet; an earlier record time replaces it) and what came with it
    const first = on[o + O_FIRST_AT] as number;
    if (!(t >= first)) {
      on[o + O_FIRST_AT] = t;
      on[o + O_FIRST_P] = pkts;
      on[o + O_FIRST_B] = bytes;
      if (!(t <= (on[o + O_LAST_AT] as number))) on[o + O_LAST_AT] = t;
    } else {
      if (t === first) {
        on[o + O_FIRST_P] = (on[o + O_FIRST_P] as number) + pkts;
        on[o + O_FIRST_B] = (on[o + O_FIRST_B] as number) + bytes;
      }
      if (t > (on[o + O_LAST_AT] as number)) on[o + O_LAST_AT] = t;
    }
    on[o + O_CUM_N] = (on[o + O_CUM_N] as number) + 1;
    on[o + O_CUM_P] = (on[o + O_CUM_P] as number) + pkts;
    on[o + O_CUM_B] = (on[o + O_CUM_B] as number) + bytes;
  }

  private activate(id: number): void {
    this.activePos[id] = this.activeCount;
    this.active[this.activeCount++] = id;
  }

  private deactivate(id: number): void {
    const pos = this.activePos[id] as number;
    if (pos < 0) return;
    const last = this.active[--this.activeCount] as number;
    this.active[pos] = last;
    this.activePos[last] = pos;
    this.activePos[id] = -1;
  }

  /** Evicts targets idle since before `before` (no rows, no open attack); returns how many. */
  evictIdle(before: number, limit = Infinity): number {
    let n = 0;
    const lim = this.table.idLimit;
    for (let id = 0; id < lim && n < limit; id++) {
      if (this.table.family[id] === 0 || this.rowCount[id] !== 0 || this.pinned[id] !== 0) continue;
      if ((this.lastSeen[id] as number) >= before) continue;
      this.baselines.release(id);
      this.table.remove(id);
      n++;
    }
    this.evictions += n;
    return n;
  }

  get size(): number {
    return this.table.size;
  }
}
