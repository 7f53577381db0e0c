// Tenant lookups for notifications and status pages, kept behind these few functions so that richer
// tenants (another part of the code) change one file. Today a tenant is `mitigation.tenants`:
// name -> networks; the name is also the status page slug.
import type { Config } from '../config/schema.js';
import { prefixContains, tryParsePrefix, type Prefix } from '../net/index.js';

export interface TenantInfo {
  readonly name: string;
  readonly networks: readonly Prefix[];
}

export interface TenantDirectory {
  list(): readonly TenantInfo[];
  get(name: string): TenantInfo | undefined;
  /** The tenant owning a prefix or address: the one with the most specific covering network. */
  ownerOf(target: string): string | undefined;
}

export function tenantDirectory(config: Pick<Config, 'mitigation'>): TenantDirectory {
  const tenants: TenantInfo[] = Object.entries(config.mitigation.tenants).map(([name, t]) => ({
    name,
    networks: t.networks.map((n) => tryParsePrefix(n, { strict: false })).filter((p) => p !== undefined),
  }));
  const byName = new Map(tenants.map((t) => [t.name, t]));
  return {
    list: () => tenants,
    get: (name) => byName.get(name),
    ownerOf(target) {
      const p = tryParsePrefix(
        target.includes('/') ? target : `${target}/${target.includes(':') ? 128 : 32}`,
        {
          strict: false,
        },
      );
      if (!p) return undefined;
      let best: { name: string; length: number } | undefined;
      for (const t of tenants)
        for (const n of t.networks)
          if (prefixContains(n, p) && (!best || n.length > best.length))
            best = { name: t.name, length: n.length };
      return best?.name;
    },
  };
}

/** The escalation policy a host group uses (runbook lookup). */
export function policyOf(config: Pick<Config, 'mitigation'>, hostGroup: string | undefined): string {
  const m = config.mitigation;
  return (hostGroup !== undefined ? m.hostGroupPolicies[hostGroup] : undefined) ?? m.defaultPolicy;
}
