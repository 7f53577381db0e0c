// Tenant scoping of the live stream: a tenant's token sees only its own attacks, rate samples and
// audit records; infrastructure events (adapters, BGP sessions, exporters, RPKI) and records of no
// tenant ("*", config reloads) are for global tokens only. Pure; the tenant → networks map is the
// one the engine's guards use (mitigation.tenants).
import type { OpsEvent } from '../domain/events.js';
import { type Prefix, prefixContains, tryParsePrefix } from '../net/index.js';
import type { RatesEvent } from './wire.js';

export type StreamEvent = OpsEvent | RatesEvent;

/** Tenant that owns a target (longest matching network), or undefined. */
export function tenantResolver(
  tenants: Readonly<Record<string, { readonly networks: readonly string[] }>>,
): (target: string) => string | undefined {
  const nets: { tenant: string; prefix: Prefix }[] = [];
  for (const [tenant, t] of Object.entries(tenants))
    for (const n of t.networks) {
      const prefix = tryParsePrefix(n, { strict: false });
      if (prefix) nets.push({ tenant, prefix });
    }
  nets.sort((a, b) => b.prefix.length - a.prefix.length);
  return (target) => {
    const p = tryParsePrefix(target, { strict: false });
    if (!p) return undefined;
    return nets.find((n) => prefixContains(n.prefix, p))?.tenant;
  };
}

/**
 * What one viewer may see of an event: the event, a copy narrowed to the viewer's tenant (rates), or
 * undefined. `tenant` null or undefined = a global token, which sees everything.
 */
export function scopeEvent(
  event: StreamEvent,
  tenant: string | null | undefined,
  tenantOf: (target: string) => string | undefined,
): StreamEvent | undefined {
  if (tenant === null || tenant === undefined) return event;
  switch (event.type) {
    case 'attack':
      return tenantOf(event.event.target) === tenant ? event : undefined;
    case 'audit':
      return event.record.tenant === tenant ? event : undefined;
    case 'rates': {
      const samples = event.samples.filter((s) => tenantOf(s.target) === tenant);
      return samples.length === event.samples.length ? event : { ...event, samples };
    }
    case 'adapter':
    case 'bgp-session':
    case 'exporter':
    case 'rpki':
      return undefined;
  }
}
