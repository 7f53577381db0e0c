// Pure renderer for F5 BIG-IP (iControl REST, AFM): Rule → an AFM DoS profile in the configured partition
// (POST /mgmt/tm/security/dos/profile, network vectors in dosNetwork[].networkAttackVector) and, to put it
// in the traffic path, one forwarding virtual server per protocol × destination port carrying the profile
// (POST /mgmt/tm/ltm/virtual). Objects are addressed as ~Partition~name; withdrawal deletes the virtual
// servers first (a referenced profile cannot be deleted), then the profile.
import { createHash } from 'node:crypto';
import { formatIp } from '../../net/address.js';
import { formatPrefix, parsePrefix, prefixAddress } from '../../net/prefix.js';
import type { Intent, Rule } from '../../domain/rule.js';
import { numericIntervals, type Interval } from '../local/terms.js';

export interface F5RenderOptions {
  readonly partition: string;
  readonly namePrefix: string;
  readonly attach: 'virtual-server' | 'none';
  readonly maxVirtualServers: number;
  readonly avgPacketBytes: number;
  readonly dropLimitPps: number;
}

export interface F5Call {
  readonly method: 'POST' | 'DELETE' | 'PATCH';
  readonly path: string;
  readonly body?: Record<string, unknown>;
}

export interface F5Rendering {
  readonly profileName: string;
  readonly virtualNames: readonly string[];
  /** In order: profile, then virtual servers. */
  readonly announce: readonly F5Call[];
  /** In order: virtual servers, then profile. */
  readonly withdraw: readonly F5Call[];
  /** Match components a DoS profile cannot scope (it protects target/protocol/port, it is not a filter). */
  readonly notCarried: readonly string[];
}

export class F5RenderError extends Error {
  override readonly name = 'F5RenderError';
  constructor(
    readonly code: 'unsupported-intent' | 'unsupported-protocol' | 'too-many-objects' | 'bad-rule',
    message: string,
  ) {
    super(message);
  }
}

const PROTOCOLS: Record<number, string> = {
  1: 'icmp',
  6: 'tcp',
  17: 'udp',
  47: 'gre',
  58: 'ipv6-icmp',
  132: 'sctp',
};

/** AFM network vectors worth arming per protocol (BIG-IP vector names). */
const VECTORS: Record<string, readonly string[]> = {
  tcp: ['tcp-syn-flood', 'tcp-synack-flood', 'tcp-rst-flood', 'tcp-psh-flood'],
  udp: ['udp-flood'],
  icmp: ['icmpv4-flood', 'icmp-frag'],
  'ipv6-icmp': ['icmpv6-flood'],
  any: [
    'tcp-syn-flood',
    'tcp-synack-flood',
    'tcp-rst-flood',
    'tcp-psh-flood',
    'udp-flood',
    'icmpv4-flood',
    'icmpv6-flood',
    'ip-frag-flood',
    'ipv6-frag-flood',
  ],
};

/** What BIG-IP's DoS profiles and blackhole routes carry (the adapter's capability flags). */
export const F5_INTENTS: readonly Intent[] = ['rate-limit', 'drop', 'blackhole', 'scrubbing'];
const SUPPORTED: ReadonlySet<Intent> = new Set(F5_INTENTS);

/** <prefix><sanitised id>_<6 hex>: BIG-IP names allow letters, digits, "_", "-", "."; ids may not. */
export function objectName(prefix: string, ruleId: string): string {
  const h = createHash('sha1').update(ruleId).digest('hex').slice(0, 6);
  return `${prefix}${ruleId.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 48)}_${h}`;
}

export const uriName = (partition: string, name: string): string => `~${partition}~${name}`;

function expand(xs: readonly Interval[], limit: number, what: string): number[] {
  const out: number[] = [];
  for (const [lo, hi] of xs) {
    for (let v = lo; v <= hi; v++) {
      out.push(v);
      if (out.length > limit)
        throw new F5RenderError('too-many-objects', `${what} expands past ${limit} virtual servers`);
    }
  }
  return out;
}

function v4Mask(len: number): string {
  const n = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return [24, 16, 8, 0].map((s) => (n >>> s) & 0xff).join('.');
}

function v6Mask(len: number): string {
  const groups: string[] = [];
  for (let i = 0; i < 8; i++) {
    const bits = Math.max(0, Math.min(16, len - i * 16));
    groups.push((bits === 0 ? 0 : (0xffff << (16 - bits)) & 0xffff).toString(16));
  }
  return groups.join(':');
}

export const f5Description = (rule: Rule, target: string): string =>
  `floodgate ${rule.id} ${target} ${rule.intent}`;

