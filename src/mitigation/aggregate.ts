// Aggregate stage: reports about one target from several nodes collapse into one view (one rule).
// A node's latest report replaces its previous one; stale or ended reports stop counting.
import type { AttackEvent, AttackFamily, Signature } from '../domain/attack.js';

/** A node's latest report; updated in place by the engine that owns it (hot path: no allocation). */
export interface NodeReport {
  readonly node: string;
  attackId: string;
  at: number;
  bps: number;
  pps: number;
  severity: number;
  family: AttackFamily;
  signature: Signature;
  hostGroup: string;
  ended: boolean;
  /** The node's exporters were flagged implausible (AttackEvent.implausibleNodes). */
  implausible: boolean;
}

export interface AggregateView {
  readonly bps: number;
  readonly pps: number;
  /** Highest rate/threshold ratio among live reports. */
  readonly severity: number;
  /** Distinct live nodes. */
  readonly nodes: number;
  /** Family and signature of the largest live report (by bps). */
  readonly family: AttackFamily;
  readonly signature: Signature;
  readonly hostGroup: string;
  readonly attackId: string;
  /** No live report left: every node ended or went stale. */
  readonly ended: boolean;
  /** Every live report comes from a node flagged implausible. */
  readonly implausibleOnly: boolean;
}

export function reportOf(event: AttackEvent, now: number): NodeReport {
  return {
    node: event.node,
    attackId: event.attackId,
    at: now,
    bps: event.bps,
    pps: event.pps,
    severity: Number.isFinite(event.severity) ? event.severity : 0,
    family: event.family,
    signature: event.signature,
    hostGroup: event.hostGroup,
    ended: event.kind === 'end',
    implausible: flaggedNode(event),
  };
}

const flaggedNode = (e: AttackEvent) => e.implausibleNodes?.includes(e.node) ?? false;

export function updateReport(r: NodeReport, event: AttackEvent, now: number): void {
  r.attackId = event.attackId;
  r.at = now;
  r.bps = event.bps;
  r.pps = event.pps;
  r.severity = Number.isFinite(event.severity) ? event.severity : 0;
  r.family = event.family;
  r.signature = event.signature;
  r.hostGroup = event.hostGroup;
  r.ended = event.kind === 'end';
  r.implausible = flaggedNode(event);
}

/** Folds the live reports (not ended, not older than staleMs) into one view. */
export function summarize(
  reports: ReadonlyMap<string, NodeReport>,
  now: number,
  staleMs: number,
  volume: 'sum' | 'max',
): AggregateView | undefined {
  let bps = 0;
  let pps = 0;
  let severity = 0;
  let nodes = 0;
  let top: NodeReport | undefined;
  let implausibleOnly = true;
  for (const r of reports.values()) {
    if (r.ended || now - r.at > staleMs) continue;
    nodes++;
    if (!r.implausible) implausibleOnly = false;
    if (volume === 'sum') {
      bps += r.bps;
      pps += r.pps;
    } else {
      bps = Math.max(bps, r.bps);
      pps = Math.max(pps, r.pps);
    }
    if (r.severity > severity) severity = r.severity;
    if (top === undefined || r.bps > top.bps) top = r;
  }
  if (top === undefined) return undefined;
  return {
    bps,
    pps,
    severity,
    nodes,
    family: top.family,
    signature: top.signature,
    hostGroup: top.hostGroup,
    attackId: top.attackId,
    ended: false,
    implausibleOnly,
  };
}
