// Pure renderer for the local adapter: Rule → an nftables transaction (nft -f) in the one table floodgate
// owns (inet <table>), plus the sysctls the intent needs. Every rule carries the comment
// "fg:<rule id> <target> <intent>" so list/withdraw find it and delete it by handle; named objects (limit,
// geo sets) are called fg_<key>_*. SYNPROXY follows the nftables wiki recipe: SYNs to the port are made
// untracked in a raw-priority prerouting chain, then "ct state invalid,untracked synproxy" in input.
import { createHash } from 'node:crypto';
import { parsePrefix, formatPrefix } from '../../net/prefix.js';
import type { FlowSpecMatch } from '../../flowspec/types.js';
import type { Intent, Rule } from '../../domain/rule.js';
import type { CountryNetworks } from './geoip.js';
import {
  NftRenderError,
  bitmaskAlternatives,
  bitmaskDirect,
  nftSet,
  numericIntervals,
  product,
  type Alternatives,
  type BitAtom,
} from './terms.js';

export interface LocalRenderOptions {
  readonly table: string;
  /** Priority of the prerouting chain (raw = -300, before conntrack). */
  readonly prerouting: number;
  readonly synproxyMss: number;
  readonly synproxyWscale: number;
  /** Allowed networks for geo-lockdown, resolved from the GeoIP database by the driver. */
  readonly geo?: CountryNetworks;
  /** Most nft rules one Rule may expand to (OR-ed components multiply). */
  readonly maxRules?: number;
  /** Sysctl values before floodgate changed them, kept in the comments so a restart can still restore them. */
  readonly sysctlPrev?: Partial<Record<SysctlName, string>>;
}

/** Sysctl keys the local adapter may change, with short names used in rule comments. */
export const SYSCTLS = {
  syncookies: 'net.ipv4.tcp_syncookies',
  tcploose: 'net.netfilter.nf_conntrack_tcp_loose',
} as const;
export type SysctlName = keyof typeof SYSCTLS;

export interface SysctlChange {
  readonly name: SysctlName;
  readonly key: string;
  readonly value: string;
}

export interface LocalRendering {
  /** Comment tag prefix shared by every nft rule of this Rule: "fg:<id> ". */
  readonly tag: string;
  /** Prefix of named objects of this Rule. */
  readonly objectPrefix: string;
  /** Table and chain setup (idempotent "add"). */
  readonly setup: readonly string[];
  /** Named objects (limits, sets) to create. */
  readonly objects: readonly string[];
  /** Rules to add; the comment is already in them. */
  readonly rules: readonly string[];
  /** Sysctls to hold while the rule is active (the driver records and restores the previous values). */
  readonly sysctls: readonly SysctlChange[];
}

// Not 'scrubbing': a host cannot divert its traffic upstream, and a scrubbing rule names the covering
// /24 (/48) — carried here it would drop every neighbour of the attacked host. The engine falls back to
// the strongest level this adapter can carry instead (docs/engine.md).
export const SUPPORTED_INTENTS: readonly Intent[] = [
  'rate-limit',
  'drop',
  'blackhole',
  'geo-lockdown',
  'syn-cookies',
  'synproxy',
];

const RULE_ID = /^[A-Za-z0-9_.:@/+-]{1,64}$/;

export function ruleTag(ruleId: string): string {
  if (!RULE_ID.test(ruleId))
    throw new NftRenderError(
      'bad-rule',
      `rule id ${JSON.stringify(ruleId)} has characters unsafe in an nft comment`,
    );
  return `fg:${ruleId} `;
}

/** fg_<sanitised id>_<6 hex of sha1(id)>: unique even when two ids sanitise alike. */
export function objectPrefix(ruleId: string): string {
  const h = createHash('sha1').update(ruleId).digest('hex').slice(0, 6);
  return `fg_${ruleId.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 40)}_${h}`;
}

export function setupScript(table: string, prerouting: number): string[] {
  return [
    `add table inet ${table}`,
    `add chain inet ${table} pre { type filter hook prerouting priority ${prerouting}; policy accept; }`,
    `add chain inet ${table} in { type filter hook input priority 0; policy accept; }`,
  ];
}

const fragAtoms4: Record<number, BitAtom> = {
  // RFC 8955 §4.2.2.12 bit order, low to high: DF, IsF, FF, LF. IPv4 frag-off: 0x4000 DF, 0x2000 MF, 0x1fff offset.
  0x01: { yes: 'ip frag-off & 0x4000 != 0', no: 'ip frag-off & 0x4000 == 0' },
  0x02: { yes: 'ip frag-off & 0x3fff != 0', no: 'ip frag-off & 0x3fff == 0' },
  0x04: { yes: 'ip frag-off & 0x3fff == 0x2000', no: 'ip frag-off & 0x3fff != 0x2000' },
};
const fragAtoms6: Record<number, BitAtom> = {
  // RFC 8956 §3.? IPv6 has no DF; "is a fragment" = a Fragment extension header is present.
  0x02: { yes: 'exthdr frag exists', no: 'exthdr frag missing' },
};

