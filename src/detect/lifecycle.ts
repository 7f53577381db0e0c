// One attack per target, from start through updates to end after a quiet period. Pure bookkeeping:
// the detector reports each tick which targets are over their thresholds; this module decides which
// AttackEvents that makes (start, update at most once per interval or on a family change, end).

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
  peakPps: number;
  peakBps: number;
  current: Observation;
}

export interface LifecycleParams {
  readonly quietMs: number;
  readonly updateMs: number;
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
  if (familyChanged || now - a.lastEventAt >= p.updateMs) {
    a.lastEventAt = now;
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
    return { event: event(a, 'update', now), ended: false };
  }
  return { event: undefined, ended: false };
}
