// Pure renderer: Rule → ExaBGP 4.2 text API commands. FlowSpec as
// `announce flow route { match { … } then { … } }` (ExaBGP configuration/flow grammar), RTBH as
// `announce route P next-hop N community [ … ] large-community [ … ]` (RFC 7999); a scrubbing diversion as
// the same form for the covering prefix with the operator's communities and `next-hop self` by default.
import type { Rule } from '../../domain/rule.js';
import type { BitmaskTerm, FlowSpecAction, FlowSpecMatch, NumericTerm } from '../../flowspec/types.js';
import { formatIp, parseIp } from '../../net/index.js';
import type { RtbhConfig } from '../config-daemons.js';
import {
  type CommunitySet,
  flowSpecCommunities,
  largeText,
  rtbhCommunities,
  standardText,
} from '../daemons-common/communities.js';
import { RenderError } from '../daemons-common/errors.js';
import { actionBytes, hex } from '../daemons-common/ext-community.js';
import { flowPrefix, routeKind, targetPrefix } from '../daemons-common/rule-kind.js';

export interface ExabgpRenderOptions {
  readonly rtbh: RtbhConfig;
}

export interface ExabgpCommands {
  readonly kind: 'flowspec' | 'rtbh' | 'diversion';
  readonly announce: string;
  readonly withdraw: string;
}

// ExaBGP numeric operator spellings (configuration/flow/parser.py _operator_numeric).
const NUMERIC_OPS = ['false', '=', '>', '>=', '<', '<=', '!=', 'true'] as const;
// ExaBGP binary operator spellings (_operator_binary): '' any-of, '=' all-of, '!' none-of, '!=' not all-of.
const BINARY_OPS = ['', '=', '!', '!='] as const;

function numericTerm(t: NumericTerm): string {
  const op = NUMERIC_OPS[(t.lt ? 4 : 0) | (t.gt ? 2 : 0) | (t.eq ? 1 : 0)] as string;
  return `${op}${t.value}`;
}

function bitmaskTerm(t: BitmaskTerm): string {
  return `${BINARY_OPS[(t.not ? 2 : 0) | (t.match ? 1 : 0)] as string}${t.value}`;
}

/** Terms joined as ExaBGP reads them: '&' glues an AND term to the previous one, a space ORs (in [ ]). */
function terms<T extends { readonly and: boolean }>(
  list: readonly T[],
  one: (t: T) => string,
  name: string,
): string {
  if (list.length === 0) throw new RenderError('unsupported-component', `${name} has no terms`);
  const groups: string[] = [];
  list.forEach((t, i) => {
    if (i > 0 && t.and) groups[groups.length - 1] += `&${one(t)}`;
    else groups.push(one(t));
  });
  return groups.length === 1 ? (groups[0] as string) : `[ ${groups.join(' ')} ]`;
}

function prefixText(p: { prefix: string; offset?: number }, family: 4 | 6): string {
  const text = flowPrefix(p.prefix, family);
  if (p.offset) {
    if (family === 4)
      throw new RenderError('unsupported-component', 'prefix offset is IPv6 only (RFC 8956 §3.1)');
    return `${text}/${p.offset}`;
  }
  return text;
}

/** `match { … }` body in RFC type order (ExaBGP re-sorts by type anyway). */
export function renderMatch(m: FlowSpecMatch): string {
  const v6 = m.family === 6;
  const parts: string[] = [];
  const num = (name: string, list: readonly NumericTerm[] | undefined): void => {
    if (list) parts.push(`${name} ${terms(list, numericTerm, name)}`);
  };
  const bits = (name: string, list: readonly BitmaskTerm[] | undefined): void => {
    if (list) parts.push(`${name} ${terms(list, bitmaskTerm, name)}`);
  };
  if (m.destination) parts.push(`destination ${prefixText(m.destination, m.family)}`);
  if (m.source) parts.push(`source ${prefixText(m.source, m.family)}`);
  num(v6 ? 'next-header' : 'protocol', m.ipProtocol);
  num('port', m.port);
  num('destination-port', m.destinationPort);
  num('source-port', m.sourcePort);
  num('icmp-type', m.icmpType);
  num('icmp-code', m.icmpCode);
  bits('tcp-flags', m.tcpFlags);
  num('packet-length', m.packetLength);
  num(v6 ? 'traffic-class' : 'dscp', m.dscp);
  bits('fragment', m.fragment);
  if (m.flowLabel) {
    if (!v6) throw new RenderError('unsupported-component', 'flow-label is IPv6 only (RFC 8956 §3.8)');
    num('flow-label', m.flowLabel);
  }
  return parts.join('; ');
}

