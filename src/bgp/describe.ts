// Human/JSON view of an encoded UPDATE: every attribute decoded, FlowSpec NLRIs in the one text grammar,
// extended communities as FlowSpec actions. Used by `floodgate bgp encode` and in logs.
import {
  decodeExtendedCommunity,
  decodeFlowSpecNlris,
  decodeVpnFlowSpecNlris,
  formatFlowSpec,
} from '../flowspec/index.js';
import type { DecodedExtendedCommunity } from '../flowspec/index.js';
import { concat, hex } from './codec/bytes.js';
import { familyName } from './codec/constants.js';
import { formatCommunity } from './codec/attributes/communities.js';
import { formatLargeCommunity } from './codec/attributes/large-communities.js';
import { ORIGIN_NAMES } from './codec/attributes/origin.js';
import type { CodecContext } from './codec/attributes/index.js';
import { formatPrefixNlri } from './codec/nlri.js';
import { decodeUpdate } from './codec/update.js';
import { formatIpBytes } from '../net/index.js';

export interface UpdateView {
  readonly length: number;
  readonly family?: string;
  readonly announce: readonly string[];
  readonly withdraw: readonly string[];
  readonly attributes: Record<string, unknown>;
  readonly endOfRib?: string;
}

function nlriText(afi: number, safi: number, nlri: readonly Uint8Array[]): string[] {
  const fam = afi === 1 ? 4 : 6;
  if (safi === 1) return nlri.map((n) => formatPrefixNlri(n, fam));
  const buf = concat(nlri);
  if (safi === 134) {
    const r = decodeVpnFlowSpecNlris(buf, fam);
    return [
      ...r.routes.map((x) => `rd ${x.rd} ${formatFlowSpec(x.match)}`),
      ...(r.error ? [`<malformed: ${r.error.message}>`] : []),
    ];
  }
  const r = decodeFlowSpecNlris(buf, fam);
  return [...r.matches.map(formatFlowSpec), ...(r.error ? [`<malformed: ${r.error.message}>`] : [])];
}

function extText(d: DecodedExtendedCommunity, raw: Uint8Array): string {
  switch (d.kind) {
    case 'action':
      return JSON.stringify(d.action);
    case 'route-target':
      return `rt ${d.routeTarget}`;
    case 'redirect-to-next-hop':
      return `redirect-to-next-hop${d.copy ? ' copy' : ''}`;
    default:
      return hex(raw);
  }
}

/** Decode a whole UPDATE message (with header) into a readable view; throws on a malformed message. */
export function describeUpdate(msg: Uint8Array, ctx: CodecContext = { fourOctetAs: true }): UpdateView {
  const r = decodeUpdate(msg.subarray(19), ctx);
  if (!r.ok) throw new Error(`not a valid UPDATE: ${r.message}`);
  const u = r.value.update;
  const a = u.attributes;
  const attributes: Record<string, unknown> = {};
  if (a.origin !== undefined) attributes.origin = ORIGIN_NAMES[a.origin];
  if (a.asPath)
    attributes.asPath = a.asPath
      .map((s) => (s.type === 1 ? `{${s.asns.join(',')}}` : s.asns.join(' ')))
      .join(' ');
  if (a.nextHop !== undefined) attributes.nextHop = a.nextHop;
  if (a.med !== undefined) attributes.med = a.med;
  if (a.localPref !== undefined) attributes.localPref = a.localPref;
  if (a.communities) attributes.communities = a.communities.map(formatCommunity);
  if (a.largeCommunities) attributes.largeCommunities = a.largeCommunities.map(formatLargeCommunity);
  const mpNh =
    a.mpReach && a.mpReach.nextHop.length > 0
      ? formatIpBytes(a.mpReach.nextHop.length === 32 ? a.mpReach.nextHop.subarray(0, 16) : a.mpReach.nextHop)
      : undefined;
  if (a.extendedCommunities) {
    attributes.extendedCommunities = a.extendedCommunities.map((e) =>
      extText(decodeExtendedCommunity(e, mpNh !== undefined ? { nextHop: mpNh } : {}), e),
    );
  }
  if (mpNh !== undefined) attributes.mpNextHop = mpNh;
  const announce: string[] = [];
  const withdraw: string[] = [];
  let family: string | undefined;
  if (u.nlri.length > 0) {
    family = 'ipv4-unicast';
    announce.push(...nlriText(1, 1, u.nlri));
  }
  if (u.withdrawn.length > 0) {
    family = 'ipv4-unicast';
    withdraw.push(...nlriText(1, 1, u.withdrawn));
  }
  if (a.mpReach) {
    family = familyName(a.mpReach.afi, a.mpReach.safi) ?? `${a.mpReach.afi}/${a.mpReach.safi}`;
    announce.push(...nlriText(a.mpReach.afi, a.mpReach.safi, a.mpReach.nlri));
  }
  if (a.mpUnreach) {
    family = familyName(a.mpUnreach.afi, a.mpUnreach.safi) ?? `${a.mpUnreach.afi}/${a.mpUnreach.safi}`;
    withdraw.push(...nlriText(a.mpUnreach.afi, a.mpUnreach.safi, a.mpUnreach.nlri));
  }
  const eor = r.value.endOfRib ? familyName(r.value.endOfRib.afi, r.value.endOfRib.safi) : undefined;
  return {
    length: msg.length,
    ...(family ? { family } : {}),
    announce,
    withdraw,
    attributes,
    ...(eor ? { endOfRib: eor } : {}),
  };
}