/** The match as nft rule bodies (alternatives ORed). Components follow RFC type order. */
export function matchAlternatives(m: FlowSpecMatch, family: 4 | 6, maxRules: number): Alternatives {
  const ip = family === 4 ? 'ip' : 'ip6';
  let alts: Alternatives = [[]];
  const and = (x: Alternatives) => {
    alts = product(alts, x);
    if (alts.length > maxRules)
      throw new NftRenderError('too-many-rules', `match expands to more than ${maxRules} nft rules`);
  };
  const one = (s: string) => and([[s]]);
  const prefix = (text: string, what: string) => {
    const p = parsePrefix(text, { strict: false });
    if (p.family !== family) throw new NftRenderError('bad-value', `${what} ${text} is not IPv${family}`);
    return formatPrefix(p);
  };
  if (m.destination) {
    if ((m.destination.offset ?? 0) !== 0)
      throw new NftRenderError('unsupported', 'IPv6 prefix offsets (RFC 8956 §3.1) have no nftables form');
    one(`${ip} daddr ${prefix(m.destination.prefix, 'destination')}`);
  }
  if (m.source) {
    if ((m.source.offset ?? 0) !== 0)
      throw new NftRenderError('unsupported', 'IPv6 prefix offsets (RFC 8956 §3.1) have no nftables form');
    one(`${ip} saddr ${prefix(m.source.prefix, 'source')}`);
  }
  const hasPorts = m.port || m.destinationPort || m.sourcePort;
  if (m.ipProtocol) one(`meta l4proto ${nftSet(numericIntervals(m.ipProtocol, 255, 'ip protocol'))}`);
  // FlowSpec ports are TCP/UDP ports (RFC 8955 §4.2.2.4-6): without a protocol component, say so explicitly.
  else if (hasPorts) one('meta l4proto { 6, 17 }');
  if (m.port) {
    const set = nftSet(numericIntervals(m.port, 65535, 'port'));
    and([[`th sport ${set}`], [`th dport ${set}`]]);
  }
  if (m.destinationPort)
    one(`th dport ${nftSet(numericIntervals(m.destinationPort, 65535, 'destination port'))}`);
  if (m.sourcePort) one(`th sport ${nftSet(numericIntervals(m.sourcePort, 65535, 'source port'))}`);
  const icmp = family === 4 ? 'icmp' : 'icmpv6';
  if (m.icmpType) one(`${icmp} type ${nftSet(numericIntervals(m.icmpType, 255, 'icmp type'))}`);
  if (m.icmpCode) one(`${icmp} code ${nftSet(numericIntervals(m.icmpCode, 255, 'icmp code'))}`);
  if (m.tcpFlags) and(bitmaskDirect(m.tcpFlags, 'tcp flags', 8, 'tcp flags'));
  // meta length = skb length at prerouting = the whole IP packet, both families (RFC 8955 §4.2.2.10).
  if (m.packetLength) one(`meta length ${nftSet(numericIntervals(m.packetLength, 65535, 'packet length'))}`);
  if (m.dscp) one(`${ip} dscp ${nftSet(numericIntervals(m.dscp, 63, 'dscp'))}`);
  if (m.fragment) {
    const atoms = family === 4 ? fragAtoms4 : fragAtoms6;
    and(bitmaskAlternatives(m.fragment, (bit) => atoms[bit], 8, 'fragment'));
  }
  if (m.flowLabel) {
    if (family !== 6) throw new NftRenderError('bad-value', 'flow label is IPv6 only (RFC 8956 §3.7)');
    one(`ip6 flowlabel ${nftSet(numericIntervals(m.flowLabel, 0xfffff, 'flow label'))}`);
  }
  return alts;
}

function rateOf(rule: Rule): number {
  const fromAction = rule.actions.find((a) => a.kind === 'traffic-rate-bytes');
  const bps =
    rule.rateBytesPerSecond ??
    (fromAction?.kind === 'traffic-rate-bytes' ? fromAction.bytesPerSecond : undefined);
  if (bps === undefined || !Number.isFinite(bps) || bps <= 0) {
    throw new NftRenderError(
      'bad-value',
      'rate-limit needs a positive rateBytesPerSecond (or a traffic-rate-bytes action)',
    );
  }
  return Math.max(1, Math.round(bps));
}

