// Pure renderer: Rule → a gobgpd API Path (apipb, GoBGP 3.x) in the "@type" JSON shape of proto.ts.
// FlowSpec: FlowSpecNLRI with components in RFC 8955 type order and the operator byte as on the wire
// (length bits left 0: gobgpd sizes each value), actions as extended communities (RFC 8955 §7,
// RFC 7674). RTBH: IPAddressPrefix + next hop + communities (RFC 7999) + large communities (RFC 8092).
import type { Rule } from '../../domain/rule.js';
import type {
  BitmaskTerm,
  FlowSpecAction,
  FlowSpecMatch,
  FlowSpecPrefix,
  NumericTerm,
} from '../../flowspec/types.js';
import { float32RateProblem } from '../../flowspec/actions.js';
import { formatIp, parseIp, parsePrefix } from '../../net/index.js';
import type { RtbhConfig } from '../config-daemons.js';
import {
  type CommunitySet,
  flowSpecCommunities,
  rtbhCommunities,
  standardUint32,
} from '../daemons-common/communities.js';
import { RenderError } from '../daemons-common/errors.js';
import { refusePeers, routeKind, targetPrefix } from '../daemons-common/rule-kind.js';
import { bitmaskOpByte, numericOpByte } from '../daemons-common/terms.js';
import type { AnyMessage } from './proto.js';

export interface GobgpFamily {
  readonly afi: 'AFI_IP' | 'AFI_IP6';
  readonly safi: 'SAFI_UNICAST' | 'SAFI_FLOW_SPEC_UNICAST';
}

export interface GobgpPath {
  readonly family: GobgpFamily;
  readonly nlri: AnyMessage;
  readonly pattrs: readonly AnyMessage[];
}

export interface GobgpRenderOptions {
  readonly rtbh: RtbhConfig;
  readonly flowSpecNextHop4: string;
  readonly flowSpecNextHop6: string;
  readonly diversionNextHop4?: string | undefined;
  readonly diversionNextHop6?: string | undefined;
}

const END = 0x80;

function numericItems(list: readonly NumericTerm[], what: string): { op: number; value: number }[] {
  if (list.length === 0) throw new RenderError('unsupported-component', `${what} has no terms`);
  return list.map((t, i) => ({
    op: numericOpByte(t, i === 0) | (i === list.length - 1 ? END : 0),
    value: t.value,
  }));
}

function bitmaskItems(list: readonly BitmaskTerm[], what: string): { op: number; value: number }[] {
  if (list.length === 0) throw new RenderError('unsupported-component', `${what} has no terms`);
  return list.map((t, i) => ({
    op: bitmaskOpByte(t, i === 0) | (i === list.length - 1 ? END : 0),
    value: t.value,
  }));
}

function prefixComponent(type: 1 | 2, p: FlowSpecPrefix, family: 4 | 6): AnyMessage {
  const parsed = parsePrefix(p.prefix);
  if (parsed.family !== family) throw new RenderError('bad-prefix', `"${p.prefix}" is not IPv${family}`);
  if (family === 4 && p.offset)
    throw new RenderError('unsupported-component', 'prefix offset is IPv6 only (RFC 8956 §3.1)');
  return {
    '@type': 'FlowSpecIPPrefix',
    type,
    prefix_len: parsed.length,
    prefix: formatIp({ family: parsed.family, bytes: parsed.bytes }),
    offset: p.offset ?? 0,
  };
}

/** FlowSpecNLRI.rules in RFC type order (STYLE.md rule 4). */
export function renderComponents(m: FlowSpecMatch): AnyMessage[] {
  const out: AnyMessage[] = [];
  const num = (type: number, list: readonly NumericTerm[] | undefined, what: string): void => {
    if (list) out.push({ '@type': 'FlowSpecComponent', type, items: numericItems(list, what) });
  };
  const bits = (type: number, list: readonly BitmaskTerm[] | undefined, what: string): void => {
    if (list) out.push({ '@type': 'FlowSpecComponent', type, items: bitmaskItems(list, what) });
  };
  if (m.destination) out.push(prefixComponent(1, m.destination, m.family));
  if (m.source) out.push(prefixComponent(2, m.source, m.family));
  num(3, m.ipProtocol, 'ip protocol');
  num(4, m.port, 'port');
  num(5, m.destinationPort, 'destination port');
  num(6, m.sourcePort, 'source port');
  num(7, m.icmpType, 'icmp type');
  num(8, m.icmpCode, 'icmp code');
  bits(9, m.tcpFlags, 'tcp flags');
  num(10, m.packetLength, 'packet length');
  num(11, m.dscp, 'dscp');
  bits(12, m.fragment, 'fragment');
  if (m.flowLabel) {
    if (m.family !== 6)
      throw new RenderError('unsupported-component', 'flow label is IPv6 only (RFC 8956 §3.8)');
    num(13, m.flowLabel, 'flow label');
  }
  return out;
}

