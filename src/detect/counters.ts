// Window sums for one kind of target (hosts, prefixes or groups) in one direction: an open-addressing
// KeyTable for the ids and typed-array columns indexed by id — METRIC_COUNT sums, the number of records
// in the window, last-seen time, the policy/group, the list of targets with traffic in the window, and
// the learned baselines. A record is added by one kernel; the bucket aggregates (buckets.ts) that take
// it off again are built by the same kernel, and the sums are reset to zero when the last record leaves.

import { Baselines, type BaselineParams } from './baseline.js';
import { grownColumn } from './columns.js';
import { METRIC_COUNT as M } from './metrics.js';
import { KeyTable } from './table.js';

export { HOST_WIDTH, addContribution, classifyRow, contributionMask } from './contribution.js';

/**
 * Onset state per id, interleaved in the target's block: packets and bytes counted near real time (only
 * ever added), the same counts and the time at the last calm tick, the window bits/s then, and since then
 * the time of the first and last record counted and what arrived in the first delivery, and when it ended.
 */
export const ONSET_WIDTH = 13;
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
 * packets and bytes of the first delivery — what arrived within FIRST_DELIVERY_MS of the first record —
 * and when its last record arrived: a surge's rate is what came after its first delivery over the time
 * from that delivery to the last arrival (thresholds.ts, onset).
 */
export const O_FIRST_AT = 8;
export const O_FIRST_P = 9;
export const O_FIRST_B = 10;
export const O_LAST_AT = 11;
export const O_FIRST_END = 12;
/**
 * Records arriving within this many ms of a surge's first record are one delivery. A software exporter
 * sends its samples in bursts (pmacctd's sfprobe: ~100 datagrams within 0.5 ms every ~200 ms), each
 * carrying the traffic since the previous one; the first burst's traffic came before the surge's first
 * arrival, so it is left out of the rate with the time it took. Paced datagrams are one per instant and
 * lose nothing by it.
 */
export const FIRST_DELIVERY_MS = 10;
/** Row limit columns per id (packets, bytes, flows; rowgate.ts). */
export const ROW_LIMITS = 3;

