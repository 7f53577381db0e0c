// The FlowSpec match as a network type, independent of any wire or text form.
// Component numbering follows RFC 8955 §4.2.2 (IPv4) and RFC 8956 §3 (IPv6); type 13 (flow label) is IPv6 only.
// A component is a list of operator/value terms exactly as the wire carries them (RFC 8955 §4.2.1.1/§4.2.1.2),
// so nothing is lost between text, JSON, wire and adapter renderings.

/** RFC 8955 §4.2.1.1 numeric operator term: lt/gt/eq bits, and "and" binds to the previous term. */
export interface NumericTerm {
  /** true: logical AND with the previous term; false: OR (ignored on the first term). */
  readonly and: boolean;
  readonly lt: boolean;
  readonly gt: boolean;
  readonly eq: boolean;
  readonly value: number;
}

/** RFC 8955 §4.2.1.2 bitmask operator term: not and match bits. */
export interface BitmaskTerm {
  readonly and: boolean;
  /** NOT bit: invert the result. */
  readonly not: boolean;
  /** Match bit: set = (data & value) == value; clear = (data & value) != 0. */
  readonly match: boolean;
  readonly value: number;
}

export interface FlowSpecPrefix {
  /** Canonical prefix text, e.g. "203.0.113.5/32" or "2001:db8::/64". */
  readonly prefix: string;
  /** RFC 8956 §3.1 IPv6 prefix offset in bits (0 for IPv4 and the usual IPv6 case). */
  readonly offset?: number;
}

/** One FlowSpec match. Absent components match anything. Keys are in RFC type order. */
export interface FlowSpecMatch {
  readonly family: 4 | 6;
  readonly destination?: FlowSpecPrefix; // type 1
  readonly source?: FlowSpecPrefix; // type 2
  readonly ipProtocol?: readonly NumericTerm[]; // type 3 (IPv6: next header)
  readonly port?: readonly NumericTerm[]; // type 4
  readonly destinationPort?: readonly NumericTerm[]; // type 5
  readonly sourcePort?: readonly NumericTerm[]; // type 6
  readonly icmpType?: readonly NumericTerm[]; // type 7
  readonly icmpCode?: readonly NumericTerm[]; // type 8
  readonly tcpFlags?: readonly BitmaskTerm[]; // type 9
  readonly packetLength?: readonly NumericTerm[]; // type 10
  readonly dscp?: readonly NumericTerm[]; // type 11
  readonly fragment?: readonly BitmaskTerm[]; // type 12
  readonly flowLabel?: readonly NumericTerm[]; // type 13, IPv6 only
}

/** FlowSpec actions, carried as extended communities (RFC 8955 §7, RFC 7674, draft-ietf-idr-flowspec-redirect-ip). */
export type FlowSpecAction =
  /** 0x8006: rate in bytes per second (IEEE float); 0 = discard. */
  | { readonly kind: 'traffic-rate-bytes'; readonly asn: number; readonly bytesPerSecond: number }
  /** 0x800c (RFC 8955 §7.2): rate in packets per second. */
  | { readonly kind: 'traffic-rate-packets'; readonly asn: number; readonly packetsPerSecond: number }
  /** 0x8007: terminal and sample bits. */
  | { readonly kind: 'traffic-action'; readonly terminal: boolean; readonly sample: boolean }
  /** 0x8008 / 0x8108 / 0x8208: redirect to the VRF with this route target ("65000:100", "192.0.2.1:100", "4200000000:100"). */
  | { readonly kind: 'redirect-vrf'; readonly routeTarget: string }
  /** 0x8009: rewrite DSCP. */
  | { readonly kind: 'traffic-marking'; readonly dscp: number }
  /** 0x080b / 0x010c (redirect-to-IP): next hop address, copy bit. */
  | { readonly kind: 'redirect-ip'; readonly nextHop: string; readonly copy: boolean };

export type FlowSpecActionKind = FlowSpecAction['kind'];