function redirect(routeTarget: string): AnyMessage {
  const i = routeTarget.lastIndexOf(':');
  const admin = routeTarget.slice(0, i);
  const local = Number(routeTarget.slice(i + 1));
  if (i <= 0 || !/^\d+$/.test(routeTarget.slice(i + 1))) {
    throw new RenderError('unsupported-action', `route target "${routeTarget}" is not admin:number`);
  }
  if (admin.includes('.')) {
    return {
      '@type': 'RedirectIPv4AddressSpecificExtended',
      address: formatIp(parseIp(admin)),
      local_admin: local,
    };
  }
  const asn = Number(admin);
  if (!/^\d+$/.test(admin))
    throw new RenderError('unsupported-action', `route target "${routeTarget}" has a bad admin`);
  return asn <= 0xffff
    ? { '@type': 'RedirectTwoOctetAsSpecificExtended', asn, local_admin: local }
    : { '@type': 'RedirectFourOctetAsSpecificExtended', asn, local_admin: local };
}

/** One action as an apipb extended community message. */
export function renderAction(a: FlowSpecAction): AnyMessage {
  switch (a.kind) {
    case 'traffic-rate-bytes': {
      // the proto field is a 32-bit float: refuse what would arrive as 0 (a discard) or Infinity
      const problem = float32RateProblem(a.bytesPerSecond);
      if (problem !== undefined) throw new RenderError('unsupported-action', `traffic-rate: ${problem}`);
      return { '@type': 'TrafficRateExtended', asn: a.asn, rate: a.bytesPerSecond };
    }
    case 'traffic-action':
      return { '@type': 'TrafficActionExtended', terminal: a.terminal, sample: a.sample };
    case 'redirect-vrf':
      return redirect(a.routeTarget);
    case 'traffic-marking':
      return { '@type': 'TrafficRemarkExtended', dscp: a.dscp };
    case 'traffic-rate-packets':
    case 'redirect-ip':
      throw new RenderError('unsupported-action', `gobgpd API 3.x has no message for ${a.kind}`);
  }
}

function communityAttrs(c: CommunitySet): AnyMessage[] {
  const out: AnyMessage[] = [];
  if (c.standard.length)
    out.push({ '@type': 'CommunitiesAttribute', communities: c.standard.map(standardUint32) });
  if (c.large.length) {
    out.push({
      '@type': 'LargeCommunitiesAttribute',
      communities: c.large.map((l) => ({
        global_admin: l.globalAdmin,
        local_data1: l.localData1,
        local_data2: l.localData2,
      })),
    });
  }
  return out;
}

export function renderGobgpPath(rule: Rule, opts: GobgpRenderOptions): GobgpPath {
  refusePeers(rule, 'GoBGP');
  const kind = routeKind(rule);
  const afi = rule.family === 4 ? 'AFI_IP' : 'AFI_IP6';
  const origin: AnyMessage = { '@type': 'OriginAttribute', origin: 0 };
  const nextHop = (text: string): AnyMessage => {
    const ip = parseIp(text);
    if (ip.family !== rule.family)
      throw new RenderError('unsupported-family', `next hop ${text} is not IPv${rule.family}`);
    return { '@type': 'NextHopAttribute', next_hop: formatIp(ip) };
  };
  if (kind === 'diversion') {
    // The covering prefix with the operator's communities. gobgpd sends 0.0.0.0 as it is on iBGP
    // sessions, so the next hop must be named: the rule's (mitigation.scrubbing.nextHop), else the adapter's.
    const nh = rule.nextHop ?? (rule.family === 4 ? opts.diversionNextHop4 : opts.diversionNextHop6);
    if (nh === undefined)
      throw new RenderError(
        'missing-next-hop',
        `no IPv${rule.family} next hop for the scrubbing diversion: set mitigation.scrubbing.nextHop.ipv${rule.family} or this adapter's diversionNextHop${rule.family}`,
      );
    const p = parsePrefix(targetPrefix(rule));
    return {
      family: { afi, safi: 'SAFI_UNICAST' },
      nlri: {
        '@type': 'IPAddressPrefix',
        prefix_len: p.length,
        prefix: formatIp({ family: p.family, bytes: p.bytes }),
      },
      pattrs: [origin, nextHop(nh), ...communityAttrs(flowSpecCommunities(rule))],
    };
  }
  if (kind === 'rtbh') {
    const p = parsePrefix(targetPrefix(rule));
    return {
      family: { afi, safi: 'SAFI_UNICAST' },
      nlri: {
        '@type': 'IPAddressPrefix',
        prefix_len: p.length,
        prefix: formatIp({ family: p.family, bytes: p.bytes }),
      },
      pattrs: [
        origin,
        nextHop(rule.family === 4 ? opts.rtbh.nextHop4 : opts.rtbh.nextHop6),
        ...communityAttrs(rtbhCommunities(rule, opts.rtbh)),
      ],
    };
  }
  const match = rule.match.destination
    ? rule.match
    : { ...rule.match, destination: { prefix: targetPrefix(rule) } };
  return {
    family: { afi, safi: 'SAFI_FLOW_SPEC_UNICAST' },
    nlri: { '@type': 'FlowSpecNLRI', rules: renderComponents(match) },
    pattrs: [
      origin,
      // gobgpd refuses a path without one ("nexthop not found"); FlowSpec itself has none (RFC 8955 §4)
      nextHop(rule.family === 4 ? opts.flowSpecNextHop4 : opts.flowSpecNextHop6),
      { '@type': 'ExtendedCommunitiesAttribute', communities: rule.actions.map(renderAction) },
      ...communityAttrs(flowSpecCommunities(rule)),
    ],
  };
}
