// Collateral damage (docs/engine.md "Collateral rollback"): the detector learns which matches the
// engine's standing rules carry per target and reports the traffic none of them covers, every
// detection.collateral.intervalMs and at once when an attack starts, so the engine holds a baseline
// before its first rule.
import type { Config } from '../config/schema.js';
import { discardingMatches } from '../detect/collateral.js';
import type { Detector } from '../detect/detector.js';
import type { LegitReport } from '../detect/legit.js';
import type { AttackEvent } from '../domain/attack.js';
import type { MitigationRunner } from '../engine-shell/runner.js';
import type { Logger } from './logger.js';

type CollateralConfig = Config['detection']['collateral'];

export class CollateralReport {
  private lastAt = Number.NEGATIVE_INFINITY;
  /** A pass of every target is being read (due); the next waits for it. */
  private inFlight = false;
  private stopped = false;

  /**
   * Before a tick's events are submitted: the legitimate traffic of each target whose attack starts in
   * them, and only theirs. The report of every target reads the whole window with each rule's predicates
   * (tens of ms under a heavy attack elsewhere); a new attack's start must not wait for it.
   */
  starts(
    c: CollateralConfig,
    detector: Detector,
    runner: MitigationRunner,
    log: Logger,
    events: readonly AttackEvent[],
  ): void {
    if (!c.enabled) return;
    const started = new Set<string>();
    for (const e of events) if (e.kind === 'start') started.add(e.target);
    if (started.size === 0) return;
    detector.setMitigations(discardingMatches(runner.listRules().active));
    send(detector.legitTraffic(started), runner, log);
  }

  /**
   * After a tick's events: every target under attack or mitigation, each intervalMs. The pass reads one
   * bucket's rows per event-loop turn (setImmediate), so flow batches are received between buckets.
   */
  due(c: CollateralConfig, detector: Detector, runner: MitigationRunner, log: Logger, now: number): void {
    if (!c.enabled || now - this.lastAt < c.intervalMs || this.inFlight) return;
    this.lastAt = now;
    detector.setMitigations(discardingMatches(runner.listRules().active));
    const scan = detector.legitScan();
    this.inFlight = true;
    const turn = () => {
      try {
        if (!this.stopped && !scan.step()) return void setImmediate(turn);
        this.inFlight = false;
        if (!this.stopped) send(scan.finish(), runner, log);
      } catch (err) {
        this.inFlight = false;
        log.error({ err }, 'collateral report failed');
      }
    };
    turn();
  }

  /** No report after this (the app is stopping); a pass in flight ends at its next turn. */
  stop(): void {
    this.stopped = true;
  }
}

function send(reports: readonly LegitReport[], runner: MitigationRunner, log: Logger): void {
  for (const r of reports) {
    log.debug({ target: r.target, bps: Math.round(r.bps) }, 'legitimate traffic');
    runner.reportLegitTraffic(r.target, r.bps);
  }
}
