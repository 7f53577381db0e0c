// Which records keep a row (issue 15): rows (rows.ts) are read only by the signature builder and the
// legitimate-traffic measurement, i.e. for targets over a threshold, under attack or under a rule. A
// record keeps one when any of its targets is near a threshold: its window sums pass `rowShare` of its
// lowest limit (checked per record, so rows start within the tick a flood begins), or the tick's check
// found its rate or surge estimate there (thresholds.ts), or it is under attack or a rule (detector.ts).
// Every other record is counted (buckets.ts) without writing one, which is most of them.

import type { DetectionConfig } from './config.js';
import { type CounterSet, ROW_LIMITS } from './counters.js';
import type { Policies } from './policy.js';

/** CounterSet.rowWant bits. */
export const ROWS_HOT = 1;
export const ROWS_RULE = 2;

/** Row limits per policy: window packets, bytes and flows. */
const RL = ROW_LIMITS;

export class RowGate {
  /** rowShare 0: every record keeps a row (the accounting before issue 15). */
  readonly all: boolean;
  /**
   * Row limits per set, RL columns per policy index (host policy for host sets, group otherwise),
   * filled when a target of the policy is first inserted: per policy rather than per target, so the
   * per-record check reads a few hot cache lines.
   */
  private readonly limits: Float64Array[] = Array.from({ length: 6 }, () => new Float64Array(0));
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
  private limitsOf(si: number, pol: number): [number, number, number] {
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
    return [k * minP, (k * minB) / 8, k * (L[2] as number)];
  }

  /** Writes a new target's row limits into its block (CounterSet.rowLimOff; worked out once per policy). */
  init(si: number, set: CounterSet, id: number): void {
    const pol = set.policy[id] as number;
    let lim = this.limits[si] as Float64Array;
    if (pol * RL >= lim.length || Number.isNaN(lim[pol * RL])) {
      if (pol * RL >= lim.length) {
        const grown = new Float64Array(Math.max(4, pol + 1) * 2 * RL).fill(Number.NaN);
        grown.set(lim);
        this.limits[si] = lim = grown;
      }
      lim.set(this.limitsOf(si, pol), pol * RL);
    }
    const r = id * set.stride + set.rowLimOff;
    set.sums[r] = lim[pol * RL] as number;
    set.sums[r + 1] = lim[pol * RL + 1] as number;
    set.sums[r + 2] = lim[pol * RL + 2] as number;
  }

  /**
   * Whether target id keeps rows now (per record: flags, then the live sums against the limits in its
   * own block — a check that reads no other table measured 20 % of the per-record cost when it did).
   */
  wants(set: CounterSet, id: number): boolean {
    if (set.rowWant[id] !== 0) return true;
    const s = id * set.stride;
    const r = s + set.rowLimOff;
    const sums = set.sums;
    return (
      (sums[s] as number) >= (sums[r] as number) ||
      (sums[s + 1] as number) >= (sums[r + 1] as number) ||
      (sums[s + 2] as number) >= (sums[r + 2] as number)
    );
  }

  /**
   * The tick's view (thresholds.ts): a target whose window sums or surge estimate (packets, bytes over
   * a window) pass its row limits, or that is under attack, keeps rows for one more window after.
   */
  mark(set: CounterSet, id: number, p: number, b: number, now: number): void {
    const s = id * set.stride;
    const r = s + set.rowLimOff;
    const sums = set.sums;
    const hot =
      set.pinned[id] !== 0 ||
      p >= (sums[r] as number) ||
      b >= (sums[r + 1] as number) ||
      (sums[s + 2] as number) >= (sums[r + 2] as number);
    if (hot) {
      set.rowsUntil[id] = now + this.holdMs;
      set.rowWant[id] = (set.rowWant[id] as number) | ROWS_HOT;
    } else if (now >= (set.rowsUntil[id] as number))
      set.rowWant[id] = (set.rowWant[id] as number) & ~ROWS_HOT;
  }
}
