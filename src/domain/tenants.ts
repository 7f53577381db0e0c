// Tenants own networks: the one tenant → networks map that detection, the mitigation guards, status
// pages and the API all read. Built from config (mitigation.tenants; with none configured, one "default"
// tenant holding detection.networks — see src/config/schema.ts). A prefix belongs to the tenant whose
// network holds it entirely (longest match); a prefix spanning two tenants belongs to neither.
import {
  type IpAddress,
  type Prefix,
  PrefixTrie,
  formatPrefix,
  prefixContains,
  tryParseIp,
  tryParsePrefix,
} from '../net/index.js';

export interface TenantConfig {
  readonly networks: readonly string[];
}

export class TenantMap {
  private readonly trie = new PrefixTrie<string>();
  private readonly byName = new Map<string, readonly Prefix[]>();

  constructor(tenants: Readonly<Record<string, TenantConfig>>) {
    for (const [name, t] of Object.entries(tenants)) {
      const nets = t.networks.map((n) => tryParsePrefix(n)).filter((p): p is Prefix => p !== undefined);
      this.byName.set(name, nets);
      for (const p of nets) this.trie.insert(p, name);
    }
  }

  /** Tenant names in configuration order. */
  names(): string[] {
    return [...this.byName.keys()];
  }

  has(tenant: string): boolean {
    return this.byName.has(tenant);
  }

  /** The tenant owning an address or prefix (text or value); undefined when outside every tenant. */
  tenantOf(target: string | Prefix | IpAddress): string | undefined {
    const key = typeof target === 'string' ? (tryParsePrefix(target) ?? tryParseIp(target)) : target;
    if (key === undefined) return undefined;
    const hit = this.trie.lookup(key);
    return hit !== undefined && prefixContains(hit.prefix, key) ? hit.value : undefined;
  }

  /** The tenant network (longest match) that holds the address or prefix entirely, if any. */
  networkOf(target: Prefix | IpAddress): Prefix | undefined {
    const hit = this.trie.lookup(target);
    return hit !== undefined && prefixContains(hit.prefix, target) ? hit.prefix : undefined;
  }

  /** Parsed networks of a tenant; undefined for an unknown tenant. */
  prefixesOf(tenant: string): readonly Prefix[] | undefined {
    return this.byName.get(tenant);
  }

  /** Networks of a tenant as canonical text; undefined for an unknown tenant. */
  networksOf(tenant: string): string[] | undefined {
    return this.byName.get(tenant)?.map(formatPrefix);
  }

  /** Every tenant's networks (what detection protects beyond detection.networks). */
  allNetworks(): string[] {
    return [...new Set([...this.byName.values()].flat().map(formatPrefix))];
  }
}

/**
 * Folds tenant networks into the detection list: detection protects the union of detection.networks
 * and every tenant's networks, in first-seen order, each once (compared in canonical form).
 */
export function protectedNetworks(
  detectionNetworks: readonly string[],
  tenants: Readonly<Record<string, TenantConfig>>,
): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const n of [...detectionNetworks, ...Object.values(tenants).flatMap((t) => t.networks)]) {
    const p = tryParsePrefix(n);
    const key = p ? formatPrefix(p) : n;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(n);
  }
  return out;
}
