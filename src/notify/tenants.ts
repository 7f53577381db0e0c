// Tenant lookups for notifications and status pages, kept behind these few functions: the one
// tenant map (src/domain/tenants.ts, built from mitigation.tenants) answers; the tenant name is the
// status page slug.
import type { Config } from '../config/schema.js';
import { TenantMap } from '../domain/tenants.js';
import type { Prefix } from '../net/index.js';

export interface TenantInfo {
  readonly name: string;
  readonly networks: readonly Prefix[];
}

export interface TenantDirectory {
  get(name: string): TenantInfo | undefined;
  /** The tenant owning a prefix or address (longest match); undefined outside every tenant. */
  ownerOf(target: string): string | undefined;
}

export function tenantDirectory(config: Pick<Config, 'mitigation'>): TenantDirectory {
  const map = new TenantMap(config.mitigation.tenants);
  return {
    get: (name) => {
      const networks = map.prefixesOf(name);
      return networks ? { name, networks } : undefined;
    },
    ownerOf: (target) => map.tenantOf(target),
  };
}

/** The escalation policy a host group uses (runbook lookup). */
export function policyOf(config: Pick<Config, 'mitigation'>, hostGroup: string | undefined): string {
  const m = config.mitigation;
  return (hostGroup !== undefined ? m.hostGroupPolicies[hostGroup] : undefined) ?? m.defaultPolicy;
}
