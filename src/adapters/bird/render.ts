// Pure renderer: Rule → BIRD 2 static route text for the adapter's include file. FlowSpec as
// `route flow4 { dst …; proto = 17; dport = 53 || >= 1024 && <= 2048; … }` (BIRD flowspec network type:
// numeric terms `<op> <n>` and bitmask terms `value/mask`, joined by && / || exactly as the wire's AND bit),
// actions as `(generic, hi, lo)` extended communities; RTBH as a blackhole static with bgp_community,
// bgp_large_community and bgp_next_hop.
import type { Rule } from '../../domain/rule.js';
import type { BitmaskTerm, FlowSpecMatch, FlowSpecPrefix, NumericTerm } from '../../flowspec/types.js';
import { formatIp, parseIp } from '../../net/index.js';
import type { RtbhConfig } from '../config-daemons.js';
import { type CommunitySet, flowSpecCommunities, rtbhCommunities } from '../daemons-common/communities.js';
import { RenderError } from '../daemons-common/errors.js';
import { actionBytes } from '../daemons-common/ext-community.js';
import { flowPrefix, refusePeers, routeKind, targetPrefix } from '../daemons-common/rule-kind.js';
import { singleBits } from '../daemons-common/terms.js';

export type BirdSlot = 'flow4' | 'flow6' | 'rtbh4' | 'rtbh6';

export interface BirdRoute {
  readonly slot: BirdSlot;
  /** `route … { … };` statement, one line per attribute. */
  readonly text: string;
}

// BIRD numeric operators; 'false'/'true' (lt|gt|eq = 000/111) have no BIRD spelling.
const NUMERIC_OPS: readonly (string | undefined)[] = [undefined, '=', '>', '>=', '<', '<=', '!=', undefined];

function joinTerms(parts: readonly { and: boolean; text: string }[]): string {
  return parts.map((p, i) => (i === 0 ? p.text : `${p.and ? '&&' : '||'} ${p.text}`)).join(' ');
}

function numeric(list: readonly NumericTerm[], name: string): string {
  if (list.length === 0) throw new RenderError('unsupported-component', `${name} has no terms`);
  return joinTerms(
    list.map((t) => {
      const op = NUMERIC_OPS[(t.lt ? 4 : 0) | (t.gt ? 2 : 0) | (t.eq ? 1 : 0)];
      if (!op)
        throw new RenderError('unsupported-operator', `BIRD cannot express a true/false term in ${name}`);
      return { and: t.and, text: `${op} ${t.value}` };
    }),
  );
}

const h = (n: number): string => `0x${n.toString(16)}`;

/**
 * One bitmask term as BIRD text. BIRD `v/m` means (data & m) == v and encodes as a match term for v
 * and a not term for m & ~v (lib/flowspec.c), so all-of and none-of map one to one. any-of and
 * not-all-of equal that form for one bit; for several bits they become an || chain, allowed only
 * when the term stands alone (otherwise the chain would regroup the neighbouring terms).
 */
function bitmask(
  list: readonly BitmaskTerm[],
  name: string,
  one: (value: number, mask: number) => string,
  allOf: (bits: number) => string,
): string {
  if (list.length === 0) throw new RenderError('unsupported-component', `${name} has no terms`);
  return joinTerms(
    list.map((t) => {
      const bits = singleBits(t.value);
      if (bits.length === 0) throw new RenderError('unsupported-operator', `${name} term with value 0`);
      if (t.match && !t.not) return { and: t.and, text: allOf(t.value) };
      if (t.not && !t.match) return { and: t.and, text: one(0, t.value) };
      const each = bits.map((b) => (t.not ? one(0, b) : one(b, b)));
      if (each.length > 1 && list.length > 1) {
        throw new RenderError(
          'unsupported-operator',
          `BIRD cannot keep a multi-bit any-of term inside a longer ${name} list`,
        );
      }
      return { and: t.and, text: each.join(' || ') };
    }),
  );
}

const FRAGMENT_NAMES: Readonly<Record<number, string>> = {
  1: 'dont_fragment',
  2: 'is_fragment',
  4: 'first_fragment',
  8: 'last_fragment',
};

function fragmentName(bit: number): string {
  const n = FRAGMENT_NAMES[bit];
  if (!n)
    throw new RenderError(
      'unsupported-component',
      `fragment bit ${h(bit)} has no name in RFC 8955 §4.2.2.12`,
    );
  return n;
}

const fragmentOne = (value: number, mask: number): string =>
  singleBits(mask)
    .map((b) => (value & b ? fragmentName(b) : `!${fragmentName(b)}`))
    .join(' && ');

function prefix(p: FlowSpecPrefix, family: 4 | 6): string {
  const text = flowPrefix(p.prefix, family);
  if (p.offset) {
    if (family === 4)
      throw new RenderError('unsupported-component', 'prefix offset is IPv6 only (RFC 8956 §3.1)');
    return `${text} offset ${p.offset}`;
  }
  return text;
}

