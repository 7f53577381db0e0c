// Numbers from the IANA BGP registries used across the codec (RFC 4271 §4, RFC 4760, RFC 8955, RFC 8956).

export const MARKER_LENGTH = 16;
export const HEADER_LENGTH = 19;
/** RFC 4271 §4.1 maximum message size. */
export const MAX_MESSAGE_LENGTH = 4096;
/** RFC 8654 extended message maximum. */
export const MAX_EXTENDED_MESSAGE_LENGTH = 65535;

export const MessageType = {
  OPEN: 1,
  UPDATE: 2,
  NOTIFICATION: 3,
  KEEPALIVE: 4,
  ROUTE_REFRESH: 5,
} as const;
export type MessageTypeName = keyof typeof MessageType;
export type MessageTypeCode = (typeof MessageType)[MessageTypeName];

export const AttrType = {
  ORIGIN: 1,
  AS_PATH: 2,
  NEXT_HOP: 3,
  MULTI_EXIT_DISC: 4,
  LOCAL_PREF: 5,
  ATOMIC_AGGREGATE: 6,
  AGGREGATOR: 7,
  COMMUNITIES: 8,
  MP_REACH_NLRI: 14,
  MP_UNREACH_NLRI: 15,
  EXTENDED_COMMUNITIES: 16,
  AS4_PATH: 17,
  AS4_AGGREGATOR: 18,
  LARGE_COMMUNITY: 32,
} as const;

/** Attribute flag bits (RFC 4271 §4.3). */
export const AttrFlag = {
  OPTIONAL: 0x80,
  TRANSITIVE: 0x40,
  PARTIAL: 0x20,
  EXTENDED_LENGTH: 0x10,
} as const;

export const Afi = { IPV4: 1, IPV6: 2 } as const;
export const Safi = { UNICAST: 1, FLOWSPEC: 133, VPN_FLOWSPEC: 134 } as const;

/** Address families this speaker understands, by a stable name used in config and APIs. */
export const FAMILIES = [
  'ipv4-unicast',
  'ipv6-unicast',
  'ipv4-flowspec',
  'ipv6-flowspec',
  'ipv4-vpn-flowspec',
  'ipv6-vpn-flowspec',
] as const;
export type FamilyName = (typeof FAMILIES)[number];

export interface AfiSafi {
  readonly afi: number;
  readonly safi: number;
}

export const FAMILY_CODES: Readonly<Record<FamilyName, AfiSafi>> = {
  'ipv4-unicast': { afi: Afi.IPV4, safi: Safi.UNICAST },
  'ipv6-unicast': { afi: Afi.IPV6, safi: Safi.UNICAST },
  'ipv4-flowspec': { afi: Afi.IPV4, safi: Safi.FLOWSPEC },
  'ipv6-flowspec': { afi: Afi.IPV6, safi: Safi.FLOWSPEC },
  'ipv4-vpn-flowspec': { afi: Afi.IPV4, safi: Safi.VPN_FLOWSPEC },
  'ipv6-vpn-flowspec': { afi: Afi.IPV6, safi: Safi.VPN_FLOWSPEC },
};

export function familyName(afi: number, safi: number): FamilyName | undefined {
  for (const name of FAMILIES) {
    const c = FAMILY_CODES[name];
    if (c.afi === afi && c.safi === safi) return name;
  }
  return undefined;
}

/** RFC 6793 §9: AS number used in 2-octet fields for ASNs above 65535. */
export const AS_TRANS = 23456;

/** Well-known communities (RFC 1997, RFC 7999). */
export const COMMUNITY_NO_EXPORT = 0xffffff01;
export const COMMUNITY_NO_ADVERTISE = 0xffffff02;
export const COMMUNITY_BLACKHOLE = 0xffff029a;
