// The detection core: counts FlowBatch records into sliding-window sums per host, per /24 (/64) and
// per host group in both directions (window.ts), and on each tick compares them with static thresholds
// or learned baselines (thresholds.ts), names and describes the attack (describe.ts) and runs its
// lifecycle (lifecycle.ts). Pure: time comes in as `now` and as record timestamps; no timers, no I/O.
// Each event names a node (exporter) and carries that node's share; at the onset of a surge pps and bps
// are read over its own elapsed time (the window still holds the calm before it); per mitigated target
// the traffic no rule covers is measured for the engine's collateral-damage rollback (collateral.ts).

import type { AttackEvent, Direction } from '../domain/attack.js';
import type { FlowBatch } from '../flow/batch.js';
import type { FlowSpecMatch } from '../flowspec/types.js';
import { ipToWords, tryParsePrefix } from '../net/index.js';
import type { DetectionConfig } from './config.js';
import { type RowPredicate, matchPredicate, signaturePredicate } from './collateral.js';
import { type CounterSet, O_CALM_AT, O_CALM_BPS } from './counters.js';
import { AttackDescriber } from './describe.js';
import { type LegitMarks, type LegitReport, LegitScan, type LegitTarget } from './legit.js';
import { type TrafficSample, topTalkers, trafficSample, windowRates } from './introspect.js';
import {
  type LifecycleParams,
  type OpenAttack,
  observeAbove,
  observeBelow,
  onsetGrowth,
  openAttack,
} from './lifecycle.js';
import { type BaselineBlob, baselinesToJSON, loadBaselines } from './persistence.js';
import type { Policies } from './policy.js';
import { ROWS_RULE } from './rowgate.js';
import { Thresholds, newCrossing } from './thresholds.js';
import { CountWindow, LEVELS, type Level } from './window.js';

export { LEVELS };
export type { LegitReport } from './legit.js';
export type { BaselineBlob, Level, TrafficSample };

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
  /** Attack descriptions built from the window's rows (starts, updates and prefix/group checks). */
  descriptions: number;
}

export class Detector {
  private readonly w: CountWindow;
  private readonly judge: Thresholds;
  private readonly describer: AttackDescriber;
  private lastSampleSec = Number.NEGATIVE_INFINITY;
  /** Open attacks by key: set index · 2³² + target id. */
  private readonly attacks = new Map<number, OpenAttack>();
  private readonly prefixRecheck = new Map<number, number>();
  private readonly life: LifecycleParams;
  /** Active discarding rules' matches by target, set by the engine side (setMitigations). */
  private mitigations = new Map<string, RowPredicate[]>();
  /** Free per-id marks for legitimate-traffic passes (hosts, prefixes); a pass in flight holds its own. */
  private readonly legitMarks: LegitMarks[] = [];
  /** Targets (set index · 2³² + id) whose records keep rows because a rule stands for them. */
  private ruleRows: number[] = [];
  private ruleRowsSec = Number.NEGATIVE_INFINITY;

  constructor(
    readonly cfg: DetectionConfig,
    opts: DetectorOptions = {},
  ) {
    this.w = new CountWindow(cfg, opts.initialCapacity ?? 4096);
    this.judge = new Thresholds(this.w);
    this.describer = new AttackDescriber(this.w, this.attacks, opts.node ?? 'local');
    this.life = {
      quietMs: cfg.quietPeriod * 1000,
      updateMs: cfg.updateInterval * 1000,
      onsetMs: cfg.window,
    };
  }

  get policies(): Policies {
    return this.w.policies;
  }

  /** Index = level * 2 + direction: host in/out, prefix in/out, group in/out. */
  get sets(): readonly CounterSet[] {
    return this.w.sets;
  }

  /** Counts a batch of records. `exporterNames[batch.exporter[i]]` names the node of record i. */
  ingest(batch: FlowBatch, exporterNames: readonly string[], from = 0, to = batch.length): void {
    this.w.ingest(batch, exporterNames, from, to);
  }

  /** Tick length in ms. */
  get tickLength(): number {
    return this.w.tickMs;
  }

  get openAttackCount(): number {
    return this.attacks.size;
  }

  // ---------------------------------------------------------------- tick