/** One action in ExaBGP `then` syntax; raw extended community when no keyword says exactly the same. */
export function renderAction(a: FlowSpecAction): string {
  switch (a.kind) {
    case 'traffic-rate-bytes':
      // `discard`/`rate-limit N` always encode ASN 0 and an integer rate (parser.py discard/rate_limit).
      if (a.asn === 0 && a.bytesPerSecond === 0) return 'discard';
      if (a.asn === 0 && Number.isInteger(a.bytesPerSecond) && a.bytesPerSecond <= 1e12) {
        return `rate-limit ${a.bytesPerSecond}`;
      }
      break;
    case 'traffic-action':
      if (a.sample || a.terminal) {
        return `action ${a.sample && a.terminal ? 'sample-terminal' : a.sample ? 'sample' : 'terminal'}`;
      }
      break;
    case 'redirect-vrf': {
      // `redirect asn:n`: 2-octet ASN with 32-bit local admin, or 4-octet ASN with 16-bit (parser.py redirect).
      const m = /^(\d+):(\d+)$/.exec(a.routeTarget);
      if (m) return `redirect ${a.routeTarget}`;
      break;
    }
    case 'traffic-marking':
      return `mark ${a.dscp}`;
    case 'redirect-ip':
      if (!a.copy) return `redirect-to-nexthop-ietf ${formatIp(parseIp(a.nextHop))}`;
      break;
    case 'traffic-rate-packets':
      break;
  }
  return `extended-community [ ${hex(actionBytes(a))} ]`;
}

function communityClauses(c: CommunitySet): string[] {
  const out: string[] = [];
  if (c.standard.length) out.push(`community [ ${c.standard.map(standardText).join(' ')} ]`);
  if (c.large.length) out.push(`large-community [ ${c.large.map(largeText).join(' ')} ]`);
  return out;
}

/** `neighbor A, neighbor B ` selector for selective announcement (ExaBGP API neighbor filter). */
function neighborPrefix(rule: Rule): string {
  if (!rule.peers || rule.peers.length === 0) return '';
  return rule.peers.map((p) => `neighbor ${formatIp(parseIp(p))}`).join(', ') + ' ';
}

function flowBody(rule: Rule): string {
  const match = rule.match.destination
    ? rule.match
    : { ...rule.match, destination: { prefix: targetPrefix(rule) } };
  const then = [...rule.actions.map(renderAction), ...communityClauses(flowSpecCommunities(rule))];
  return `flow route { match { ${renderMatch(match)}; } then { ${then.join('; ')}; } }`;
}

function rtbhBody(rule: Rule, opts: ExabgpRenderOptions): string {
  const prefix = targetPrefix(rule);
  const nextHop = rule.family === 4 ? opts.rtbh.nextHop4 : opts.rtbh.nextHop6;
  if (parseIp(nextHop).family !== rule.family) {
    throw new RenderError('unsupported-family', `RTBH next hop ${nextHop} is not IPv${rule.family}`);
  }
  return [`route ${prefix} next-hop ${nextHop}`, ...communityClauses(rtbhCommunities(rule, opts.rtbh))].join(
    ' ',
  );
}

/** Scrubbing diversion: the covering prefix with the rule's communities; next hop the rule's, else self. */
function diversionBody(rule: Rule): string {
  const prefix = targetPrefix(rule);
  let nextHop = 'self';
  if (rule.nextHop !== undefined) {
    const ip = parseIp(rule.nextHop);
    if (ip.family !== rule.family)
      throw new RenderError(
        'unsupported-family',
        `diversion next hop ${rule.nextHop} is not IPv${rule.family}`,
      );
    nextHop = formatIp(ip);
  }
  return [`route ${prefix} next-hop ${nextHop}`, ...communityClauses(flowSpecCommunities(rule))].join(' ');
}

export function renderExabgp(rule: Rule, opts: ExabgpRenderOptions): ExabgpCommands {
  const kind = routeKind(rule);
  const body =
    kind === 'flowspec' ? flowBody(rule) : kind === 'rtbh' ? rtbhBody(rule, opts) : diversionBody(rule);
  const sel = neighborPrefix(rule);
  return { kind, announce: `${sel}announce ${body}`, withdraw: `${sel}withdraw ${body}` };
}