/** The `flow4 { … }` / `flow6 { … }` network in RFC type order. */
export function renderFlowNet(m: FlowSpecMatch): string {
  const v6 = m.family === 6;
  const parts: string[] = [];
  if (m.destination) parts.push(`dst ${prefix(m.destination, m.family)}`);
  if (m.source) parts.push(`src ${prefix(m.source, m.family)}`);
  const num = (key: string, list: readonly NumericTerm[] | undefined): void => {
    if (list) parts.push(`${key} ${numeric(list, key)}`);
  };
  num(v6 ? 'next header' : 'proto', m.ipProtocol);
  num('port', m.port);
  num('dport', m.destinationPort);
  num('sport', m.sourcePort);
  num('icmp type', m.icmpType);
  num('icmp code', m.icmpCode);
  if (m.tcpFlags) {
    const tf = (v: number, mask: number): string => `${h(v)}/${h(mask)}`;
    parts.push(`tcp flags ${bitmask(m.tcpFlags, 'tcp flags', tf, (v) => tf(v, v))}`);
  }
  num('length', m.packetLength);
  num('dscp', m.dscp);
  if (m.fragment)
    parts.push(`fragment ${bitmask(m.fragment, 'fragment', fragmentOne, (v) => fragmentOne(v, v))}`);
  if (m.flowLabel) {
    if (!v6) throw new RenderError('unsupported-component', 'flow label is IPv6 only (RFC 8956 §3.8)');
    num('label', m.flowLabel);
  }
  return `${v6 ? 'flow6' : 'flow4'} { ${parts.map((p) => `${p};`).join(' ')} }`;
}

function communityStatements(c: CommunitySet): string[] {
  return [
    ...c.standard.map((s) => `bgp_community.add((${s.asn}, ${s.value}));`),
    ...c.large.map((l) => `bgp_large_community.add((${l.globalAdmin}, ${l.localData1}, ${l.localData2}));`),
  ];
}

function statement(head: string, attrs: readonly string[]): string {
  return [`route ${head} {`, ...attrs.map((a) => `  ${a}`), '};'].join('\n');
}

export function renderBirdRoute(rule: Rule, rtbh: RtbhConfig): BirdRoute {
  refusePeers(rule, 'BIRD');
  const kind = routeKind(rule);
  if (kind === 'diversion') {
    // Kept in the unicast static protocols; never export those to the kernel (a local blackhole of the /24).
    const attrs: string[] = [];
    if (rule.nextHop !== undefined) {
      const nh = parseIp(rule.nextHop);
      if (nh.family !== rule.family)
        throw new RenderError('unsupported-family', `diversion next hop is not IPv${rule.family}`);
      attrs.push(`bgp_next_hop = ${formatIp(nh)};`);
    }
    return {
      slot: rule.family === 4 ? 'rtbh4' : 'rtbh6',
      text: statement(`${targetPrefix(rule)} blackhole`, [
        ...attrs,
        ...communityStatements(flowSpecCommunities(rule)),
      ]),
    };
  }
  if (kind === 'rtbh') {
    const nextHop = parseIp(rule.family === 4 ? rtbh.nextHop4 : rtbh.nextHop6);
    if (nextHop.family !== rule.family)
      throw new RenderError('unsupported-family', `RTBH next hop is not IPv${rule.family}`);
    return {
      slot: rule.family === 4 ? 'rtbh4' : 'rtbh6',
      text: statement(`${targetPrefix(rule)} blackhole`, [
        `bgp_next_hop = ${formatIp(nextHop)};`,
        ...communityStatements(rtbhCommunities(rule, rtbh)),
      ]),
    };
  }
  const match = rule.match.destination
    ? rule.match
    : { ...rule.match, destination: { prefix: targetPrefix(rule) } };
  const ext = rule.actions.map((a) => {
    const v = new DataView(actionBytes(a).buffer);
    return `bgp_ext_community.add((generic, ${h(v.getUint32(0))}, ${h(v.getUint32(4))}));`;
  });
  return {
    slot: rule.family === 4 ? 'flow4' : 'flow6',
    text: statement(renderFlowNet(match), [...ext, ...communityStatements(flowSpecCommunities(rule))]),
  };
}

export interface BirdIncludeOptions {
  readonly protocolPrefix: string;
  readonly flow4Table: string;
  readonly flow6Table: string;
  readonly ipv4Table: string;
  readonly ipv6Table: string;
}

export interface IncludeEntry {
  readonly ruleId: string;
  readonly route: BirdRoute;
  /** Marker line payload that lets the adapter rebuild its state from the file after a restart. */
  readonly marker: string;
}

export const protocolName = (o: BirdIncludeOptions, slot: BirdSlot): string => `${o.protocolPrefix}_${slot}`;

/** The whole include file: four static protocols, always present so bird.conf can export them by name. */
export function renderBirdInclude(entries: readonly IncludeEntry[], o: BirdIncludeOptions): string {
  const channel: Record<BirdSlot, string> = {
    flow4: `flow4 { table ${o.flow4Table}; };`,
    flow6: `flow6 { table ${o.flow6Table}; };`,
    rtbh4: `ipv4 { table ${o.ipv4Table}; };`,
    rtbh6: `ipv6 { table ${o.ipv6Table}; };`,
  };
  const out = ['# Generated by floodgate (BIRD adapter). Do not edit: rewritten on every change.'];
  for (const slot of ['flow4', 'flow6', 'rtbh4', 'rtbh6'] as const) {
    out.push(`protocol static ${protocolName(o, slot)} {`, `  ${channel[slot]}`);
    for (const e of entries.filter((x) => x.route.slot === slot)) {
      out.push(`  # floodgate-rule ${e.marker}`, ...e.route.text.split('\n').map((l) => `  ${l}`));
    }
    out.push('}');
  }
  return out.join('\n') + '\n';
}
