// `floodgate init`: the answers a first configuration needs, and the floodgate.yaml they make.
// Pure: answers in, a config object and its YAML text out; the command (commands/init.ts) asks the
// questions and writes the file.
import { stringify } from 'yaml';
import { tryParseIp } from '../../net/address.js';
import { tryParsePrefix } from '../../net/prefix.js';

export type InitMitigator = 'bgp' | 'exabgp' | 'gobgp' | 'bird' | 'frr' | 'none';
export const INIT_MITIGATORS: readonly InitMitigator[] = ['bgp', 'exabgp', 'gobgp', 'bird', 'frr', 'none'];

export interface InitExporter {
  readonly address: string;
  /** 1-in-N packet sampling the exporter applies, when it does not say so itself. */
  readonly sampling?: number;
}

export interface InitRouter {
  readonly address: string;
  readonly asn: number;
}

export interface InitAnswers {
  /** Prefixes to protect (your address space). */
  readonly networks: readonly string[];
  readonly exporters: readonly InitExporter[];
  /** How rules reach the routers: the native BGP speaker, a BGP daemon adapter, or nowhere yet. */
  readonly mitigator: InitMitigator;
  /** Native speaker: the routers to peer with. */
  readonly routers: readonly InitRouter[];
  readonly localAs: number;
  readonly routerId: string;
  /** Our address for the BGP sessions (also the one routers should export flows to). */
  readonly localAddress?: string;
  readonly discardV4?: string;
  readonly discardV6?: string;
  readonly apiHost: string;
  /** Owner token for the API and the CLI (api.token). */
  readonly apiToken: string;
}

export interface InitProblem {
  readonly field: string;
  readonly message: string;
}

/** Every problem with the answers, in words a newcomer can act on. */
export function checkAnswers(a: InitAnswers): InitProblem[] {
  const out: InitProblem[] = [];
  if (!a.networks.length)
    out.push({ field: 'networks', message: 'name at least one prefix you want protected' });
  for (const n of a.networks)
    if (!tryParsePrefix(n, { strict: true }))
      out.push({ field: 'networks', message: `${n} is not a prefix like 203.0.113.0/24 or 2001:db8::/32` });
  for (const e of a.exporters) {
    if (!tryParseIp(e.address) && !tryParsePrefix(e.address))
      out.push({ field: 'exporters', message: `${e.address} is not an address or prefix` });
    if (e.sampling !== undefined && (!Number.isInteger(e.sampling) || e.sampling < 1))
      out.push({
        field: 'exporters',
        message: `sampling of ${e.address} must be a whole number ≥ 1 (1 in N)`,
      });
  }
  if (a.mitigator === 'bgp' && !a.routers.length)
    out.push({ field: 'routers', message: 'the native BGP speaker needs at least one router to peer with' });
  for (const r of a.routers) {
    if (!tryParseIp(r.address)) out.push({ field: 'routers', message: `${r.address} is not an IP address` });
    if (!Number.isInteger(r.asn) || r.asn < 1 || r.asn > 4294967295)
      out.push({ field: 'routers', message: `AS ${r.asn} is not an AS number` });
  }
  if (!Number.isInteger(a.localAs) || a.localAs < 1 || a.localAs > 4294967295)
    out.push({ field: 'local-as', message: `AS ${a.localAs} is not an AS number` });
  if (tryParseIp(a.routerId)?.family !== 4)
    out.push({ field: 'router-id', message: `${a.routerId} is not an IPv4 address` });
  if (a.localAddress !== undefined && !tryParseIp(a.localAddress))
    out.push({ field: 'local-address', message: `${a.localAddress} is not an IP address` });
  if (a.discardV4 !== undefined && tryParseIp(a.discardV4)?.family !== 4)
    out.push({ field: 'discard-v4', message: `${a.discardV4} is not an IPv4 address` });
  if (a.discardV6 !== undefined && tryParseIp(a.discardV6)?.family !== 6)
    out.push({ field: 'discard-v6', message: `${a.discardV6} is not an IPv6 address` });
  return out;
}

/** The families the protected networks need, whatever the session's transport (RFC 4760). */
function familiesFor(networks: readonly string[]): string[] {
  const v6 = networks.some((n) => n.includes(':'));
  const v4 = networks.some((n) => !n.includes(':'));
  return [...(v4 ? ['ipv4-unicast', 'ipv4-flowspec'] : []), ...(v6 ? ['ipv6-unicast', 'ipv6-flowspec'] : [])];
}

/** The config the answers describe: dry-run on, listeners on the standard ports. */
export function initConfig(a: InitAnswers): Record<string, unknown> {
  const sampling = Object.fromEntries(
    a.exporters.filter((e) => e.sampling).map((e) => [e.address, e.sampling]),
  );
  const discard = {
    ...(a.discardV4 ? { ipv4: a.discardV4 } : {}),
    ...(a.discardV6 ? { ipv6: a.discardV6 } : {}),
  };
  const config: Record<string, unknown> = {
    node: { name: 'floodgate' },
    api: { host: a.apiHost, port: 8080, token: a.apiToken },
    flow: {
      listeners: [
        { protocol: 'netflow', address: '0.0.0.0', port: 2055 },
        { protocol: 'netflow', address: '0.0.0.0', port: 4739 },
        { protocol: 'sflow', address: '0.0.0.0', port: 6343 },
      ],
      exporters: a.exporters.map((e) => e.address),
      ...(Object.keys(sampling).length ? { samplingOverrides: sampling } : {}),
    },
    detection: { networks: [...a.networks] },
    mitigation: {
      dryRun: true,
      // One router is all the corroboration a single-router network can give: with the default (two
      // nodes for full corroboration) its floods under 3.98× their threshold would stay alert only.
      ...(a.exporters.length === 1 ? { confidence: { corroborationFull: 1 } } : {}),
    },
  };
  if (a.mitigator === 'bgp') {
    config.bgp = {
      enabled: true,
      routerId: a.routerId,
      localAs: a.localAs,
      ...(Object.keys(discard).length ? { discardNextHop: discard } : {}),
      peers: a.routers.map((r, i) => ({
        name: `router${i + 1}`,
        address: r.address,
        ...(a.localAddress ? { localAddress: a.localAddress } : {}),
        remoteAs: r.asn,
        families: familiesFor(a.networks),
      })),
    };
  } else if (a.mitigator !== 'none') {
    config.adapters = { [a.mitigator]: [{ name: a.mitigator, enabled: true }] };
  }
  return config;
}

/** YAML with a header that says what was generated and what to do next. */
export function initYaml(a: InitAnswers): string {
  return [
    '# floodgate.yaml written by `floodgate init`. Every key and default: floodgate.example.yaml.',
    '# Mitigation starts in DRY-RUN: decisions and would-be announcements are audited, nothing is sent.',
    '# Watch a test attack (docs/quickstart.md), then set mitigation.dryRun: false to act.',
    ...(a.exporters.length === 1
      ? [
          '# One exporter: mitigation.confidence.corroborationFull is 1, so its reports count as fully',
          '# corroborated (docs/engine.md, Confidence); set it back to 2 when a second router exports flows.',
        ]
      : []),
    stringify(initConfig(a), { lineWidth: 0 }),
  ].join('\n');
}