/** Renders announce and withdraw calls for the rule. Pure. */
export function render(rule: Rule, opts: F5RenderOptions): F5Rendering {
  if (!SUPPORTED.has(rule.intent))
    throw new F5RenderError('unsupported-intent', `F5 DoS profiles do not carry "${rule.intent}"`);
  const p = parsePrefix(rule.target, { strict: false });
  const target = formatPrefix(p);
  const P = opts.partition;
  const profileName = objectName(opts.namePrefix, rule.id);
  const description = f5Description(rule, target);
  const m = rule.match;
  const protoNums = m.ipProtocol
    ? expand(numericIntervals(m.ipProtocol, 255, 'ip protocol'), opts.maxVirtualServers, 'ip protocol')
    : [];
  const protos = protoNums.map((n) => {
    const name = PROTOCOLS[n];
    if (!name)
      throw new F5RenderError(
        'unsupported-protocol',
        `IP protocol ${n} has no BIG-IP virtual server protocol here`,
      );
    return name;
  });
  const ports = m.destinationPort
    ? expand(
        numericIntervals(m.destinationPort, 65535, 'destination port'),
        opts.maxVirtualServers,
        'destination port',
      )
    : [0];
  const notCarried = (
    [
      'source',
      'port',
      'sourcePort',
      'icmpType',
      'icmpCode',
      'tcpFlags',
      'packetLength',
      'dscp',
      'fragment',
      'flowLabel',
    ] as const
  ).filter((k) => m[k] !== undefined);
  if (m.destinationPort && protos.some((x) => x !== 'tcp' && x !== 'udp' && x !== 'sctp')) {
    throw new F5RenderError('bad-rule', 'destination ports given with a protocol that has no ports');
  }
  const pps =
    rule.intent === 'rate-limit'
      ? Math.max(1, Math.round((rule.rateBytesPerSecond ?? 0) / opts.avgPacketBytes))
      : opts.dropLimitPps;
  if (rule.intent === 'rate-limit' && !(rule.rateBytesPerSecond && rule.rateBytesPerSecond > 0))
    throw new F5RenderError('bad-rule', 'rate-limit needs rateBytesPerSecond');
  const vectorNames = [
    ...new Set((protos.length ? protos : ['any']).flatMap((x) => VECTORS[x] ?? VECTORS.any!)),
  ];
  const profileBody = {
    name: profileName,
    partition: P,
    description,
    dosNetwork: [
      {
        name: profileName,
        networkAttackVector: vectorNames.map((name) => ({
          name,
          state: 'mitigate',
          // Detection at the allowed rate, hard limit at the same rate: the vector enforces the rule's ceiling.
          rateThreshold: pps,
          rateLimit: pps,
          rateIncrease: 100,
        })),
      },
    ],
  };
  const announce: F5Call[] = [{ method: 'POST', path: '/mgmt/tm/security/dos/profile', body: profileBody }];
  const withdraw: F5Call[] = [];
  const virtualNames: string[] = [];
  if (opts.attach === 'virtual-server') {
    const combos = (protos.length ? protos : ['any']).flatMap((proto) =>
      ports.map((port) => [proto, port] as const),
    );
    if (combos.length > opts.maxVirtualServers) {
      throw new F5RenderError(
        'too-many-objects',
        `${combos.length} protocol x port pairs exceed maxVirtualServers ${opts.maxVirtualServers}`,
      );
    }
    const addr = formatIp(prefixAddress(p));
    for (const [proto, port] of combos) {
      const name = `${profileName}_${proto}_${port}`;
      virtualNames.push(name);
      // BIG-IP destination syntax: address:port for IPv4, address.port for IPv6; port 0 = any.
      const destination = p.family === 4 ? `/${P}/${addr}:${port}` : `/${P}/${addr}.${port}`;
      announce.push({
        method: 'POST',
        path: '/mgmt/tm/ltm/virtual',
        body: {
          name,
          partition: P,
          description,
          destination,
          mask: p.family === 4 ? v4Mask(p.length) : v6Mask(p.length),
          source: p.family === 4 ? '0.0.0.0/0' : '::/0',
          ipProtocol: proto,
          ipForward: true,
          translateAddress: 'disabled',
          translatePort: 'disabled',
          profiles: [{ name: '/Common/fastL4' }, { name: `/${P}/${profileName}` }],
        },
      });
      withdraw.push({ method: 'DELETE', path: `/mgmt/tm/ltm/virtual/${uriName(P, name)}` });
    }
  }
  withdraw.push({ method: 'DELETE', path: `/mgmt/tm/security/dos/profile/${uriName(P, profileName)}` });
  return { profileName, virtualNames, announce, withdraw, notCarried };
}
