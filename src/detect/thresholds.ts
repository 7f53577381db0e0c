// Thresholds: judges each target's window rates against its static limits or its learned baseline
// (EWMA or rolling p99, baseline.ts), learns the baselines once a second, and at the onset of a surge
// reads pps and bps over the surge's own elapsed time, because the window still holds the calm before it.

import type { CounterSet } from './counters.js';
import {
  O_CALM_AT,
  O_CALM_B,
  O_CALM_BPS,
  O_CALM_N,
  O_CALM_P,
  O_CUM_B,
  O_CUM_N,
  O_CUM_P,
  O_FIRST_B,
  O_FIRST_END,
  O_FIRST_P,
  O_LAST_AT,
} from './counters.js';
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
import type { GroupPolicy } from './policy.js';
import { type CountWindow, LEVELS, type Level } from './window.js';

/** LIMIT index → BASE index (-1 when that limit has no baseline). */
const LIMIT_TO_BASE = LIMIT_KEYS.map((k) => (BASE_KEYS as readonly string[]).indexOf(k));
export const OTHER_BASE = BASE_KEYS.indexOf('otherPps');
/** Weight of each calm tick's window rate in what a target receives while calm. */
const CALM_EWMA = 0.2;

/** The worst limit a target crosses (filled by Thresholds.check). */
export interface Crossing {
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

export const newCrossing = (): Crossing => ({
  onsetMs: 0,
  estPps: -1,
  estBps: -1,
  ratio: 0,
  limit: 0,
  rate: 0,
  source: '',
});

/** A rate in short text: 1.50M, 20.0k. */
export const fmt = (n: number) =>
  n >= 1e9
    ? `${(n / 1e9).toFixed(2)}G`
    : n >= 1e6
      ? `${(n / 1e6).toFixed(2)}M`
      : n >= 1e3
        ? `${(n / 1e3).toFixed(1)}k`
        : n.toFixed(0);

export class Thresholds {
  private readonly scratchBase = new Float64Array(BASE_COUNT);
  /** Onset estimate of the target last asked (pps, bps). */
  private readonly est = new Float64Array(2);

  constructor(private readonly w: CountWindow) {}

