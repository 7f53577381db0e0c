// Collateral damage (docs/engine.md "Collateral rollback"): the detector learns which matches the
// engine's standing rules carry per target and reports the traffic none of them covers, every
// detection.collateral.intervalMs and at once when an attack starts, so the engine holds a baseline
// before its first rule.
import type { Config } from '../config/schema.js';
import { discardingMatches } from '../detect/collateral.js';
import type { Detector } from '../detect/detector.js';
import type { AttackEvent } from '../domain/attack.js';
import type { MitigationRunner } from '../engine-shell/runner.js';
import type { Logger } from './logger.js';

export class CollateralReport {
  private lastAt = Number.NEGATIVE_INFINITY;

  /** Called on each detector tick, before that tick's events are submitted. */
  report(
    c: Config['detection']['collateral'],
    detector: Detector,
    runner: MitigationRunner,
    log: Logger,
    now: number,
    events: readonly AttackEvent[],
  ): void {
    if (!c.enabled) return;
    if (now - this.lastAt < c.intervalMs && !events.some((e) => e.kind === 'start')) return;
    this.lastAt = now;
    detector.setMitigations(discardingMatches(runner.listRules().active));
    for (const r of detector.legitTraffic()) {
      log.debug({ target: r.target, bps: Math.round(r.bps) }, 'legitimate traffic');
      runner.reportLegitTraffic(r.target, r.bps);
    }
  }
}
