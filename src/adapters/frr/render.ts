// Pure renderer: Rule → vtysh configuration lines for FRRouting 8.x.
// RTBH (RFC 7999): a static blackhole route tagged with the rule's sequence number, and an entry of the
// redistribute route-map that matches that tag and sets communities, large communities (RFC 8092) and
// the discard next hop. Drop: a pbr-map entry (pbrd) sending the matched traffic to a next hop that
// resolves to a blackhole. pbr-map matches only src/dst prefix, tcp/udp, one port each way and DSCP;
// a rule that needs more is refused, never narrowed or widened (STYLE.md rule 4).
import type { Rule } from '../../domain/rule.js';
import type { NumericTerm } from '../../flowspec/types.js';
import { formatIp, parseIp } from '../../net/index.js';
import type { FrrConfig } from '../config-daemons.js';
import { largeText, rtbhCommunities, standardText } from '../daemons-common/communities.js';
import { RenderError } from '../daemons-common/errors.js';
import { flowPrefix, refusePeers, routeKind, targetPrefix } from '../daemons-common/rule-kind.js';

export type FrrRenderOptions = Pick<
  FrrConfig,
  'routeMap' | 'pbrMap' | 'rtbh' | 'pbrDiscardNextHop4' | 'pbrDiscardNextHop6' | 'pbrPortsAndDscp'
>;

export interface FrrCommands {
  readonly kind: 'rtbh' | 'pbr';
  /** Lines run after `configure terminal`, in order. */
  readonly announce: readonly string[];
  readonly withdraw: readonly string[];
}

export const ruleDescription = (ruleId: string): string => `floodgate rule ${ruleId}`;

function single(list: readonly NumericTerm[] | undefined, what: string, max: number): number | undefined {
  if (!list) return undefined;
  const t = list[0];
  if (list.length !== 1 || !t || !t.eq || t.lt || t.gt) {
    throw new RenderError(
      'unsupported-operator',
      `pbr-map matches one exact ${what}, not ${list.length} term(s)/ranges`,
    );
  }
  if (t.value < 1 || t.value > max)
    throw new RenderError('unsupported-operator', `pbr-map ${what} ${t.value} is out of 1..${max}`);
  return t.value;
}

export function renderFrrRtbh(rule: Rule, seq: number, o: FrrRenderOptions): FrrCommands {
  const prefix = targetPrefix(rule);
  const c = rtbhCommunities(rule, o.rtbh);
  const nh = parseIp(rule.family === 4 ? o.rtbh.nextHop4 : o.rtbh.nextHop6);
  if (nh.family !== rule.family)
    throw new RenderError('unsupported-family', `RTBH next hop is not IPv${rule.family}`);
  const ip = rule.family === 4 ? 'ip' : 'ipv6';
  const staticRoute = `${ip} route ${prefix} blackhole tag ${seq}`;
  const entry = `route-map ${o.routeMap} permit ${seq}`;
  return {
    kind: 'rtbh',
    announce: [
      entry,
      ` description ${ruleDescription(rule.id)}`,
      ` match tag ${seq}`,
      ` set community ${c.standard.map(standardText).join(' ')}`,
      ...(c.large.length ? [` set large-community ${c.large.map(largeText).join(' ')}`] : []),
      rule.family === 4 ? ` set ip next-hop ${formatIp(nh)}` : ` set ipv6 next-hop global ${formatIp(nh)}`,
      'exit',
      staticRoute,
    ],
    // route first, so nothing is redistributed without its communities in between
    withdraw: [`no ${staticRoute}`, `no ${entry}`],
  };
}

