// The checks on a valid config that go beyond its schema, in one place: `floodgate run` refuses to start on an
// error and logs each warning; `floodgate check-config` prints both (and exits 2 on an error).
import type { Config } from './schema.js';

export interface ConfigCheck {
  readonly level: 'error' | 'warning';
  readonly path: string;
  readonly message: string;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

export function checkConfig(config: Config): ConfigCheck[] {
  const out: ConfigCheck[] = [];
  if (config.api.enabled && !isLoopback(config.api.host) && !config.api.token) {
    out.push({
      level: 'error',
      path: 'api.token',
      message: `required when api.host (${config.api.host}) is not a loopback address`,
    });
  }
  if (config.api.enabled && config.api.anonymousRead && !isLoopback(config.api.host)) {
    out.push({
      level: 'error',
      path: 'api.anonymousRead',
      message: `allowed only on a loopback listener; api.host is ${config.api.host}`,
    });
  }
  if (config.flow.exporters.length === 0 && !config.mitigation.dryRun) {
    out.push({
      level: 'warning',
      path: 'flow.exporters',
      message:
        'MITIGATION IS LIVE AND ANY SOURCE IS ACCEPTED AS AN EXPORTER: anyone who can send one UDP datagram to the flow listeners can make up an attack and get a rule announced. List your routers (addresses or prefixes) in flow.exporters.',
    });
  }
  // the adapter table is keyed by instance name (audit log, health, failover): names must be unique
  const a = config.adapters;
  const names = [
    ...(config.bgp.enabled ? ['bgp'] : []),
    ...[...a.exabgp, ...a.gobgp, ...a.bird, ...a.frr].map((c) => c.name),
    ...[a.cloudflare, a.radware, a.f5, a.webhook, a.local].filter((c) => c.enabled).map((c) => c.name),
  ];
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n))
      out.push({
        level: 'error',
        path: 'adapters',
        message: `two adapters are named "${n}": give each a unique name`,
      });
    seen.add(n);
  }
  if (config.detection.networks.length === 0) {
    out.push({
      level: 'warning',
      path: 'detection.networks',
      message: 'empty: no address is protected until you list your prefixes in floodgate.yaml',
    });
  }
  return out;
}
