// One attack per target, from start through updates to end after a quiet period. Pure bookkeeping:
// the detector reports each tick which targets are over their thresholds; this module decides which
// AttackEvents that makes (start, update at most once per interval or on a family change, end).
// Onset: while the attack is younger than one window its measured size still grows (the onset estimate
// of the detector follows a surge from its start, the window catches up), so an update also goes out
// as soon as the rate/threshold ratio has grown since the last event (by 2 % when read by the onset estimate, twofold when read by the window still filling) (outside the regular
// once-per-interval cadence, which it does not move): the engine sees the real size within ticks.
// Nodes: each event is fanned out to one event per node (exporter) that carries the attack, with that
// node's own share of pps and bps, so the engine's sum/max over nodes is right by construction; a node
// that stops carrying it gets an end event of its own.

import type { AttackEvent, AttackFamily, Direction, Signature } from '../domain/attack.js';

export interface Observation {
  readonly target: string;
  readonly direction: Direction;
  readonly family: AttackFamily;
  readonly reason: string;
  readonly hostGroup: string;
  /** Nodes carrying the attack and their shares of its packets and bytes (shares sum to 1). */
  readonly shares: readonly NodeShare[];
  readonly pps: number;
  readonly bps: number;
  readonly thresholdPps?: number;
  readonly thresholdBps?: number;
  readonly severity: number;
  readonly signature: Signature;
  /** The crossing was read by the onset estimate (detector.ts), not the window. */
  readonly onsetEstimate?: boolean;
}

export interface NodeShare {
  readonly node: string;
  readonly packets: number;
  readonly bytes: number;
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
  /** Nodes whose last event was not an end. */
  readonly reported: Set<string>;
  /** Bits/s the target received in the window before the surge began (collateral baseline), if known. */
  legitBefore?: number;
}

export interface LifecycleParams {
  readonly quietMs: number;
  readonly updateMs: number;
  /** Length of the sliding window: the onset period of an attack. */
  readonly onsetMs: number;
}

/**
 * Severity growth that is reported at once during the onset. Read by the onset estimate: any real growth
 * (2 %), because the engine's confidence can cross its threshold between two close readings (at most one
 * update a tick, in the first window). Read by the window alone (it is still filling): a doubling.
 */
const ESTIMATE_GROWTH = 1.02;
const WINDOW_GROWTH = 2;

/** Onset growth: the attack is younger than a window and its severity grew enough since the last event. */
export function onsetGrowth(
  a: OpenAttack,
  severity: number,
  now: number,
  p: LifecycleParams,
  estimate: boolean,
): boolean {
  return (
    now - a.startedAt < p.onsetMs && severity >= (estimate ? ESTIMATE_GROWTH : WINDOW_GROWTH) * a.lastSeverity
  );
}

/** One event per node: nodes that no longer carry the attack first (end), then every current node. */
function events(a: OpenAttack, kind: AttackEvent['kind'], at: number): AttackEvent[] {
  const out: AttackEvent[] = [];
  const o = a.current;
  const current = new Set(o.shares.map((x) => x.node));
  for (const node of a.reported)
    if (kind === 'end' || !current.has(node)) {
      out.push(event(a, 'end', at, { node, packets: 0, bytes: 0 }));
      a.reported.delete(node);
    }
  if (kind === 'end') {
    for (const share of o.shares)
      if (!out.some((e) => e.node === share.node)) out.push(event(a, kind, at, share));
    return numbered(out);
  }
  for (const share of o.shares) {
    out.push(event(a, kind, at, share));
    a.reported.add(share.node);
  }
  return numbered(out);
}

/** Tells each event how many of the same instant follow (the engine decides on the last). */
function numbered(out: AttackEvent[]): AttackEvent[] {
  return out.length < 2 ? out : out.map((e, i) => ({ ...e, moreNodes: out.length - 1 - i }));
}

function event(a: OpenAttack, kind: AttackEvent['kind'], at: number, share: NodeShare): AttackEvent {
  const o = a.current;
  return {
    attackId: a.attackId,
    kind,
    target: o.target,
    direction: o.direction,
    family: o.family,
    reason: o.reason,
    node: share.node,
    hostGroup: o.hostGroup,
    at,
    startedAt: a.startedAt,
    pps: o.pps * share.packets,
    bps: o.bps * share.bytes,
    peakPps: a.peakPps,
    peakBps: a.peakBps,
    ...(o.thresholdPps !== undefined ? { thresholdPps: o.thresholdPps } : {}),
    ...(o.thresholdBps !== undefined ? { thresholdBps: o.thresholdBps } : {}),
    severity: o.severity,
    signature: o.signature,
  };
}

/** A new attack: its start events (one per node). */
export function openAttack(o: Observation, now: number): { attack: OpenAttack; events: AttackEvent[] } {
  const attack: OpenAttack = {
    attackId: `${o.direction === 'incoming' ? 'in' : 'out'}:${o.target}:${now}`,
    startedAt: now,
    lastAbove: now,
    lastEventAt: now,
    lastSeverity: o.severity,
    peakPps: o.pps,
    peakBps: o.bps,
    current: o,
    reported: new Set(),
  };
  return { attack, events: events(attack, 'start', now) };
}

/** The target is over a threshold again this tick: update events when one is due (else none). */
export function observeAbove(a: OpenAttack, o: Observation, now: number, p: LifecycleParams): AttackEvent[] {
  const familyChanged = o.family !== a.current.family;
  a.current = o;
  a.lastAbove = now;
  a.peakPps = Math.max(a.peakPps, o.pps);
  a.peakBps = Math.max(a.peakBps, o.bps);
  const due = familyChanged || now - a.lastEventAt >= p.updateMs;
  if (due || onsetGrowth(a, o.severity, now, p, o.onsetEstimate === true)) {
    // an onset update leaves the regular cadence where it was
    if (due) a.lastEventAt = now;
    a.lastSeverity = o.severity;
    return events(a, 'update', now);
  }
  return [];
}

/** The target is below its thresholds this tick: the end events after the quiet period, else maybe updates. */
export function observeBelow(
  a: OpenAttack,
  pps: number,
  bps: number,
  severity: number,
  now: number,
  p: LifecycleParams,
): { events: AttackEvent[]; ended: boolean } {
  a.current = { ...a.current, pps, bps, severity };
  if (now - a.lastAbove >= p.quietMs) return { events: events(a, 'end', now), ended: true };
  if (now - a.lastEventAt >= p.updateMs) {
    a.lastEventAt = now;
    a.lastSeverity = severity;
    return { events: events(a, 'update', now), ended: false };
  }
  return { events: [], ended: false };
}