  /** Advances the window to `now`, learns baselines once a second, evaluates, returns the attack events. */
  tick(now: number): AttackEvent[] {
    const w = this.w;
    w.advance(now);
    const sec = w.currentSec(now);
    if (sec !== this.ruleRowsSec) this.markRuleRows(sec);
    const events: AttackEvent[] = [];
    const seen = new Set<number>();
    for (let si = 0; si < this.sets.length; si++) this.evaluateSet(si, now, sec, events, seen);
    for (const [key, a] of this.attacks) {
      if (seen.has(key)) continue;
      const si = Math.floor(key / 2 ** 32);
      const id = key % 2 ** 32;
      const set = this.sets[si] as CounterSet;
      const s = id * set.stride;
      const pps = (set.sums[s] as number) / this.w.winSec;
      const bps = ((set.sums[s + 1] as number) * 8) / this.w.winSec;
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
      this.judge.learn(sec);
      this.lastSampleSec = sec;
    }
    w.maybeEvict(now, sec);
    return events;
  }

  private evaluateSet(si: number, now: number, sec: number, events: AttackEvent[], seen: Set<number>): void {
    const set = this.sets[si] as CounterSet;
    const cross = newCrossing();
    for (let a = 0; a < set.activeCount; a++) {
      const id = set.active[a] as number;
      const k = this.judge.check(si, id, sec, now, cross);
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
        const s = id * set.stride;
        open.peakPps = Math.max(open.peakPps, (set.sums[s] as number) / this.w.winSec);
        open.peakBps = Math.max(open.peakBps, ((set.sums[s + 1] as number) * 8) / this.w.winSec);
        continue;
      }
      if (!open && si >= 2) {
        const until = this.prefixRecheck.get(key);
        if (until !== undefined && now < until) continue;
      }
      let obs = this.describer.observe(si, id, k, cross);
      // A group total whose busiest network is already a prefix attack's target adds nothing.
      if (obs && !open && si >= 4 && this.describer.hasOpenTarget(obs.target, obs.direction)) obs = undefined;
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

  // ---------------------------------------------------------------- collateral damage

  /**
   * The matches of the rules standing per target (canonical prefix text), from the engine side: only
   * rules that discard or police traffic (collateral.discardingMatches). Replaces the previous set.
   */
  setMitigations(matches: ReadonlyMap<string, readonly FlowSpecMatch[]>): void {
    const next = new Map<string, RowPredicate[]>();
    for (const [target, list] of matches) next.set(target, list.map(matchPredicate));
    this.mitigations = next;
    this.ruleRowsSec = Number.NEGATIVE_INFINITY;
  }

  /**
   * Targets under a rule keep rows (legitTraffic reads them) whatever their rate: marked when the
   * rules change and once a second (a target may be tracked only after its rule was set).
   */
  private markRuleRows(sec: number): void {
    this.ruleRowsSec = sec;
    for (const key of this.ruleRows) {
      const set = this.sets[Math.floor(key / 2 ** 32)] as CounterSet;
      const id = key % 2 ** 32;
      set.rowWant[id] = (set.rowWant[id] as number) & ~ROWS_RULE;
    }
    this.ruleRows = [];
    for (const target of this.mitigations.keys()) {
      const t = this.targetOf(target);
      if (!t) continue;
      const set = this.sets[t.si] as CounterSet;
      set.rowWant[t.id] = (set.rowWant[t.id] as number) | ROWS_RULE;
      this.ruleRows.push(t.si * 2 ** 32 + t.id);
    }
  }

  /** The incoming host or prefix target a canonical prefix text names, when it is tracked. */
  private targetOf(target: string): { si: number; id: number } | undefined {
    const p = tryParsePrefix(target);
    if (p === undefined) return undefined;
    const w = this.w.maskW;
    w.fill(0);
    ipToWords({ family: p.family, bytes: p.bytes }, w, 0);
    const full = p.family === 4 ? 32 : 128;
    const plen = p.family === 4 ? this.w.cfg.prefixLengths.v4 : this.w.cfg.prefixLengths.v6;
    const si = p.length === full ? 0 : p.length === plen ? 2 : -1;
    if (si < 0) return undefined;
    const id = (this.sets[si] as CounterSet).table.find(p.family, w, 0);
    return id < 0 ? undefined : { si, id };
  }

  /**
   * Legitimate traffic of every target with a rule standing or an incoming attack open (host and prefix
   * targets): the window's bits/s that no standing rule covers; before any rule, what the target received
   * while calm before the surge (or, unknown, the traffic the attack's signature does not describe) — the
   * baseline the engine judges a rule's collateral damage against.
   * One pass over the window's rows. `only` limits the report to those targets (an attack's first
   * tick: the pass then reads two ids per row and runs no rule predicate for the other targets).
   */
  legitTraffic(only?: ReadonlySet<string>): LegitReport[] {
    return this.legitScan(only).finish();
  }

  /**
   * legitTraffic as a pass the caller can spread over several event-loop turns (LegitScan.step, one
   * bucket's rows each); finish() reports. Rules and attacks are read now, rows as the pass reaches them.
   */
  legitScan(only?: ReadonlySet<string>): LegitScan {
    const marks = this.legitMarks.pop() ?? [new Int32Array(0), new Int32Array(0)];
    for (const k of [0, 1] as const) {
      const cap = (this.sets[k * 2] as CounterSet).table.capacity;
      if (marks[k].length < cap) marks[k] = new Int32Array(cap);
    }
    const targets: LegitTarget[] = [];
    const taken = new Set<number>();
    const add = (target: string, covered: RowPredicate[], floor = 0) => {
      if (only && !only.has(target)) return;
      const t = this.targetOf(target);
      if (!t || taken.has(t.si * 2 ** 32 + t.id)) return;
      taken.add(t.si * 2 ** 32 + t.id);
      targets.push({ target, si: t.si === 0 ? 0 : 2, id: t.id, covered, floor });
    };
    for (const [target, preds] of this.mitigations) add(target, preds);
    for (const a of this.attacks.values())
      if (a.current.direction === 'incoming')
        add(a.current.target, [signaturePredicate(a.current.signature)], a.legitBefore);
    return new LegitScan(this.w.stores, this.sets, targets, marks, this.w.winSec, (m) =>
      this.legitMarks.push(m),
    );
  }

  /**
   * What host target id received before its surge began: the window's bits/s at its last calm tick, the
   * legitimate traffic a rule must not collapse. Undefined when the target was never seen calm.
   */
  private beforeSurgeBps(si: number, id: number): number | undefined {
    if (si >= 2 || !this.w.cfg.onset.enabled) return undefined;
    const set = this.sets[si] as CounterSet;
    const o = set.onsetAt(id);
    return Number.isFinite(set.onset[o + O_CALM_AT] as number)
      ? (set.onset[o + O_CALM_BPS] as number)
      : undefined;
  }

  // ---------------------------------------------------------------- introspection and persistence

  stats(): DetectorStats {
    return {
      ...this.w.stats,
      rows: this.w.rowCount(),
      hostsIn: this.sets[0]!.size,
      hostsOut: this.sets[1]!.size,
      prefixesIn: this.sets[2]!.size,
      prefixesOut: this.sets[3]!.size,
      evictions: this.sets.reduce((a, s) => a + s.evictions, 0),
      openAttacks: this.attacks.size,
      descriptions: this.describer.built,
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
    return windowRates(this.w, level, direction, target);
  }

  /** The `n` busiest hosts in one direction by current window packet rate (metrics, Kafka aggregates). */
  topTalkers(n: number, direction: Direction = 'incoming'): { target: string; pps: number; bps: number }[] {
    return topTalkers(this.w, n, direction);
  }

  /** Current window rate of one host or prefix and what its baseline says is normal (dashboard charts). */
  traffic(target: string, direction: Direction = 'incoming'): TrafficSample | undefined {
    return trafficSample(this.w, target, direction);
  }

  /** Serialisable baselines of every target that has learnt something. */
  baselinesToJSON(): BaselineBlob {
    return baselinesToJSON(this.w);
  }

  /** Restores baselines saved by baselinesToJSON (targets no longer ours are skipped). */
  loadBaselines(blob: BaselineBlob): number {
    return loadBaselines(this.w, blob);
  }
}
