// Per-exporter sampling-rate bookkeeping: rates learnt from the datagrams (NetFlow v5 header, v9/IPFIX options
// data, sFlow flow samples), an optional configured override, and counters for absurd or changing rates.

import { PER_EXPORTER } from './limits.js';

/** Above this a 1:N rate is treated as absurd (flagged, still used). */
export const ABSURD_RATE = 1 << 20;
const MAX_RATE = 0xffffffff;
/** Sampler key for an exporter-wide rate (no sampler / selector id). */
export const EXPORTER_WIDE = -1;

export interface SamplingOverride {
  rate: number;
  /** true: the override wins over what the exporter says; false: used only while the exporter says nothing. */
  force?: boolean;
}

export class SamplingState {
  /** Last exporter-wide rate learnt (0 = none yet). */
  exporterRate = 0;
  readonly bySampler = new Map<number, number>();
  override = 0;
  force = false;
  /** A rate of 0 or above ABSURD_RATE was announced. */
  absurd = 0;
  /** A sampler announced a rate different from its previous one. */
  changes = 0;
  /** When the last change was announced (-Infinity = never): records are quarantined for a while after it. */
  changedAtMs = -Infinity;
  /** Last rate seen from any source (for stats). */
  lastSeen = 0;
  /** Last rate announced for a specific sampler. */
  private lastSampler = 0;
  /**
   * The last plausible (sampler, rate) noted: repeating it changes nothing but lastSeen/lastSampler, so the
   * every-sample repeat of a busy sFlow source (issue 15) skips the map. Maps are never pruned: it stays valid.
   */
  private memoSampler = NaN;
  private memoRate = 0;

  setOverride(o: SamplingOverride | undefined): void {
    this.override = o && o.rate >= 1 ? Math.floor(o.rate) : 0;
    this.force = !!o?.force && this.override > 0;
  }

  /** Records a rate announced by the exporter at `nowMs` (0 announced → not stored). */
  note(sampler: number, rate: number, nowMs = 0): void {
    if (sampler === this.memoSampler && rate === this.memoRate) {
      this.lastSeen = rate;
      if (sampler !== EXPORTER_WIDE) this.lastSampler = rate;
      return;
    }
    if (rate === 0 || rate > ABSURD_RATE || !Number.isFinite(rate)) this.absurd++;
    if (rate === 0) return;
    // the batch column is 32-bit: an 8-octet (absurd) interval saturates instead of wrapping to 0
    if (rate > MAX_RATE) rate = MAX_RATE;
    this.lastSeen = rate;
    if (sampler === EXPORTER_WIDE) {
      if (this.exporterRate !== 0 && this.exporterRate !== rate) this.changed(nowMs);
      this.exporterRate = rate;
    } else {
      const prev = this.bySampler.get(sampler);
      if (prev !== undefined && prev !== rate) this.changed(nowMs);
      this.lastSampler = rate;
      if (prev !== rate && (prev !== undefined || this.bySampler.size < PER_EXPORTER.sources))
        this.bySampler.set(sampler, rate);
    }
    // a repeat of an absurd rate must count again; a plausible one is a no-op (stored, or refused again)
    const plausible = rate <= ABSURD_RATE;
    this.memoSampler = plausible ? sampler : NaN;
    this.memoRate = plausible ? rate : 0;
  }

  private changed(nowMs: number): void {
    this.changes++;
    this.changedAtMs = nowMs;
  }

  /**
   * The rate for one record: `carried` is the rate in the record/datagram itself (0 if none), `sampler` the
   * record's sampler/selector id or EXPORTER_WIDE.
   */
  rate(sampler: number, carried: number): number {
    if (this.force) return this.override;
    if (carried > 0) return carried > MAX_RATE ? MAX_RATE : carried;
    if (sampler !== EXPORTER_WIDE) {
      const r = this.bySampler.get(sampler);
      if (r !== undefined) return r;
    }
    if (this.exporterRate > 0) return this.exporterRate;
    // a record without a known sampler from an exporter that only announced per-sampler rates: the latest one
    if (this.lastSampler > 0) return this.lastSampler;
    return this.override > 0 ? this.override : 1;
  }
}
