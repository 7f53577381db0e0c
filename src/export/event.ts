// The one flat record every event sink renders (CEF, LEEF, JSON, HEC, _bulk, Sentinel, Kafka): built once
// per operational event by a pure function, so every SIEM sees the same names and values.
import type { AttackFamily } from '../domain/attack.js';
import type { AuditAction } from '../domain/audit.js';
import type { OpsEvent } from '../domain/events.js';
import type { ExportCategory } from './config.js';

export interface ExportEvent {
  /** Unique per event: category, subject and time. */
  readonly id: string;
  readonly at: number;
  readonly node: string;
  readonly category: ExportCategory;
  /** start|update|end, announce|withdraw|escalate|de-escalate|rollback, up|down, silent|back, stale|fresh. */
  readonly action: string;
  /** One-line human title. */
  readonly title: string;
  /** 0 (informational) … 10 (very high), the CEF scale. */
  readonly severity: number;
  readonly reason?: string;
  readonly target?: string;
  readonly family?: AttackFamily;
  readonly attackId?: string;
  readonly ruleId?: string;
  readonly tenant?: string;
  readonly adapter?: string;
  readonly peer?: string;
  readonly exporter?: string;
  readonly actor?: string;
  readonly dryRun?: boolean;
  readonly pps?: number;
  readonly bps?: number;
  readonly peakPps?: number;
  readonly peakBps?: number;
  /** Dominant attack sources (prefixes), from the signature. */
  readonly sources?: readonly string[];
  readonly protocols?: readonly number[];
  readonly destinationPorts?: readonly number[];
  readonly startedAt?: number;
}

/** Audit actions exported as rule events; the others (alert, queue, refresh, retry, reject, config) are not. */
const RULE_ACTIONS: ReadonlySet<AuditAction> = new Set([
  'announce',
  'withdraw',
  'escalate',
  'de-escalate',
  'rollback',
]);

const RULE_SEVERITY: Readonly<Record<string, number>> = {
  announce: 6,
  escalate: 7,
  'de-escalate': 4,
  withdraw: 3,
  rollback: 7,
};

/** Attack severity (current rate / threshold, ≥ 1) mapped onto 5…10. */
function attackSeverity(kind: string, severity: number): number {
  if (kind === 'end') return 3;
  return Math.min(10, 5 + Math.floor(Math.log2(Math.max(1, severity))));
}

export function toExportEvent(e: OpsEvent, node: string): ExportEvent | undefined {
  switch (e.type) {
    case 'attack': {
      const a = e.event;
      const sig = a.signature;
      return {
        id: `attack:${a.attackId}:${a.kind}:${a.at}`,
        at: e.at,
        node: a.node || node,
        category: 'attack',
        action: a.kind,
        title: `attack ${a.kind}: ${a.family} on ${a.target}`,
        severity: attackSeverity(a.kind, a.severity),
        reason: a.reason,
        target: a.target,
        family: a.family,
        attackId: a.attackId,
        pps: Math.round(a.pps),
        bps: Math.round(a.bps),
        peakPps: Math.round(a.peakPps),
        peakBps: Math.round(a.peakBps),
        startedAt: a.startedAt,
        ...(sig.sourcePrefixes?.length ? { sources: sig.sourcePrefixes } : {}),
        ...(sig.protocols?.length ? { protocols: sig.protocols } : {}),
        ...(sig.destinationPorts?.length ? { destinationPorts: sig.destinationPorts } : {}),
      };
    }
    case 'audit': {
      const r = e.record;
      if (!RULE_ACTIONS.has(r.action)) return undefined;
      return {
        id: `rule:${r.id ?? ''}:${r.ruleId ?? r.target ?? ''}:${r.action}:${r.at}`,
        at: e.at,
        node,
        category: 'rule',
        action: r.action,
        title: `rule ${r.action}${r.target ? ` for ${r.target}` : ''}${r.dryRun ? ' (dry-run)' : ''}`,
        severity: RULE_SEVERITY[r.action] ?? 5,
        reason: r.reason,
        tenant: r.tenant,
        actor: r.actor,
        dryRun: r.dryRun,
        ...(r.target !== undefined ? { target: r.target } : {}),
        ...(r.ruleId !== undefined ? { ruleId: r.ruleId } : {}),
        ...(r.attackId !== undefined ? { attackId: r.attackId } : {}),
        ...(r.adapter !== undefined ? { adapter: r.adapter } : {}),
      };
    }
    case 'adapter':
      return {
        id: `adapter:${e.adapter}:${e.state}:${e.at}`,
        at: e.at,
        node,
        category: 'adapter',
        action: e.state,
        title: `adapter ${e.adapter} ${e.state}`,
        severity: e.state === 'down' ? 8 : 3,
        adapter: e.adapter,
        ...(e.detail !== undefined ? { reason: e.detail } : {}),
      };
    case 'bgp-session':
      return {
        id: `bgp:${e.peer}:${e.state}:${e.at}`,
        at: e.at,
        node,
        category: 'bgp',
        action: e.state,
        title: `BGP session ${e.peer} ${e.state}`,
        severity: e.state === 'down' ? 8 : 3,
        peer: e.peer,
        ...(e.detail !== undefined ? { reason: e.detail } : {}),
      };
    case 'exporter':
      return {
        id: `exporter:${e.exporter}:${e.state}:${e.at}`,
        at: e.at,
        node,
        category: 'exporter',
        action: e.state,
        title: `flow exporter ${e.exporter} ${e.state}`,
        severity: e.state === 'silent' ? 6 : 3,
        exporter: e.exporter,
        ...(e.silentForMs !== undefined
          ? { reason: `no datagram for ${Math.round(e.silentForMs / 1000)} s` }
          : {}),
      };
    case 'rpki':
      return {
        id: `rpki:${e.state}:${e.at}`,
        at: e.at,
        node,
        category: 'rpki',
        action: e.state,
        title: `RPKI data ${e.state}`,
        severity: e.state === 'stale' ? 6 : 3,
        ...(e.detail !== undefined ? { reason: e.detail } : {}),
      };
  }
}

/** The event as a JSON document (HEC event, _bulk source, Sentinel row, Kafka value, syslog json). */
export function eventDocument(e: ExportEvent): Record<string, unknown> {
  return { '@timestamp': new Date(e.at).toISOString(), ...e };
}
