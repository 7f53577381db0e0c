// Attack description: what the detector says about a target over its thresholds — the target text,
// the attack family (classify.ts) and signature from the window's rows (signature.ts), carpet bombing
// of a prefix or group, the nodes (exporters) carrying it with their shares, and whether a prefix or
// group total is an attack of its own or only the sum of host attacks already open.

import type { Direction } from '../domain/attack.js';
import type { Family } from '../net/index.js';
import { classify } from './classify.js';
import type { CounterSet } from './counters.js';
import type { NodeShare, Observation, OpenAttack } from './lifecycle.js';
import { BASE_COLUMN, LIMIT_COLUMN, LIMIT_COUNT, LIMIT_KEYS, LIMIT_SCALE } from './metrics.js';
import { type RowColumn, type TrafficProfile, buildProfile } from './signature.js';
import { type Crossing, fmt, OTHER_BASE } from './thresholds.js';
import { type CountWindow, DIRECTIONS, LEVELS, type Level } from './window.js';

const COLUMN: readonly RowColumn[] = ['inHost', 'outHost', 'inPrefix', 'outPrefix', 'inGroup', 'outGroup'];

export class AttackDescriber {
  /** Profiles built from the rows (DetectorStats.descriptions). */
  built = 0;

  constructor(
    private readonly w: CountWindow,
    /** The detector's open attacks by key (set index · 2³² + target id); read only here. */
    private readonly attacks: ReadonlyMap<number, OpenAttack>,
    /** Node name used when a record's exporter has no name. */
    private readonly node: string,
  ) {}

