// Which records keep a row (issue 15): rows (rows.ts) are read only by the signature builder and the
// legitimate-traffic measurement, i.e. for targets over a threshold, under attack or under a rule. A
// record keeps one when any of its targets is near a threshold: its window sums pass `rowShare` of its
// lowest limit (checked per record, so rows start within the tick a flood begins), or the tick's check
// found its rate or surge estimate there (thresholds.ts), or it is under attack or a rule (detector.ts).
// Every other record is counted (buckets.ts) without writing one, which is most of them.

import type { DetectionConfig } from './config.js';
import type { CounterSet } from './counters.js';
import type { Policies } from './policy.js';

/** CounterSet.rowWant bits. */
export const ROWS_HOT = 1;
export const ROWS_RULE = 2;

/** Columns of CounterSet.rowLimit per target: window packets, bytes and flows. */
export const ROW_LIMIT_WIDTH = 3;

export class RowGate {
  /** rowShare 0: every record keeps a row (the accounting before issue 15). */
  readonly all: boolean;
  /** Row limits per set and policy index (computed when a policy is first seen). */
  private readonly cache: Float64Array[][] = [[], [], [], [], [], []];
  private readonly holdMs: number;

  constructor(
    private readonly cfg: DetectionConfig,
    private readonly policies: Policies,
    private readonly winSec: number,
  ) {
    this.all = cfg.rowShare === 0;
    this.holdMs = cfg.window;
  }

  /**
   * Window sums (packets, bytes, flows) at which a target of set si with policy pol keeps rows:
   * rowShare of its smallest packet-rate, bit-rate and flow-rate limits. Every packet measure is at most
   * the pps and every bit measure at most the bps, and a dynamic limit is never below its floor, so
   * below these no measure is within rowShare of its limit (the same reasoning as Thresholds.check).
   */
  limitsOf(si: number, pol: number): Float64Array {
    const cached = this.cache[si]?.[pol];
    if (cached) return cached;
    const d = si & 1;
    const g = si < 2 ? this.policies.hostPolicies[pol]!.group : this.policies.groups[pol]!;
    const L = (
      si < 2 ? this.policies.hostPolicies[pol]!.host[d] : si < 4 ? g.prefix[d] : g.total[d]
    ) as Float64Array;
    let minP = Math.min(L[0] as number, L[3] as number, L[4] as number, L[6] as number, L[8] as number);
    let minB = Math.min(L[1] as number, L[5] as number, L[7] as number, L[9] as number);
    if (g.mode !== 'static') {
      minP = Math.min(minP, this.cfg.dynamic.minPps);
      minB = Math.min(minB, this.cfg.dynamic.minBps);
    }
    const k = this.cfg.rowShare * this.winSec;
    const out = Float64Array.of(k * minP, (k * minB) / 8, k * (L[2] as number));
    this.cache[si]![pol] = out;
    return out;
  }

  /** Sets a new target's row limits (at insert). */
  init(si: number, set: CounterSet, id: number): void {
    set.rowLimit.set(this.limitsOf(si, set.policy[id] as number), id * ROW_LIMIT_WIDTH);
  }

  /** Whether target id's records keep rows now (per record: flags, then the live sums). */
  wants(set: CounterSet, id: number): boolean {
    if (set.rowWant[id] !== 0) return true;
    const s = id * set.width;
    const l = id * ROW_LIMIT_WIDTH;
    const sums = set.sums;
    const lim = set.rowLimit;
    return (
      (sums[s] as number) >= (lim[l] as number) ||
      (sums[s + 1] as number) >= (lim[l + 1] as number) ||
      (sums[s + 2] as number) >= (lim[l + 2] as number)
    );
  }

  /**
   * The tick's view (thresholds.ts): a target whose window sums or surge estimate (packets, bytes over
   * a window) pass its row limits, or that is under attack, keeps rows for one more window after.
   */
  mark(set: CounterSet, id: number, p: number, b: number, now: number): void {
    const l = id * ROW_LIMIT_WIDTH;
    const lim = set.rowLimit;
    const s = id * set.width;
    const hot =
      set.pinned[id] !== 0 ||
      p >= (lim[l] as number) ||
      b >= (lim[l + 1] as number) ||
      (set.sums[s + 2] as number) >= (lim[l + 2] as number);
    if (hot) {
      set.rowsUntil[id] = now + this.holdMs;
      set.rowWant[id] = (set.rowWant[id] as number) | ROWS_HOT;
    } else if (now >= (set.rowsUntil[id] as number))
      set.rowWant[id] = (set.rowWant[id] as number) & ~ROWS_HOT;
  }
}
