// Every FlowSpec component type, declared once: RFC type code, name, operator kind, value widths and
// range per family, and text keyword. RFC 8955 §4.2.2 (IPv4 types 1–12) and RFC 8956 §3 (IPv6 types
// 1–13: prefix offset, next header, ICMPv6, no DF fragment bit, flow label).
import type { FlowSpecMatch } from './types.js';

export type Family = 4 | 6;

/** Keys of FlowSpecMatch that hold components. */
export type ComponentKey = Exclude<keyof FlowSpecMatch, 'family'>;
export type PrefixKey = 'destination' | 'source';
export type BitmaskKey = 'tcpFlags' | 'fragment';
export type NumericKey = Exclude<ComponentKey, PrefixKey | BitmaskKey>;

/** Operator kinds (RFC 8955 §4.2.1): prefix components, numeric_op lists, bitmask_op lists. */
export type OperatorKind = 'prefix' | 'numeric' | 'bitmask';

/** Value width in octets, as the operator len field encodes it (1 << len). */
export type ValueWidth = 1 | 2 | 4 | 8;

export interface ComponentSpec {
  /** RFC type code. */
  readonly code: number;
  readonly key: ComponentKey;
  /** RFC name. */
  readonly name: string;
  readonly kind: OperatorKind;
  /** Families the component exists in. */
  readonly families: readonly Family[];
  /** Text keyword (both families). */
  readonly keyword: string;
  /** IPv6 text keyword when it differs (used when formatting flow6; parsing accepts both). */
  readonly keyword6?: string;
  /** Value widths the RFC allows on the wire (numeric and bitmask kinds). */
  readonly widths: readonly ValueWidth[];
  /** Largest meaningful value per family (numeric: field maximum; bitmask: all defined bits). */
  readonly max: { readonly 4: number; readonly 6: number };
  /** Where it is defined. */
  readonly rfc: string;
}

/** The table. `Record<ComponentKey, …>` so a component added to FlowSpecMatch fails the build until declared here. */
export const COMPONENTS: { readonly [K in ComponentKey]: ComponentSpec & { readonly key: K } } = {
  destination: {
    code: 1,
    key: 'destination',
    name: 'Destination Prefix',
    kind: 'prefix',
    families: [4, 6],
    keyword: 'dst',
    widths: [],
    max: { 4: 32, 6: 128 },
    rfc: 'RFC 8955 §4.2.2.1, RFC 8956 §3.1',
  },
  source: {
    code: 2,
    key: 'source',
    name: 'Source Prefix',
    kind: 'prefix',
    families: [4, 6],
    keyword: 'src',
    widths: [],
    max: { 4: 32, 6: 128 },
    rfc: 'RFC 8955 §4.2.2.2, RFC 8956 §3.2',
  },
  ipProtocol: {
    code: 3,
    key: 'ipProtocol',
    name: 'IP Protocol / Upper-Layer Protocol',
    kind: 'numeric',
    families: [4, 6],
    keyword: 'proto',
    keyword6: 'next-header',
    widths: [1],
    max: { 4: 255, 6: 255 },
    rfc: 'RFC 8955 §4.2.2.3, RFC 8956 §3.3',
  },
  port: {
    code: 4,
    key: 'port',
    name: 'Port',
    kind: 'numeric',
    families: [4, 6],
    keyword: 'port',
    widths: [1, 2],
    max: { 4: 65535, 6: 65535 },
    rfc: 'RFC 8955 §4.2.2.4',
  },
  destinationPort: {
    code: 5,
    key: 'destinationPort',
    name: 'Destination Port',
    kind: 'numeric',
    families: [4, 6],
    keyword: 'dport',
    widths: [1, 2],
    max: { 4: 65535, 6: 65535 },
    rfc: 'RFC 8955 §4.2.2.5',
  },
  sourcePort: {
    code: 6,
    key: 'sourcePort',
    name: 'Source Port',
    kind: 'numeric',
    families: [4, 6],
    keyword: 'sport',
    widths: [1, 2],
    max: { 4: 65535, 6: 65535 },
    rfc: 'RFC 8955 §4.2.2.6',
  },
  icmpType: {
    code: 7,
    key: 'icmpType',
    name: 'ICMP Type / ICMPv6 Type',
    kind: 'numeric',
    families: [4, 6],
    keyword: 'icmp-type',
    widths: [1],
    max: { 4: 255, 6: 255 },
    rfc: 'RFC 8955 §4.2.2.7, RFC 8956 §3.4',
  },
  icmpCode: {
    code: 8,
    key: 'icmpCode',
    name: 'ICMP Code / ICMPv6 Code',
    kind: 'numeric',
    families: [4, 6],
    keyword: 'icmp-code',
    widths: [1],
    max: { 4: 255, 6: 255 },
    rfc: 'RFC 8955 §4.2.2.8, RFC 8956 §3.5',
  },
  tcpFlags: {
    code: 9,
    key: 'tcpFlags',
    name: 'TCP Flags',
    kind: 'bitmask',
    families: [4, 6],
    keyword: 'tcp-flags',
    widths: [1, 2],
    max: { 4: 0xffff, 6: 0xffff },
    rfc: 'RFC 8955 §4.2.2.9',
  },
  packetLength: {
    code: 10,
    key: 'packetLength',
    name: 'Packet Length',
    kind: 'numeric',
    families: [4, 6],
    keyword: 'len',
    widths: [1, 2],
    max: { 4: 65535, 6: 65535 },
    rfc: 'RFC 8955 §4.2.2.10, RFC 8956 §3.6',
  },
  dscp: {
    code: 11,
    key: 'dscp',
    name: 'DSCP',
    kind: 'numeric',
    families: [4, 6],
    keyword: 'dscp',
    widths: [1],
    max: { 4: 63, 6: 63 },
    rfc: 'RFC 8955 §4.2.2.11, RFC 8956 §3.7',
  },
  fragment: {
    code: 12,
    key: 'fragment',
    name: 'Fragment',
    kind: 'bitmask',
    families: [4, 6],
    keyword: 'frag',
    widths: [1],
    // IPv4: LF FF IsF DF; IPv6 has no DF bit (RFC 8956 §3.7).
    max: { 4: 0x0f, 6: 0x0e },
    rfc: 'RFC 8955 §4.2.2.12, RFC 8956 §3.7',
  },
  flowLabel: {
    code: 13,
    key: 'flowLabel',
    name: 'Flow Label',
    kind: 'numeric',
    families: [6],
    keyword: 'flow-label',
    widths: [1, 2, 4],
    max: { 4: 0, 6: 0xfffff },
    rfc: 'RFC 8956 §3.8',
  },
};

