// Back-pressure accounting (issue 15): what the collector lost or could not use, per listener and per
// exporter, so an operator can tell "no attack" from "we drop the data". Pure: snapshots in, the
// non-zero differences out; the collector's timer logs them once a minute.
import { FLOW_ERROR_KINDS, type ErrorCounts } from './errors.js';

export interface ListenerPressure {
  readonly address: string;
  readonly port: number;
  /** Datagrams the kernel dropped for this socket (receive queue full), from /proc/net/udp{,6}. */
  readonly socketDrops: number;
  /** Datagrams or sets that failed to decode (every error kind except pending-overflow). */
  readonly decodeErrors: number;
  /** NetFlow v9/IPFIX data sets dropped because the data-before-template queue was full. */
  readonly queueOverflows: number;
  /** Datagrams from senders outside flow.exporters, or over maxExporters. */
  readonly rejected: number;
  /**
   * Failed receive calls other than interruption (the native receiver's recvmmsg; 0 with node:dgram, which
   * reports none): each may have lost what the kernel held for the socket.
   */
  readonly receiveErrors: number;
}

export interface ExporterPressure {
  readonly address: string;
  readonly decodeErrors: number;
  readonly queueOverflows: number;
  /** Loss the exporter's own sequence numbers reveal (between it and us, kernel drops included). */
  readonly lostDatagrams: number;
  readonly lostRecords: number;
}

export interface PressureSnapshot {
  readonly listeners: readonly ListenerPressure[];
  readonly exporters: readonly ExporterPressure[];
}

export type PressureReport = PressureSnapshot;

/**
 * Splits error counts into decode errors and queue overflows (merged or evicted counts; a live exporter keeps the
 * same two totals running, ExporterState.decodeErrors / queueOverflows, so the hot path never sums).
 */
export function splitErrors(e: ErrorCounts): { decodeErrors: number; queueOverflows: number } {
  let total = 0;
  for (let i = 0; i < FLOW_ERROR_KINDS.length; i++) total += e[FLOW_ERROR_KINDS[i] as keyof ErrorCounts];
  return { decodeErrors: total - e['pending-overflow'], queueOverflows: e['pending-overflow'] };
}

const LISTENER_FIELDS = [
  'socketDrops',
  'decodeErrors',
  'queueOverflows',
  'rejected',
  'receiveErrors',
] as const;
const EXPORTER_FIELDS = ['decodeErrors', 'queueOverflows', 'lostDatagrams', 'lostRecords'] as const;

function delta<T extends object, K extends keyof T & string>(
  prev: T | undefined,
  cur: T,
  fields: readonly K[],
): { changed: boolean; out: T } {
  const out = { ...cur };
  let changed = false;
  for (const f of fields) {
    // a counter that went down (socket re-created) restarts from zero
    const d = (cur[f] as number) - ((prev?.[f] as number | undefined) ?? 0);
    (out as Record<string, unknown>)[f] = d >= 0 ? d : (cur[f] as number);
    if ((out[f] as number) > 0) changed = true;
  }
  return { changed, out };
}

/** What grew between two snapshots; undefined when nothing did (nothing to log). */
export function pressureSince(prev: PressureSnapshot, cur: PressureSnapshot): PressureReport | undefined {
  const lkey = (l: ListenerPressure) => `${l.address}|${l.port}`;
  const prevL = new Map(prev.listeners.map((l) => [lkey(l), l]));
  const prevE = new Map(prev.exporters.map((e) => [e.address, e]));
  const listeners: ListenerPressure[] = [];
  const exporters: ExporterPressure[] = [];
  for (const l of cur.listeners) {
    const d = delta(prevL.get(lkey(l)), l, LISTENER_FIELDS);
    if (d.changed) listeners.push(d.out);
  }
  for (const e of cur.exporters) {
    const d = delta(prevE.get(e.address), e, EXPORTER_FIELDS);
    if (d.changed) exporters.push(d.out);
  }
  return listeners.length > 0 || exporters.length > 0 ? { listeners, exporters } : undefined;
}

/** Totals over every listener and exporter, for /healthz. */
export function pressureTotals(s: PressureSnapshot): {
  socketDrops: number;
  decodeErrors: number;
  queueOverflows: number;
  rejected: number;
  receiveErrors: number;
  sequenceLostDatagrams: number;
} {
  let socketDrops = 0;
  let decodeErrors = 0;
  let queueOverflows = 0;
  let rejected = 0;
  let receiveErrors = 0;
  let sequenceLostDatagrams = 0;
  for (const l of s.listeners) {
    socketDrops += l.socketDrops;
    decodeErrors += l.decodeErrors;
    queueOverflows += l.queueOverflows;
    rejected += l.rejected;
    receiveErrors += l.receiveErrors;
  }
  for (const e of s.exporters) sequenceLostDatagrams += e.lostDatagrams;
  return { socketDrops, decodeErrors, queueOverflows, rejected, receiveErrors, sequenceLostDatagrams };
}

/** The loss counters out of per-listener and per-exporter stats (the collector's, or the decode workers' merged). */
export function pressureOf(
  listeners: readonly ListenerPressure[],
  exporters: readonly (ExporterPressure & { address: string })[],
): PressureSnapshot {
  return {
    listeners: listeners.map((l) => ({
      address: l.address,
      port: l.port,
      socketDrops: l.socketDrops,
      decodeErrors: l.decodeErrors,
      queueOverflows: l.queueOverflows,
      rejected: l.rejected,
      receiveErrors: l.receiveErrors,
    })),
    exporters: exporters.map((e) => ({
      address: e.address,
      decodeErrors: e.decodeErrors,
      queueOverflows: e.queueOverflows,
      lostDatagrams: e.lostDatagrams,
      lostRecords: e.lostRecords,
    })),
  };
}
