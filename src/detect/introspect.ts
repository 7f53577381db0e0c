// Introspection of the counting window for APIs and charts: a target's current rates, the busiest
// hosts, and a target's rate beside its learned normal. Read-only.

import type { Direction } from '../domain/attack.js';
import { BASE_COLUMN, BASE_COUNT, LIMIT_COLUMN, LIMIT_COUNT, LIMIT_KEYS, LIMIT_SCALE } from './metrics.js';
import type { CounterSet } from './counters.js';
import type { GroupPolicy } from './policy.js';
import { parsePrefixWords } from './persistence.js';
import { type CountWindow, LEVELS, type Level } from './window.js';

/** One target's current rate and learned normal (see trafficSample). */
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

/** Current window rates of one target (tests, API): undefined when it is not tracked. */
export function windowRates(
  w: CountWindow,
  level: Level,
  direction: Direction,
  target: string,
): Record<string, number> | undefined {
  const si = LEVELS.indexOf(level) * 2 + (direction === 'incoming' ? 0 : 1);
  const set = w.sets[si] as CounterSet;
  for (let id = 0; id < set.table.idLimit; id++) {
    if (set.table.family[id] === 0) continue;
    if (level !== 'group' && w.targetText(set, id) !== target) continue;
    if (level === 'group' && w.policies.groups[set.policy[id] as number]?.name !== target) continue;
    const s = id * set.stride;
    const out: Record<string, number> = {};
    for (let k = 0; k < LIMIT_COUNT; k++)
      out[LIMIT_KEYS[k] as string] =
        ((set.sums[s + (LIMIT_COLUMN[k] as number)] as number) * (LIMIT_SCALE[k] as number)) / w.winSec;
    return out;
  }
  return undefined;
}

/**
 * The `n` busiest hosts in one direction by current window packet rate (metrics, Kafka aggregates):
 * a scan of the active list only, O(active · n) with n small.
 */
export function topTalkers(
  w: CountWindow,
  n: number,
  direction: Direction = 'incoming',
): { target: string; pps: number; bps: number }[] {
  if (n <= 0) return [];
  const set = w.sets[direction === 'incoming' ? 0 : 1] as CounterSet;
  const top: { id: number; pps: number }[] = [];
  for (let i = 0; i < set.activeCount; i++) {
    const id = set.active[i] as number;
    const pps = (set.sums[id * set.stride + (LIMIT_COLUMN[0] as number)] as number) / w.winSec;
    if (top.length === n && pps <= (top[n - 1] as { pps: number }).pps) continue;
    top.push({ id, pps });
    top.sort((a, b) => b.pps - a.pps);
    if (top.length > n) top.pop();
  }
  return top.map(({ id, pps }) => ({
    target: w.targetText(set, id),
    pps,
    bps: ((set.sums[id * set.stride + (LIMIT_COLUMN[1] as number)] as number) * 8) / w.winSec,
  }));
}

/**
 * Current window rate of one host or prefix and what its baseline says is normal (dashboard charts).
 * The baseline is the slow EWMA (ewma groups) or the rolling p99 (p99 groups); absent for static
 * groups and before the first sample. Undefined when the target is not tracked. Read-only.
 */
export function trafficSample(
  w: CountWindow,
  target: string,
  direction: Direction = 'incoming',
): TrafficSample | undefined {
  const words = new Uint32Array(4);
  const p = parsePrefixWords(target, words);
  if (!p) return undefined;
  const hostLen = p.family === 4 ? 32 : 128;
  const len = Number(target.split('/')[1] ?? hostLen);
  const level: Level = len === hostLen ? 'host' : 'prefix';
  const si = LEVELS.indexOf(level) * 2 + (direction === 'incoming' ? 0 : 1);
  const set = w.sets[si] as CounterSet;
  const id = set.table.find(p.family, words, 0);
  if (id < 0) return undefined;
  const g = w.groupOf(si, id);
  const s = id * set.stride;
  const rate = (col: number, scale: number) => ((set.sums[s + col] as number) * scale) / w.winSec;
  const out: TrafficSample = {
    target: w.targetText(set, id),
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
