// Offline rendering of one Rule into the UPDATE messages a peer would receive (announce and withdraw),
// for `floodgate bgp encode` and the audit payload. Pure.
import type { Rule } from '../domain/rule.js';
import { FAMILY_CODES } from './codec/constants.js';
import { packAnnounce, packWithdraw } from './codec/pack.js';
import { bgpConfigSchema, bgpPeerSchema, type BgpConfigInput } from './config.js';
import { renderRule } from './render.js';

export interface EncodedRule {
  readonly family: string;
  readonly description: string;
  readonly announce: readonly Uint8Array[];
  readonly withdraw: readonly Uint8Array[];
}

export interface EncodeRuleOptions {
  readonly localAs?: number;
  readonly peerAs?: number;
  readonly peer?: Partial<BgpConfigInput['peers'] extends readonly (infer P)[] | undefined ? P : never>;
  readonly discardNextHop?: { ipv4?: string; ipv6?: string };
}

export function encodeRule(rule: Rule, o: EncodeRuleOptions = {}): EncodedRule {
  const cfg = bgpConfigSchema.parse({
    localAs: o.localAs ?? 65000,
    ...(o.discardNextHop ? { discardNextHop: o.discardNextHop } : {}),
  });
  const peer = bgpPeerSchema.parse({
    address: '127.0.0.2',
    remoteAs: o.peerAs ?? 65001,
    families: [
      'ipv4-unicast',
      'ipv6-unicast',
      'ipv4-flowspec',
      'ipv6-flowspec',
      ...(o.peer?.flowspecRd ? (['ipv4-vpn-flowspec', 'ipv6-vpn-flowspec'] as const) : []),
    ],
    ...o.peer,
  });
  const r = renderRule({ ...rule, peers: undefined }, peer, cfg);
  if (!r.ok) throw new Error(r.error);
  if (!r.route) throw new Error(r.skipped);
  const route = r.route;
  const c = FAMILY_CODES[route.family];
  const ibgp = peer.remoteAs === cfg.localAs;
  const ctx = { fourOctetAs: true };
  const announce = packAnnounce(
    {
      afi: c.afi,
      safi: c.safi,
      ...(route.mpNextHop ? { mpNextHop: route.mpNextHop } : {}),
      attributes: {
        origin: 0,
        asPath: ibgp ? [] : [{ type: 2, asns: [cfg.localAs] }],
        ...(route.nextHop !== undefined ? { nextHop: route.nextHop } : {}),
        ...(ibgp ? { localPref: peer.localPref } : {}),
        communities: route.communities,
        extendedCommunities: route.extendedCommunities,
        largeCommunities: route.largeCommunities,
      },
      nlri: [route.nlri],
    },
    4096,
    ctx,
  );
  return {
    family: route.family,
    description: route.description,
    announce,
    withdraw: packWithdraw(c.afi, c.safi, [route.nlri], 4096, ctx),
  };
}
