// Flow-side wiring between the config, the collector and the engine: the collector of the flow section,
// refusal totals for /healthz, and the implausible-node annotation of attack events (docs/flow-hardening.md).
import { availableParallelism } from 'node:os';
import type { Config } from '../config/schema.js';
import type { AttackEvent } from '../domain/attack.js';
import { type CollectorOptions, type CollectorStats, FlowCollector } from '../flow/collector.js';
import type { Logger } from './logger.js';

/** The flow collector of the flow section; `onBatch` takes every decoded batch, `rawTap` sFlow headers. */
export function buildCollector(
  flow: Config['flow'],
  log: Logger,
  onBatch: CollectorOptions['onBatch'],
  rawTap: CollectorOptions['rawTap'] | undefined,
): FlowCollector {
  let workers = flowWorkers(flow.workers, availableParallelism());
  if (workers > 0 && rawTap) {
    log.warn(
      { workers },
      'flow.workers ignored: forensics reads raw sFlow headers as they are decoded, on the main thread',
    );
    workers = 0;
  }
  return new FlowCollector({
    listen: flow.listeners.map((l) => ({ address: l.address, port: l.port })),
    recvBufferSize: flow.receiveBufferBytes,
    packetLength: flow.packetLength,
    receiver: flow.receiver,
    allow: [...flow.exporters],
    sampling: Object.fromEntries(Object.entries(flow.samplingOverrides).map(([k, v]) => [k, { rate: v }])),
    ...flowCollectorOptions(flow),
    onBatch,
    ...(rawTap ? { rawTap } : {}),
    workers,
    log,
    // Once a minute, only when non-zero: "no attack" must not be confused with "we drop the data".
    onPressure: (report) =>
      log.warn(
        report,
        'flow data lost in the last minute (socket drops, decode errors or queue overflows); see GET /api/v1/exporters',
      ),
  });
}

/**
 * Decode worker threads for flow.workers on a machine with `cores` cores: 'auto' = one per core but the main
 * thread's, and at least two (one receiving, one decoding: the measured best on two cores, docs/performance.md).
 */
export function flowWorkers(setting: Config['flow']['workers'], cores: number): number {
  return setting === 'auto' ? Math.max(2, cores - 1) : setting;
}

export function flowCollectorOptions(
  flow: Config['flow'],
): Pick<CollectorOptions, 'limits' | 'screen' | 'nodes' | 'ceilings' | 'defaultCeiling'> {
  const p = flow.plausibility;
  return {
    limits: { ...flow.limits },
    screen: {
      maxSamplingRate: p.maxSamplingRate,
      rateChangeHoldMs: p.rateChangeHoldMs,
      interfaceSpeedFactor: p.interfaceSpeedFactor,
      flaggedForMs: p.flaggedForMs,
      windowMs: p.windowMs,
    },
    nodes: { ...flow.nodes },
    ceilings: Object.fromEntries(Object.entries(p.exporters).map(([k, v]) => [k, { ...v }])),
    defaultCeiling: { maxBps: p.maxBps, maxPps: p.maxPps },
  };
}

const REFUSALS = [
  'template-too-large',
  'template-limit',
  'template-budget',
  'pending-overflow',
  'unknown-template',
] as const;

/** Refusals of every exporter seen, evicted ones included (per exporter they are in /api/v1/exporters). */
export function flowRefusals(stats: CollectorStats): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of REFUSALS) out[k] = stats.errors[k];
  return {
    ...out,
    'quarantined-records': stats.quarantinedRecords,
    'implausible-records': stats.implausibleRecords,
  };
}

/**
 * Marks an event whose reporting node has an exporter flagged implausible (sampling over the bound, over its
 * ceiling) in the last flow.plausibility.flaggedForMs: the engine then needs a second node before it acts.
 */
export function withImplausibleNodes(event: AttackEvent, flagged: readonly string[]): AttackEvent {
  if (!flagged.includes(event.node)) return event;
  return { ...event, implausibleNodes: [event.node] };
}