/** Renders the rule. Pure: the same rule and options always give the same text. */
export function render(rule: Rule, opts: LocalRenderOptions): LocalRendering {
  if (!SUPPORTED_INTENTS.includes(rule.intent)) {
    throw new NftRenderError('unsupported', `the local adapter cannot carry "${rule.intent}"`);
  }
  if (rule.match.family !== rule.family)
    throw new NftRenderError('bad-rule', 'match family differs from rule family');
  const t = opts.table;
  const tag = ruleTag(rule.id);
  const obj = objectPrefix(rule.id);
  const target = formatPrefix(parsePrefix(rule.target, { strict: false }));
  const prevSuffix = (n: SysctlName) => {
    const v = opts.sysctlPrev?.[n];
    if (v !== undefined && !/^[0-9]{1,3}$/.test(v))
      throw new NftRenderError('bad-value', `sysctl ${n} value ${JSON.stringify(v)} is not numeric`);
    return v === undefined ? '' : ` prev:${n}=${v}`;
  };
  const comment = (suffix = '') => `comment "${tag}${target} ${rule.intent}${suffix}"`;
  // The target always bounds the rule, whatever the match says (a rule never reaches past its target).
  let match: FlowSpecMatch = { ...rule.match, destination: { prefix: target } };
  if (rule.intent === 'syn-cookies' || rule.intent === 'synproxy') {
    // Both protect TCP handshakes: a protocol component other than exactly TCP cannot be honoured.
    if (match.ipProtocol) {
      const iv = numericIntervals(match.ipProtocol, 255, 'ip protocol');
      if (iv.length !== 1 || iv[0]![0] !== 6 || iv[0]![1] !== 6) {
        throw new NftRenderError(
          'bad-rule',
          `${rule.intent} applies to TCP only, the match names other protocols`,
        );
      }
    }
    match = { ...match, ipProtocol: [{ and: false, lt: false, gt: false, eq: true, value: 6 }] };
  }
  const alts = matchAlternatives(match, rule.family, opts.maxRules ?? 32).map((a) => a.join(' '));
  const objects: string[] = [];
  const rules: string[] = [];
  const sysctls: SysctlChange[] = [];
  switch (rule.intent) {
    case 'drop':
    case 'blackhole':
      for (const a of alts) rules.push(`add rule inet ${t} pre ${a} counter drop ${comment()}`);
      break;
    case 'rate-limit': {
      // One named limit shared by every alternative, so OR-ed branches do not multiply the allowed rate.
      objects.push(`add limit inet ${t} ${obj}_lim { rate over ${rateOf(rule)} bytes/second }`);
      for (const a of alts)
        rules.push(`add rule inet ${t} pre ${a} limit name "${obj}_lim" counter drop ${comment()}`);
      break;
    }
    case 'geo-lockdown': {
      if (!opts.geo)
        throw new NftRenderError('bad-rule', 'geo-lockdown needs the allowed networks (GeoIP database)');
      if (!rule.allowCountries || rule.allowCountries.length === 0)
        throw new NftRenderError('bad-rule', 'geo-lockdown needs allowCountries');
      const fam = rule.family === 4 ? 'ipv4_addr' : 'ipv6_addr';
      const nets = rule.family === 4 ? opts.geo.v4 : opts.geo.v6;
      const set = `${obj}_geo`;
      objects.push(`add set inet ${t} ${set} { type ${fam}; flags interval; auto-merge; }`);
      // An empty allow set locks everyone out: that is what "allow only these countries" means when none match.
      for (let i = 0; i < nets.length; i += 512)
        objects.push(`add element inet ${t} ${set} { ${nets.slice(i, i + 512).join(', ')} }`);
      const ip = rule.family === 4 ? 'ip' : 'ip6';
      for (const a of alts)
        rules.push(
          `add rule inet ${t} pre ${a} ${ip} saddr != @${set} counter drop ${comment(` allow=${rule.allowCountries.join(',')}`)}`,
        );
      break;
    }
    case 'syn-cookies': {
      sysctls.push({ name: 'syncookies', key: SYSCTLS.syncookies, value: '1' });
      // A counting marker: shows the rule is held (list, reconcile) and how many SYNs it saw.
      for (const a of alts)
        rules.push(
          `add rule inet ${t} in ${a} tcp flags & (syn|ack) == syn counter ${comment(prevSuffix('syncookies'))}`,
        );
      break;
    }
    case 'synproxy': {
      // Loose pickup would let a stray ACK create a connection behind the proxy's back.
      sysctls.push({ name: 'tcploose', key: SYSCTLS.tcploose, value: '0' });
      for (const a of alts)
        rules.push(`add rule inet ${t} pre ${a} tcp flags syn notrack ${comment(prevSuffix('tcploose'))}`);
      for (const a of alts) {
        rules.push(
          `add rule inet ${t} in ${a} ct state invalid,untracked synproxy mss ${opts.synproxyMss} wscale ${opts.synproxyWscale} timestamp sack-perm counter ${comment()}`,
        );
        rules.push(`add rule inet ${t} in ${a} ct state invalid counter drop ${comment()}`);
      }
      break;
    }
    default:
      throw new NftRenderError('unsupported', `the local adapter cannot carry "${rule.intent}"`);
  }
  return { tag, objectPrefix: obj, setup: setupScript(t, opts.prerouting), objects, rules, sysctls };
}