/** Components in RFC type order: the only order they are encoded, formatted and accepted in. */
export const COMPONENT_ORDER: readonly ComponentSpec[] = Object.values(COMPONENTS).sort(
  (a, b) => a.code - b.code,
);

const BY_CODE: readonly (ComponentSpec | undefined)[] = (() => {
  const out: (ComponentSpec | undefined)[] = [];
  for (const c of COMPONENT_ORDER) out[c.code] = c;
  return out;
})();

/** The component with this type code in this family, or undefined (unknown type). */
export function componentByCode(code: number, family: Family): ComponentSpec | undefined {
  const c = BY_CODE[code];
  return c !== undefined && c.families.includes(family) ? c : undefined;
}

/** The component a text keyword names in this family, or undefined. */
export function componentByKeyword(keyword: string, family: Family): ComponentSpec | undefined {
  for (const c of COMPONENT_ORDER) {
    if (!c.families.includes(family)) continue;
    if (c.keyword === keyword || (family === 6 && c.keyword6 === keyword)) return c;
  }
  return undefined;
}

export function keywordFor(c: ComponentSpec, family: Family): string {
  return family === 6 && c.keyword6 !== undefined ? c.keyword6 : c.keyword;
}

/** Widest width the component allows (its values must fit in it). */
export function maxWidth(c: ComponentSpec): ValueWidth {
  return c.widths[c.widths.length - 1] ?? 1;
}

/** Smallest operator width holding `value` (RFC 8955 §4.2.1.1 len field). */
export function minimalWidth(value: number): ValueWidth {
  if (value <= 0xff) return 1;
  if (value <= 0xffff) return 2;
  if (value <= 0xffffffff) return 4;
  return 8;
}

/** TCP header flag bits (RFC 9293 §3.1; 0x100 is the former NS bit, RFC 3540 historic). */
export const TCP_FLAGS = {
  fin: 0x01,
  syn: 0x02,
  rst: 0x04,
  psh: 0x08,
  ack: 0x10,
  urg: 0x20,
  ece: 0x40,
  cwr: 0x80,
} as const;
export type TcpFlagName = keyof typeof TCP_FLAGS;

/** Fragment bitmask bits (RFC 8955 §4.2.2.12: 0 0 0 0 LF FF IsF DF). */
export const FRAGMENT_FLAGS = {
  'dont-fragment': 0x01,
  'is-fragment': 0x02,
  'first-fragment': 0x04,
  'last-fragment': 0x08,
} as const;
export type FragmentFlagName = keyof typeof FRAGMENT_FLAGS;

/** Flag names per bitmask component, for the text grammar. */
export const BITMASK_FLAG_NAMES: { readonly [K in BitmaskKey]: Readonly<Record<string, number>> } = {
  tcpFlags: TCP_FLAGS,
  fragment: FRAGMENT_FLAGS,
};
