// One collector's counters out of the decode workers' snapshots (pure): totals summed over every worker (a dead
// one's last snapshot included, so a restart does not make counters go backwards), per-listener counters summed
// by listener, exporters listed under the id the main thread's exporter table gives them.
import type { CollectorStats } from '../collector.js';
import { emptyErrorCounts, FLOW_ERROR_KINDS } from '../errors.js';
import type { ListenerStats } from '../listeners.js';
import type { WorkerStats } from './protocol.js';

export interface Snapshot {
  readonly worker: number;
  readonly stats: WorkerStats;
  /** False for the last snapshot of a worker that died: its totals count, its exporters are gone. */
  readonly live: boolean;
}

/**
 * `listeners` are the merged listener counters with the kernel's drops (read by the main thread); `globalId`
 * names a worker's exporter by the main thread's id.
 */
export function mergeStats(
  snaps: readonly Snapshot[],
  globalId: (worker: number, local: number, address: string, node: string) => number,
  listeners: ListenerStats[],
): Omit<CollectorStats, 'backpressure' | 'workers'> {
  const errors = emptyErrorCounts();
  const held = { templates: 0, templateBytes: 0, pendingBytes: 0, interfaces: 0, refusals: 0 };
  const shapes = { shapes: 0, fields: 0, hits: 0, misses: 0 };
  const out = {
    datagrams: 0,
    rejected: 0,
    exporterLimit: 0,
    exportersEvicted: 0,
    batches: 0,
    quarantinedRecords: 0,
    implausibleRecords: 0,
  };
  const exporters: CollectorStats['exporters'] = [];
  for (const { worker, stats: s, live } of snaps) {
    for (const k of Object.keys(out) as (keyof typeof out)[]) out[k] += s[k];
    for (const k of FLOW_ERROR_KINDS) errors[k] += s.errors[k];
    if (!live) continue;
    for (const k of Object.keys(held) as (keyof typeof held)[]) held[k] += s.held[k] ?? 0;
    for (const k of Object.keys(shapes) as (keyof typeof shapes)[]) shapes[k] += s.shapes[k];
    for (const e of s.exporters) exporters.push({ ...e, id: globalId(worker, e.id, e.address, e.node) });
  }
  exporters.sort((a, b) => a.id - b.id);
  return { ...out, errors, held, shapes, listeners, exporters };
}

/** Folds a dead worker's last snapshot into what its predecessors counted: totals and listeners, no exporters. */
export function retire(prev: WorkerStats | undefined, dead: WorkerStats): WorkerStats {
  if (!prev) return { ...dead, exporters: [] };
  const errors = { ...prev.errors };
  for (const k of FLOW_ERROR_KINDS) errors[k] += dead.errors[k];
  const listeners = dead.listeners.map((l, i) => {
    const p = prev.listeners[i];
    return p
      ? {
          ...l,
          datagrams: l.datagrams + p.datagrams,
          decodeErrors: l.decodeErrors + p.decodeErrors,
          queueOverflows: l.queueOverflows + p.queueOverflows,
          rejected: l.rejected + p.rejected,
          receiveErrors: l.receiveErrors + p.receiveErrors,
        }
      : l;
  });
  return {
    ...dead,
    datagrams: prev.datagrams + dead.datagrams,
    rejected: prev.rejected + dead.rejected,
    exporterLimit: prev.exporterLimit + dead.exporterLimit,
    exportersEvicted: prev.exportersEvicted + dead.exportersEvicted,
    batches: prev.batches + dead.batches,
    quarantinedRecords: prev.quarantinedRecords + dead.quarantinedRecords,
    implausibleRecords: prev.implausibleRecords + dead.implausibleRecords,
    errors,
    listeners,
    exporters: [],
  };
}