  /** One baseline sample per second for every target with traffic whose group learns. */
  learn(sec: number): void {
    const v = this.scratchBase;
    for (let si = 0; si < this.w.sets.length; si++) {
      const set = this.w.sets[si] as CounterSet;
      for (let a = 0; a < set.activeCount; a++) {
        const id = set.active[a] as number;
        if (this.w.groupOf(si, id).mode === 'static') continue;
        if (set.pinned[id]) {
          set.baselines.hold(id, sec);
          continue;
        }
        const s = id * set.stride;
        for (let m = 0; m < BASE_COUNT; m++)
          v[m] =
            ((set.sums[s + (BASE_COLUMN[m] as number)] as number) * (BASE_SCALE[m] as number)) /
            this.w.winSec;
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
    const dyn = this.w.cfg.dynamic;
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
    const o = set.onsetAt(id);
    const el = now - (on[o + O_CALM_AT] as number);
    if (!(el >= this.w.cfg.onset.minMs) || el >= this.w.cfg.window) return false;
    // enough samples that a few datagrams delivered together do not make a surge
    if ((on[o + O_CUM_N] as number) - (on[o + O_CALM_N] as number) < this.w.cfg.onset.minSamples)
      return false;
    const p = (on[o + O_CUM_P] as number) - (on[o + O_CALM_P] as number);
    const b = (on[o + O_CUM_B] as number) - (on[o + O_CALM_B] as number);
    // Over the surge's own arrivals: what came after its first delivery (counters.ts FIRST_DELIVERY_MS)
    // over the time from the end of that delivery to the last arrival. Counting from the calm tick instead
    // under-reads by the quiet time before the first record, and counting the first delivery over that
    // time over-reads: with sFlow datagrams a few per 100 ms, a flood of 2× its threshold read anywhere
    // from 1.7× to 2.4× (bench/e2e.bench.ts), and pmacctd's bursts every ~200 ms read 2× at 200 ms and
    // 1.5× at 400 ms when only the first datagram was left out. When the arrivals after the first delivery
    // span less than half of onset.minMs (or nothing came after it), everything counted over the time
    // since calm, the lower reading.
    const span = (on[o + O_LAST_AT] as number) - (on[o + O_FIRST_END] as number);
    if (span > 0 && span >= this.w.cfg.onset.minMs / 2) {
      this.est[0] = (p - (on[o + O_FIRST_P] as number)) / (span / 1000);
      this.est[1] = ((b - (on[o + O_FIRST_B] as number)) * 8) / (span / 1000);
    } else {
      this.est[0] = p / (el / 1000);
      this.est[1] = (b * 8) / (el / 1000);
    }
    // Only while the surge goes on (traffic within the last tick): a burst that is over is not extrapolated.
    return now - (set.lastSeen[id] as number) <= this.w.tickMs;
  }

  /**
   * Calm = the window and the traffic since the last calm tick both below onset.calmShare of the pps and
   * bps thresholds: a later surge is then measured from this tick. A surge keeps its start because its
   * own rate is not calm.
   */
  private markCalm(set: CounterSet, id: number, limits: Float64Array, now: number): void {
    const share = this.w.cfg.onset.calmShare;
    const s = id * set.stride;
    const maxP = share * (limits[0] as number);
    const maxB = share * (limits[1] as number);
    if ((set.sums[s] as number) / this.w.winSec >= maxP) return;
    if (((set.sums[s + 1] as number) * 8) / this.w.winSec >= maxB) return;
    const on = set.onset;
    const o = set.onsetAt(id);
    const el = (now - (on[o + O_CALM_AT] as number)) / 1000;
    if (!(el > 0)) return;
    if (((on[o + O_CUM_P] as number) - (on[o + O_CALM_P] as number)) / el >= maxP) return;
    if ((((on[o + O_CUM_B] as number) - (on[o + O_CALM_B] as number)) * 8) / el >= maxB) return;
    set.calmAt(id, now);
    // what the target receives while calm, averaged over the last calm ticks
    const bps = ((set.sums[s + 1] as number) * 8) / this.w.winSec;
    const prev = on[o + O_CALM_BPS] as number;
    on[o + O_CALM_BPS] = prev > 0 ? prev + CALM_EWMA * (bps - prev) : bps;
  }

  /** Worst threshold crossing of one target, or undefined when it is within all limits. */
  check(si: number, id: number, sec: number, now: number, out: Crossing): number {
    const set = this.w.sets[si] as CounterSet;
    const g = this.w.groupOf(si, id);
    const d = si & 1;
    const level = LEVELS[si >> 1] as Level;
    let limits: Float64Array;
    let staticSource: string;
    if (level === 'host') {
      const hp = this.w.policies.hostPolicies[
        set.policy[id] as number
      ] as (typeof this.w.policies.hostPolicies)[number];
      limits = hp.host[d] as Float64Array;
      staticSource = hp.override ? `override ${hp.override}` : `group ${g.name} host threshold`;
    } else {
      limits = (level === 'prefix' ? g.prefix[d] : g.total[d]) as Float64Array;
      staticSource = `group ${g.name} ${level === 'prefix' ? 'prefix' : 'total'} threshold`;
    }
    const s = id * set.stride;
    // Onset: a surge since the target was last calm is read over its own elapsed time (pps and bps).
    let estP = -1;
    let estB = -1;
    // Rows (rowgate.ts): the window sums, or for hosts what the surge since the last calm tick would
    // put into a window at its rate (any elapsed time: this only decides which records keep detail).
    let rowP = set.sums[s] as number;
    let rowB = set.sums[s + 1] as number;
    if (si < 2 && this.w.cfg.onset.enabled) {
      const on = set.onset;
      const o = set.onsetAt(id);
      const el = now - (on[o + O_CALM_AT] as number);
      if (el > 0 && el < Infinity) {
        const scale = (this.w.winSec * 1000) / el;
        rowP = Math.max(rowP, ((on[o + O_CUM_P] as number) - (on[o + O_CALM_P] as number)) * scale);
        rowB = Math.max(rowB, ((on[o + O_CUM_B] as number) - (on[o + O_CALM_B] as number)) * scale);
      }
      if (this.onset(set, id, now)) {
        estP = this.est[0] as number;
        estB = this.est[1] as number;
      }
      this.markCalm(set, id, limits, now);
    }
    if (!this.w.gate.all) this.w.gate.mark(set, id, rowP, rowB, now);
    // Early out (most targets, most ticks): every packet measure is ≤ pps and every bit measure ≤ bps,
    // and a dynamic limit is never below its floor, so below the smallest limits nothing can cross.
    {
      const L = limits;
      let minP = Math.min(L[0] as number, L[3] as number, L[4] as number, L[6] as number, L[8] as number);
      let minB = Math.min(L[1] as number, L[5] as number, L[7] as number, L[9] as number);
      if (g.mode !== 'static') {
        minP = Math.min(minP, this.w.cfg.dynamic.minPps);
        minB = Math.min(minB, this.w.cfg.dynamic.minBps);
      }
      const w = this.w.winSec;
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
          ((set.sums[s + (LIMIT_COLUMN[k] as number)] as number) * (LIMIT_SCALE[k] as number)) /
          this.w.winSec;
        const est = k === 0 ? estP : k === 1 ? estB : -1;
        if (est > rate) {
          rate = est;
          onsetRate = true;
        }
        lim = limits[k] as number;
      } else {
        if (!dynamic) break;
        rate =
          ((set.sums[s + (BASE_COLUMN[bm] as number)] as number) * (BASE_SCALE[bm] as number)) /
          this.w.winSec;
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
        out.onsetMs = onsetRate ? now - (set.onset[set.onsetAt(id) + O_CALM_AT] as number) : 0;
      }
    }
    return worst;
  }
}