export class CounterSet {
  readonly table: KeyTable;
  /**
   * One block of `stride` doubles per id (issue 15: what a record adds to sits in adjacent cache lines,
   * not in separate arrays): the window sums (width columns, from id * stride), then the target's
   * records not yet filed in its bucket entry (width columns from + width, their count at + 2 * width
   * and their ring slot at + 2 * width + 1; see buckets.ts), then its onset state (ONSET_WIDTH columns from
   * onsetAt(id)), then its row limits (ROW_LIMITS columns from + rowLimOff, set by RowGate.init). Readers
   * of the sums index from id * stride.
   */
  sums: Float64Array;
  /** Doubles per id in `sums`. */
  readonly stride: number;
  /** Offset of the onset columns in an id's block. */
  readonly onsetOff: number;
  /**
   * Offset of the row limits in an id's block: window packets, bytes and flows at which the target keeps
   * rows (rowgate.ts). Beside the sums, so that the per-record check reads the target's own block only.
   */
  readonly rowLimOff: number;
  /** Ids that had records pending since the window last moved (pendCount of them; some may be filed). */
  pendList: Int32Array;
  pendCount = 0;
  /** Records in the window (one spanning several buckets counts until its last part leaves). */
  inWindow: Int32Array;
  /**
   * Why the target's records keep rows (rows.ts), as bits: ROWS_HOT while near or over a threshold
   * (thresholds.ts, until rowsUntil), ROWS_RULE while a rule stands for it (detector.ts). The window
   * also keeps rows while its sums pass its policy's row limits (rowgate.ts), without this flag.
   */
  rowWant: Uint8Array;
  rowsUntil: Float64Array;
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
   * Onset estimate (detector.ts), ONSET_WIDTH columns (O_*) from onsetAt(id) — the same array as
   * `sums`, each id's columns in its block: (cum − calm counts) / (now − calm
   * time) is the rate of a surge over its own elapsed time.
   */
  onset: Float64Array;
  /**
   * Per-bucket decay of each target (buckets.ts): the sum of the equal middle-part shares of its flow
   * records still spanning older buckets, taken off the sums once per bucket leaving the window. Slots
   * only for the targets that decay now: vector, record count and target of each slot.
   */
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
    this.onsetOff = 2 * width + 2;
    this.rowLimOff = this.onsetOff + ONSET_WIDTH;
    this.stride = this.rowLimOff + ROW_LIMITS;
    this.sums = new Float64Array(cap * this.stride);
    this.onset = this.sums;
    this.pendList = new Int32Array(cap);
    this.inWindow = new Int32Array(cap);
    this.rowWant = new Uint8Array(cap);
    this.rowsUntil = new Float64Array(cap);
    this.lastSeen = new Float64Array(cap);
    this.policy = new Int32Array(cap);
    this.prefixId = new Int32Array(cap).fill(-1);
    this.prefixGen = new Uint32Array(cap);
    this.gen = new Uint32Array(cap);
    this.pinned = new Uint8Array(cap);
    this.active = new Int32Array(cap);
    this.activePos = new Int32Array(cap).fill(-1);
    this.decayPos = new Int32Array(cap).fill(-1);
    this.baselines = new Baselines(cap, baseline);
  }

  private grow(cap: number): void {
    const f64 = (a: Float64Array, width: number) => grownColumn(a, Float64Array, cap * width, a.length);
    const i32 = (a: Int32Array, fill = 0) => grownColumn(a, Int32Array, cap, a.length, fill);
    const u32 = (a: Uint32Array) => grownColumn(a, Uint32Array, cap, a.length);
    const u8 = (a: Uint8Array) => grownColumn(a, Uint8Array, cap, a.length);
    this.sums = f64(this.sums, this.stride);
    this.onset = this.sums;
    this.pendList = i32(this.pendList);
    this.lastSeen = f64(this.lastSeen, 1);
    this.policy = i32(this.policy);
    this.prefixId = i32(this.prefixId, -1);
    this.prefixGen = u32(this.prefixGen);
    this.gen = u32(this.gen);
    this.pinned = u8(this.pinned);
    this.rowWant = u8(this.rowWant);
    this.rowsUntil = f64(this.rowsUntil, 1);
    this.active = i32(this.active);
    this.activePos = i32(this.activePos, -1);
    this.inWindow = i32(this.inWindow);
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
    this.sums.fill(0, id * this.stride, (id + 1) * this.stride);
    this.inWindow[id] = 0;
    this.rowWant[id] = 0;
    this.rowsUntil[id] = 0;
    this.policy[id] = policy;
    this.prefixId[id] = -1;
    this.gen[id] = (this.gen[id] as number) + 1;
    this.pinned[id] = 0;
    this.activePos[id] = -1;
    const o = this.onsetAt(id);
    this.onset[o + O_CALM_AT] = Number.NEGATIVE_INFINITY;
    this.onset[o + O_FIRST_AT] = Number.NaN;
    this.onset[o + O_LAST_AT] = Number.NaN;
    this.onset[o + O_FIRST_END] = Number.NaN;
    this.baselines.reset(id, sec, p99);
    return id;
  }

  /** Index of target id's onset columns (O_*) in `onset`. */
  onsetAt(id: number): number {
    return id * this.stride + this.onsetOff;
  }

  /** One more record of target id in the window (its amounts are added by the caller). */
  recordIn(id: number): void {
    if ((this.inWindow[id] = (this.inWindow[id] as number) + 1) === 1) this.activate(id);
  }

  /**
   * Takes a bucket's aggregate vec[off ..] (buckets.ts) off target id's sums, and its n records off the
   * count; exactly zero again when the last record left (drops float residue, leaves the active list).
   */
  subtract(id: number, vec: Float64Array, off: number, n: number): void {
    const w = this.width;
    const s = id * this.stride;
    const sums = this.sums;
    for (let c = 0; c < w; c++) sums[s + c] = (sums[s + c] as number) - (vec[off + c] as number);
    if (n === 0) return;
    if ((this.inWindow[id] = (this.inWindow[id] as number) - n) === 0) {
      sums.fill(0, s, s + w);
      this.deactivate(id);
    }
  }

  /** Adds a bucket's change of decay vec[off ..] (n records starting or, negative, ending) to target id. */
  decayChange(id: number, vec: Float64Array, off: number, n: number): void {
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
    const d = this.decay;
    const o = k * w;
    for (let c = 0; c < w; c++) d[o + c] = (d[o + c] as number) + (vec[off + c] as number);
    if ((this.decayN[k] = (this.decayN[k] as number) + n) > 0) return;
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
    this.decay = grownColumn(this.decay, Float64Array, slots * this.width, this.decay.length);
    this.decayN = grownColumn(this.decayN, Int32Array, slots, this.decayN.length);
    this.decaying = grownColumn(this.decaying, Int32Array, slots, this.decaying.length);
  }

  /** One bucket left the window: every decaying target loses its per-bucket share. */
  applyDecay(): void {
    const w = this.width;
    const st = this.stride;
    const sums = this.sums;
    const decay = this.decay;
    for (let k = 0; k < this.decayingCount; k++) {
      const s = (this.decaying[k] as number) * st;
      const d = k * w;
      for (let c = 0; c < w; c++) sums[s + c] = (sums[s + c] as number) - (decay[d + c] as number);
    }
  }

  /**
   * Target id is calm at `at`: a later surge is counted from here (what it has counted so far, and no
   * arrival yet). The calm tick (thresholds.ts) and a quiet target's first record both start here.
   */
  calmAt(id: number, at: number): void {
    const on = this.onset;
    const o = this.onsetAt(id);
    on[o + O_CALM_AT] = at;
    on[o + O_CALM_P] = on[o + O_CUM_P] as number;
    on[o + O_CALM_B] = on[o + O_CUM_B] as number;
    on[o + O_CALM_N] = on[o + O_CUM_N] as number;
    on[o + O_FIRST_AT] = Number.NaN;
    on[o + O_LAST_AT] = Number.NaN;
    on[o + O_FIRST_END] = Number.NaN;
  }

  /**
   * Counts a near-real-time contribution (part k of a record: P, B, T) for the onset estimate; the first record of a quiet target
   * starts a surge at t (when `mayStart`: only a record's first part may).
   */
  countRecent(
    id: number,
    P: Float64Array,
    B: Float64Array,
    T: Float64Array,
    k: number,
    mayStart: boolean,
  ): void {
    // packets, bytes and time of part k (arrays rather than double arguments: no boxing per call)
    const pkts = P[k] as number;
    const bytes = B[k] as number;
    const t = T[k] as number;
    const on = this.onset;
    const o = this.onsetAt(id);
    if (mayStart && this.inWindow[id] === 1) {
      this.calmAt(id, t);
      on[o + O_CALM_BPS] = 0;
    }
    // first arrival since calm (NaN: none yet) and the first delivery: what came within
    // FIRST_DELIVERY_MS of it, and when the last of that came. An earlier record time starts the
    // delivery again from it (keeping what it held when that is still within FIRST_DELIVERY_MS).
    const first = on[o + O_FIRST_AT] as number;
    if (!(t >= first)) {
      if (!((on[o + O_FIRST_END] as number) - t <= FIRST_DELIVERY_MS)) {
        on[o + O_FIRST_P] = 0;
        on[o + O_FIRST_B] = 0;
        on[o + O_FIRST_END] = t;
      }
      on[o + O_FIRST_AT] = t;
      on[o + O_FIRST_P] = (on[o + O_FIRST_P] as number) + pkts;
      on[o + O_FIRST_B] = (on[o + O_FIRST_B] as number) + bytes;
      if (!(t <= (on[o + O_LAST_AT] as number))) on[o + O_LAST_AT] = t;
    } else {
      if (t - first <= FIRST_DELIVERY_MS) {
        on[o + O_FIRST_P] = (on[o + O_FIRST_P] as number) + pkts;
        on[o + O_FIRST_B] = (on[o + O_FIRST_B] as number) + bytes;
        if (t > (on[o + O_FIRST_END] as number)) on[o + O_FIRST_END] = t;
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

  /** Evicts targets idle since before `before` (no records in the window, no open attack); returns how many. */
  evictIdle(before: number, limit = Infinity): number {
    let n = 0;
    const lim = this.table.idLimit;
    for (let id = 0; id < lim && n < limit; id++) {
      if (this.table.family[id] === 0 || this.inWindow[id] !== 0 || this.pinned[id] !== 0) continue;
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
