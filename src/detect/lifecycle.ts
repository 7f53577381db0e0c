// One attack per target, from start through updates to end after a quiet period. Pure bookkeeping:
// the detector reports each tick which targets are over their thresholds; this module decides which
// AttackEvents that makes (start, update at most once per interval or on a family change, end).
// Onset: while the attack is younger than one window, its windowed rate still counts the quiet time
// before it began, so a start event understates a big flood; an update then also goes out as soon as
// the rate/threshold ratio has doubled since the last event (outside the regular once-per-interval
// cadence, which it does not move), so the engine sees the real size within ticks, not an interval later.

import type { AttackEvent, AttackFamily, Direction, Signature } from '../domain/attack.js';

export interface Observation {
  readonly target: string;
  readonly direction: Direction;
  readonly family: AttackFamily;
  readonly reason: string;
  readonly hostGroup: string;
  readonly node: string;
  readonly pps: number;
  readonly bps: number;
  readonly thresholdPps?: number;
  readonly thresholdBps?: number;
  readonly severity: number;
  readonly signature: Signature;
}

export interface OpenAttack {
  readonly attackId: string;
  readonly startedAt: number;
  lastAbove: number;
  lastEventAt: number;
  /** Severity (rate/threshold) carried by the last event. */
  lastSeverity: number;
  peakPps: number;
  peakBps: number;
  current: Observation;
}

export interface LifecycleParams {
  readonly quietMs: number;
  readonly updateMs: number;
  /** Length of the sliding window: the onset period of an attack. */
  readonly onsetMs: number;
}

/** Onset growth: the attack is younger than a window and its severity doubled since the last event. */
export function onsetGrowth(a: OpenAttack, severity: number, now: number, p: LifecycleParams): boolean {
  return now - a.startedAt < p.onsetMs && severity >= 2 * a.lastSeverity;
}

function event(a: OpenAttack, kind: AttackEvent['kind'], at: number): AttackEvent {
  const o = a.current;
  return {
    attackId: a.attackId,
    kind,
    target: o.target,
    direction: o.direction,
    family: o.family,
    reason: o.reason,
    node: o.node,
    hostGroup: o.hostGroup,
    at,
    startedAt: a.startedAt,
    pps: o.pps,
    bps: o.bps,
    peakPps: a.peakPps,
    peakBps: a.peakBps,
    ...(o.thresholdPps !== undefined ? { thresholdPps: o.thresholdPps } : {}),
    ...(o.thresholdBps !== undefined ? { thresholdBps: o.thresholdBps } : {}),
    severity: o.severity,
    signature: o.signature,
  };
}

/** A new attack: its start event. */
export function openAttack(o: Observation, now: number): { attack: OpenAttack; event: AttackEvent } {
  const attack: OpenAttack = {
    attackId: `${o.direction === 'incoming' ? 'in' : 'out'}:${o.target}:${now}`,
    startedAt: now,
    lastAbove: now,
    lastEventAt: now,
    lastSeverity: o.severity,
    peakPps: o.pps,
    peakBps: o.bps,
    current: o,
  };
  return { attack, event: event(attack, 'start', now) };
}

/** The target is over a threshold again this tick: an update event when one is due. */
export function observeAbove(
  a: OpenAttack,
  o: Observation,
  now: number,
  p: LifecycleParams,
): AttackEvent | undefined {
  const familyChanged = o.family !== a.current.family;
  a.current = o;
  a.lastAbove = now;
  a.peakPps = Math.max(a.peakPps, o.pps);
  a.peakBps = Math.max(a.peakBps, o.bps);
  const due = familyChanged || now - a.lastEventAt >= p.updateMs;
  if (due || onsetGrowth(a, o.severity, now, p)) {
    // an onset update leaves the regular cadence where it was
    if (due) a.lastEventAt = now;
    a.lastSeverity = o.severity;
    return event(a, 'update', now);
  }
  return undefined;
}

/** The target is below its thresholds this tick: the end event after the quiet period, else maybe an update. */
export function observeBelow(
  a: OpenAttack,
  pps: number,
  bps: number,
  severity: number,
  now: number,
  p: LifecycleParams,
): { event: AttackEvent | undefined; ended: boolean } {
  a.current = { ...a.current, pps, bps, severity };
  if (now - a.lastAbove >= p.quietMs) return { event: event(a, 'end', now), ended: true };
  if (now - a.lastEventAt >= p.updateMs) {
    a.lastEventAt = now;
    a.lastSeverity = severity;
    return { event: event(a, 'update', now), ended: false };
  }
  return { event: undefined, ended: false };
}
