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

/**
 * Adds (sign 1) or subtracts (sign -1) row r to the metric vector at sums[s ..]; columns at or past
 * `width` are skipped (host sets keep only the threshold measures; classification reads the rows).
 */
export function addContribution(
  sums: Float64Array,
  s: number,
  width: number,
  rows: RowStore,
  r: number,
  sign: number,
): void {
  const p = (rows.pkts[r] as number) * sign;
  const b = (rows.bytes[r] as number) * sign;
  sums[s + M_PKTS] = (sums[s + M_PKTS] as number) + p;
  sums[s + M_BYTES] = (sums[s + M_BYTES] as number) + b;
  sums[s + M_FLOWS] = (sums[s + M_FLOWS] as number) + (rows.flows[r] as number) * sign;
  const pc = protoClass(rows.proto[r] as number);
  sums[s + M_TCP_PKTS + pc] = (sums[s + M_TCP_PKTS + pc] as number) + p;
  sums[s + M_TCP_PKTS + 4 + pc] = (sums[s + M_TCP_PKTS + 4 + pc] as number) + b;
  const fl = rows.flags[r] as number;
  if (pc === PC_TCP && fl & TCP_SYN && !(fl & TCP_ACK)) sums[s + M_SYN] = (sums[s + M_SYN] as number) + p;
  if (width <= M_SYN + 1) return;
  if (pc === PC_TCP) {
    if (fl & TCP_ACK) sums[s + M_ACK] = (sums[s + M_ACK] as number) + p;
    if (fl & TCP_RST) sums[s + M_RST] = (sums[s + M_RST] as number) + p;
    if (fl & OTHER_FLAGS) sums[s + M_FLAGS_OTHER] = (sums[s + M_FLAGS_OTHER] as number) + p;
    if (fl !== 0 && (fl & ~(TCP_ACK | TCP_RST)) === 0)
      sums[s + M_ACK_RST_ONLY] = (sums[s + M_ACK_RST_ONLY] as number) + p;
  } else if (pc === PC_UDP) {
    const a = AMP_INDEX[rows.srcPort[r] as number] as number;
    if (a !== 255) sums[s + M_AMP0 + a] = (sums[s + M_AMP0 + a] as number) + p;
  } else if (pc !== PC_ICMP && rows.proto[r] === 47) {
    sums[s + M_GRE_PKTS] = (sums[s + M_GRE_PKTS] as number) + p;
  }
  const fr = rows.frag[r] as number;
  if (fr & FRAG_IS_FRAGMENT) sums[s + M_FRAG] = (sums[s + M_FRAG] as number) + p;
  if (fr & FRAG_LATER) sums[s + M_FRAG_LATER] = (sums[s + M_FRAG_LATER] as number) + p;
  const bin = M_SIZE0 + sizeBin(rows.size[r] as number);
  sums[s + bin] = (sums[s + bin] as number) + p;
}

/**
 * Onset state per id, interleaved so that one cache line holds it: packets and bytes counted near real
 * time (only ever added), the same counts and the time at the last calm tick, and the window bits/s then.
 */
export const ONSET_WIDTH = 8;
export const O_CUM_P = 0;
export const O_CUM_B = 1;
export const O_CALM_P = 2;
export const O_CALM_B = 3;
export const O_CALM_AT = 4;
export const O_CALM_BPS = 5;
/** Rows counted near real time, and their number at the last calm tick. */
export const O_CUM_N = 6;
export const O_CALM_N = 7;

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
    this.baselines.reset(id, sec, p99);
    return id;
  }

  /** Adds (sign 1) or removes (sign -1) row r's contribution to target id. */
  apply(id: number, rows: RowStore, r: number, sign: number): void {
    const s = id * this.width;
    const sums = this.sums;
    addContribution(sums, s, this.width, rows, r, sign);
    if (sign > 0) {
      if ((this.rowCount[id] = (this.rowCount[id] as number) + 1) === 1) this.activate(id);
    } else if ((this.rowCount[id] = (this.rowCount[id] as number) - 1) === 0) {
      // Exactly zero again: drop float residue and leave the active list.
      sums.fill(0, s, s + this.width);
      this.deactivate(id);
    }
  }

  /** Counts a near-real-time contribution for the onset estimate; the first row of a quiet target starts a surge at t. */
  countRecent(id: number, pkts: number, bytes: number, t: number): void {
    const on = this.onset;
    const o = id * ONSET_WIDTH;
    if (this.rowCount[id] === 1) {
      on[o + O_CALM_AT] = t;
      on[o + O_CALM_BPS] = 0;
      on[o + O_CALM_P] = on[o + O_CUM_P] as number;
      on[o + O_CALM_B] = on[o + O_CUM_B] as number;
      on[o + O_CALM_N] = on[o + O_CUM_N] as number;
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
