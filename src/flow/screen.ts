// Keeps forged or implausible flow records out of detection (runs on each batch before it is handed on):
// records whose sampling rate is over the bound, or that come from an exporter whose rate just changed
// mid-stream, are quarantined; records that would take an exporter over its plausibility ceiling (configured
// bps/pps, or the sum of the interface speeds its sFlow counter samples report) are counted invalid. Both flag
// the exporter implausible for a while, and the engine then wants a second node before it acts on it.
import type { FlowBatch } from './batch.js';
import type { ExporterState } from './exporter.js';

export interface ScreenOptions {
  /** Highest believable 1:N sampling rate; a record claiming more is quarantined. */
  readonly maxSamplingRate: number;
  /** After an exporter announces a changed sampling rate, its records are quarantined this long. */
  readonly rateChangeHoldMs: number;
  /** Headroom over the summed sFlow ifSpeed of an exporter (1.2 = 20 % over line rate). */
  readonly interfaceSpeedFactor: number;
  /** How long an exporter stays flagged implausible after its last offence. */
  readonly flaggedForMs: number;
  /** Plausibility is judged over windows this long (NetFlow caches flush in bursts). */
  readonly windowMs: number;
}

export const DEFAULT_SCREEN: ScreenOptions = {
  maxSamplingRate: 65536,
  rateChangeHoldMs: 30_000,
  interfaceSpeedFactor: 1.2,
  flaggedForMs: 300_000,
  windowMs: 5_000,
};

/** Ceiling of an exporter for the window starting now: the configured one, else summed interface speed. */
function ceilings(exp: ExporterState, o: ScreenOptions): void {
  let ifSpeed = 0;
  for (const c of exp.interfaces.values()) ifSpeed += c.ifSpeed;
  const fromIf = ifSpeed > 0 ? ifSpeed * o.interfaceSpeedFactor : 0;
  exp.windowCeilingBps = exp.maxBps > 0 && fromIf > 0 ? Math.min(exp.maxBps, fromIf) : exp.maxBps || fromIf;
  exp.windowCeilingPps = exp.maxPps;
}

/**
 * Compacts `b` in place, keeping only records fit for detection; counts the others on their exporter.
 * Returns how many records were removed.
 */
export function screenBatch(
  b: FlowBatch,
  exporters: readonly ExporterState[],
  nowMs: number,
  o: ScreenOptions,
): number {
  let kept = 0;
  const n = b.length;
  for (let i = 0; i < n; i++) {
    const exp = exporters[b.exporter[i]!];
    if (exp && !admit(b, i, exp, nowMs, o)) continue;
    if (kept !== i) b.move(i, kept);
    kept++;
  }
  b.length = kept;
  return n - kept;
}

function admit(b: FlowBatch, i: number, exp: ExporterState, nowMs: number, o: ScreenOptions): boolean {
  const rate = b.samplingRate[i]!;
  if (rate > o.maxSamplingRate) {
    exp.quarantinedRecords++;
    exp.flag(nowMs, o.flaggedForMs, `sampling rate 1:${rate} over the bound 1:${o.maxSamplingRate}`);
    return false;
  }
  if (nowMs - exp.sampling.changedAtMs < o.rateChangeHoldMs) {
    exp.quarantinedRecords++;
    return false;
  }
  if (nowMs - exp.windowStartMs >= o.windowMs) {
    exp.windowStartMs = nowMs;
    exp.windowBits = 0;
    exp.windowPackets = 0;
    ceilings(exp, o);
  }
  const bits = b.bytes[i]! * 8 * rate;
  const pkts = b.packets[i]! * rate;
  const span = o.windowMs / 1000;
  if (exp.windowCeilingBps > 0 && exp.windowBits + bits > exp.windowCeilingBps * span) {
    exp.implausibleRecords++;
    exp.flag(nowMs, o.flaggedForMs, `over its ceiling of ${exp.windowCeilingBps} bit/s`);
    return false;
  }
  if (exp.windowCeilingPps > 0 && exp.windowPackets + pkts > exp.windowCeilingPps * span) {
    exp.implausibleRecords++;
    exp.flag(nowMs, o.flaggedForMs, `over its ceiling of ${exp.windowCeilingPps} packets/s`);
    return false;
  }
  exp.windowBits += bits;
  exp.windowPackets += pkts;
  return true;
}
