// Flow-side wiring between the config, the collector and the engine: collector options from the flow section,
// refusal totals for /healthz, and the implausible-node annotation of attack events (docs/flow-hardening.md).
import type { Config } from '../config/schema.js';
import type { AttackEvent } from '../domain/attack.js';
import type { CollectorOptions, CollectorStats } from '../flow/collector.js';

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
