// Diffs two configs for a live reload: which keys changed, which of those apply in place and which
// need a restart (sockets, store, identity).
import type { Config } from './schema.js';

/** Key path prefixes whose change needs a restart; everything else is applied in place. */
export const RESTART_KEYS: readonly string[] = [
  'node.name',
  'store',
  // the HTTP API (listener, TLS, anonymous reads, rate limits, CORS) is built once; api.token applies live
  'api.enabled',
  'api.host',
  'api.port',
  'api.tls',
  'api.anonymousRead',
  'api.rateLimit',
  'api.corsOrigins',
  'flow',
  'bgp',
  'adapters',
  'notifications',
  'exports.metrics.processMetrics',
  // RTR sessions and VRP sources are built once; the policy (mitigation.guards.rpki) applies live
  'rpki',
  'forensics',
  'agents',
  'agent',
  // roles, NATS links, shard leases and the election are built once (docs/scale-out.md)
  'cluster',
];

export interface ConfigDiff {
  /** Every changed leaf path (arrays compare whole). */
  readonly changed: readonly string[];
  readonly live: readonly string[];
  readonly restartRequired: readonly string[];
}

function walk(a: unknown, b: unknown, path: string, out: string[]): void {
  const isObj = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObj(a) && isObj(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      walk(a[key], b[key], path ? `${path}.${key}` : key, out);
    }
    return;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push(path);
}

export function diffConfig(previous: Config, next: Config): ConfigDiff {
  const changed: string[] = [];
  walk(previous, next, '', changed);
  const needsRestart = (p: string) => RESTART_KEYS.some((k) => p === k || p.startsWith(k + '.'));
  return {
    changed,
    live: changed.filter((p) => !needsRestart(p)),
    restartRequired: changed.filter(needsRestart),
  };
}
