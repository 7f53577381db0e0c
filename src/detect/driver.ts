// Drives a Detector in record time instead of wall time (replay, tests, benchmarks): a tick at time T
// happens once every record ending at or before T is in, and before any record ending after T. The
// clock only moves forward; records that end before it (flow exports) are the detector's "late" ones.

import type { AttackEvent } from '../domain/attack.js';
import type { FlowBatch } from '../flow/batch.js';
import type { Detector } from './detector.js';

export class TimeDriver {
  private next = Number.NaN;
  /** Latest record end fed so far. */
  private lastEnd = Number.NEGATIVE_INFINITY;
  readonly events: AttackEvent[] = [];

  constructor(
    readonly detector: Detector,
    private readonly onEvent: (e: AttackEvent) => void = () => undefined,
  ) {}

  /** Time of the next tick (NaN before the first record). */
  get clock(): number {
    return this.next;
  }

  /** Ticks every boundary up to and including `t`. */
  advanceTo(t: number): void {
    this.start(t);
    while (this.next <= t) this.tickOnce();
  }

  /** Ingests records in time order; a record ending after the next boundary first lets that tick happen. */
  feed(batch: FlowBatch, exporterNames: readonly string[]): void {
    let from = 0;
    for (let i = 0; i < batch.length; i++) {
      const t = batch.endMs[i] as number;
      if (t > this.lastEnd) this.lastEnd = t;
      this.start(t);
      if (t > this.next) {
        this.detector.ingest(batch, exporterNames, from, i);
        from = i;
        while (this.next < t) this.tickOnce();
      }
    }
    this.detector.ingest(batch, exporterNames, from, batch.length);
  }

  /** Keeps ticking (no traffic) until every open attack has ended or `maxMs` passed. */
  drain(maxMs: number): void {
    if (Number.isNaN(this.next)) return;
    // the last records must be evaluated at least once: a capture shorter than a tick has had no tick yet
    while (this.next <= this.lastEnd + this.detector.tickLength) this.tickOnce();
    const stop = this.next + maxMs;
    while (this.detector.openAttackCount > 0 && this.next <= stop) this.tickOnce();
  }

  private start(t: number): void {
    const tick = this.detector.tickLength;
    if (Number.isNaN(this.next) && Number.isFinite(t)) this.next = Math.floor(t / tick) * tick + tick;
  }

  private tickOnce(): void {
    for (const e of this.detector.tick(this.next)) {
      this.events.push(e);
      this.onEvent(e);
    }
    this.next += this.detector.tickLength;
  }
}