export function renderFrrPbr(rule: Rule, seq: number, o: FrrRenderOptions): FrrCommands {
  const m = rule.match;
  const discard =
    rule.actions.length === 1 &&
    rule.actions[0]?.kind === 'traffic-rate-bytes' &&
    rule.actions[0].bytesPerSecond === 0;
  if (!discard)
    throw new RenderError(
      'unsupported-action',
      'FRR PBR can only drop (traffic-rate 0); rate-limit/redirect need a FlowSpec speaker',
    );
  const unsupported = (
    ['port', 'icmpType', 'icmpCode', 'tcpFlags', 'packetLength', 'fragment', 'flowLabel'] as const
  ).filter((k) => m[k]);
  if (unsupported.length)
    throw new RenderError('unsupported-component', `pbr-map cannot match ${unsupported.join(', ')}`);
  if (m.destination?.offset || m.source?.offset)
    throw new RenderError('unsupported-component', 'pbr-map has no prefix offset');
  if (!o.pbrPortsAndDscp) {
    const dataplane = (['destinationPort', 'sourcePort', 'dscp'] as const).filter((k) => m[k]);
    if (dataplane.length) {
      throw new RenderError(
        'unsupported-component',
        `pbr-map ${dataplane.join(', ')} match is not installed by FRR's Linux dataplane (pbrPortsAndDscp is off)`,
      );
    }
  }
  const proto = single(m.ipProtocol, 'ip protocol', 255);
  if (proto !== undefined && proto !== 6 && proto !== 17) {
    throw new RenderError('unsupported-component', `pbr-map matches tcp or udp only, not protocol ${proto}`);
  }
  const dport = single(m.destinationPort, 'destination port', 65535);
  const sport = single(m.sourcePort, 'source port', 65535);
  if ((dport !== undefined || sport !== undefined) && proto === undefined) {
    throw new RenderError('unsupported-component', 'pbr-map port match needs the protocol (tcp/udp) too');
  }
  const dscp = single(m.dscp, 'dscp', 63);
  const nh = parseIp(rule.family === 4 ? o.pbrDiscardNextHop4 : o.pbrDiscardNextHop6);
  if (nh.family !== rule.family)
    throw new RenderError('unsupported-family', `PBR discard next hop is not IPv${rule.family}`);
  const entry = `pbr-map ${o.pbrMap} seq ${seq}`;
  return {
    kind: 'pbr',
    announce: [
      entry,
      ` match dst-ip ${m.destination ? flowPrefix(m.destination.prefix, rule.family) : targetPrefix(rule)}`,
      ...(m.source ? [` match src-ip ${flowPrefix(m.source.prefix, rule.family)}`] : []),
      ...(proto !== undefined ? [` match ip-protocol ${proto === 6 ? 'tcp' : 'udp'}`] : []),
      ...(sport !== undefined ? [` match src-port ${sport}`] : []),
      ...(dport !== undefined ? [` match dst-port ${dport}`] : []),
      ...(dscp !== undefined ? [` match dscp ${dscp}`] : []),
      ` set nexthop ${formatIp(nh)}`,
      'exit',
    ],
    withdraw: [`no ${entry}`],
  };
}

/** RTBH for blackhole, PBR for drop; nothing else is expressible in FRR without a FlowSpec originator. */
export function renderFrr(rule: Rule, seq: number, o: FrrRenderOptions): FrrCommands {
  refusePeers(rule, 'FRR');
  const kind = routeKind(rule);
  if (kind === 'rtbh') return renderFrrRtbh(rule, seq, o);
  if (rule.intent !== 'drop')
    throw new RenderError(
      'unsupported-intent',
      `FRR cannot originate FlowSpec; ${rule.intent} needs another adapter`,
    );
  return renderFrrPbr(rule, seq, o);
}

/** One-time base config: redistribute static through the route-map, discard routes for the PBR next hops. */
export function renderFrrBase(
  o: FrrRenderOptions & { readonly asn: number; readonly pbr: boolean },
): string[] {
  const lines = [`router bgp ${o.asn}`];
  for (const af of ['ipv4', 'ipv6']) {
    lines.push(
      ` address-family ${af} unicast`,
      `  redistribute static route-map ${o.routeMap}`,
      ' exit-address-family',
    );
  }
  lines.push('exit');
  if (o.pbr) {
    // untagged, so the redistribute route-map never exports them
    lines.push(`ip route ${formatIp(parseIp(o.pbrDiscardNextHop4))}/32 blackhole`);
    lines.push(`ipv6 route ${formatIp(parseIp(o.pbrDiscardNextHop6))}/128 blackhole`);
  }
  return lines;
}