  /** Builds what we say about an over-threshold target; undefined when a prefix/group total is one host's attack. */
  observe(si: number, id: number, k: number, cross: Crossing): Observation | undefined {
    const set = this.w.sets[si] as CounterSet;
    const d = si & 1;
    const level = LEVELS[si >> 1] as Level;
    const g = this.w.groupOf(si, id);
    // Describe the traffic since the attack began (at least the last two buckets), not the whole window.
    const open = this.attacks.get(si * 2 ** 32 + id);
    // Updates describe the last few buckets: the scan costs O(rows) per attack, so keep it short.
    const since = open
      ? Math.max(Math.floor(open.startedAt / this.w.tickMs) - 1, this.w.epoch - 4)
      : this.w.epoch - 2;
    // Hosts with attacks of their own are reported as such: the total is an attack only if the rest
    // crosses. Checked before the profile is built: a prefix or group over its limit only because of a
    // host flood is rechecked every second, and the profile reads up to maxRows rows each time.
    const rest = level === 'host' ? 0 : this.remainder(si, id, k, cross.rate);
    if (level !== 'host' && rest <= cross.limit) return undefined;
    const hostKey = d * 2 ** 32;
    const attacked = level === 'host' ? undefined : (h: number) => this.attacks.has(hostKey + h);
    const col = COLUMN[si] as RowColumn;
    this.built++;
    let profile: TrafficProfile = buildProfile(
      this.w.stores,
      col,
      id,
      this.w.cfg.signature,
      Math.max(since, this.w.epoch - this.w.W),
      attacked,
    );
    // Traffic has stopped in the last buckets: describe what the window still holds.
    if (profile.signature.coverage === 0)
      profile = buildProfile(this.w.stores, col, id, this.w.cfg.signature, this.w.epoch - this.w.W, attacked);
    const cls =
      open && profile.signature.coverage === 0
        ? { family: open.current.family, reason: 'traffic subsiding' }
        : classify(profile.mix);
    let family = cls.family;
    let target: string;
    let spread = '';
    if (level === 'host') target = this.w.targetText(set, id);
    else {
      const carpet =
        profile.hosts >= this.w.cfg.carpet.minHosts &&
        profile.topHostShare <= this.w.cfg.carpet.maxTopHostShare;
      const hostSet = this.w.sets[d] as CounterSet;
      const topHost = profile.topHostRow
        ? (profile.topHostRow.store[d === 0 ? 'inHost' : 'outHost'][profile.topHostRow.row] as number)
        : -1;
      // Nor is it a prefix/group attack when one host alone makes the excess: that host's thresholds judge it.
      if (
        topHost >= 0 &&
        !this.attacks.has(d * 2 ** 32 + topHost) &&
        rest - this.measure(d, topHost, k) <= cross.limit
      )
        return undefined;
      if (level === 'prefix') target = this.w.targetText(set, id);
      else {
        const hk = topHost >= 0 ? topHost : 0;
        const fam = (hostSet.table.family[hk] as Family) || 4;
        target = this.w.policies.groupNetworkOf(fam, hostSet.table.keys, hk * 4) ?? g.name;
      }
      if (carpet) {
        family = 'carpet_bombing';
        spread = `; carpet bombing: spread over ${profile.hosts} hosts, busiest ${Math.round(profile.topHostShare * 100)}% (vector ${cls.family})`;
      }
    }
    const s = id * set.stride;
    let pps = (set.sums[s] as number) / this.w.winSec;
    let bps = ((set.sums[s + 1] as number) * 8) / this.w.winSec;
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
    const fallback = this.node;
    const byName = new Map<string, { packets: number; bytes: number }>();
    let P = 0;
    let B = 0;
    for (const [ex, v] of byExporter) {
      const name = this.w.exporterNames[ex] ?? fallback;
      const acc = byName.get(name);
      if (acc) {
        acc.packets += v.packets;
        acc.bytes += v.bytes;
      } else byName.set(name, { packets: v.packets, bytes: v.bytes });
      P += v.packets;
      B += v.bytes;
    }
    if (!(P > 0)) return [{ node: fallback, packets: 1, bytes: 1 }];
    const min = this.w.cfg.nodeMinShare;
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

  /** Window rate of measure k (LIMIT index, or LIMIT_COUNT = other-protocol pps) of target id in set si. */
  private measure(si: number, id: number, k: number): number {
    const col = k < LIMIT_COUNT ? (LIMIT_COLUMN[k] as number) : (BASE_COLUMN[OTHER_BASE] as number);
    const scale = k < LIMIT_COUNT ? (LIMIT_SCALE[k] as number) : 1;
    return (
      (((this.w.sets[si] as CounterSet).sums[id * (this.w.sets[si] as CounterSet).stride + col] as number) *
        scale) /
      this.w.winSec
    );
  }

  /** Rate of measure k of a prefix/group total without the hosts that have open attacks of their own. */
  private remainder(si: number, id: number, k: number, rate: number): number {
    const d = si & 1;
    const hosts = this.w.sets[d] as CounterSet;
    const col = k < LIMIT_COUNT ? (LIMIT_COLUMN[k] as number) : (BASE_COLUMN[OTHER_BASE] as number);
    const scale = k < LIMIT_COUNT ? (LIMIT_SCALE[k] as number) : 1;
    const prefixes = this.w.sets[2 + d] as CounterSet;
    let rest = rate;
    for (const key of this.attacks.keys()) {
      if (Math.floor(key / 2 ** 32) !== d) continue;
      const h = key % 2 ** 32;
      const inside =
        si >> 1 === 1
          ? hosts.prefixId[h] === id && hosts.prefixGen[h] === prefixes.gen[id]
          : this.w.groupOf(d, h).index === (this.w.sets[si] as CounterSet).policy[id];
      if (inside) rest -= ((hosts.sums[h * hosts.stride + col] as number) * scale) / this.w.winSec;
    }
    return rest;
  }
  /** Whether an attack on this target and direction is open (at any level). */
  hasOpenTarget(target: string, direction: Direction): boolean {
    for (const a of this.attacks.values())
      if (a.current.target === target && a.current.direction === direction) return true;
    return false;
  }
}
