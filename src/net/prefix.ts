// IP prefixes (RFC 4632 CIDR, RFC 4291 §2.3 text form "address/length") as compact values whose
// host bits are always zero, with containment and overlap tests.

import {
  type Family,
  type IpAddress,
  NetParseError,
  familyBits,
  familyBytes,
  formatIp,
  parseIp,
} from './address.js';

/** A prefix: `bytes` (4 or 16) has every bit past `length` cleared. Treat as immutable. */
export interface Prefix {
  readonly family: Family;
  readonly bytes: Uint8Array;
  readonly length: number;
}

export interface ParsePrefixOptions {
  /**
   * true (default): host bits set past the length are an error naming the prefix that was meant
   * (a typo such as 10.0.0.1/8 must not silently become 10.0.0.0/8 in a mitigation rule).
   * false: host bits are cleared.
   */
  readonly strict?: boolean;
}

/** Copy of `bytes` with every bit past `length` cleared. */
export function maskBytes(bytes: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  const full = length >>> 3;
  for (let i = 0; i < full && i < bytes.length; i++) out[i] = bytes[i] as number;
  const rem = length & 7;
  if (rem !== 0 && full < bytes.length) out[full] = (bytes[full] as number) & ((0xff << (8 - rem)) & 0xff);
  return out;
}

function hostBitsSet(bytes: Uint8Array, length: number): boolean {
  const m = maskBytes(bytes, length);
  for (let i = 0; i < bytes.length; i++) if (m[i] !== bytes[i]) return true;
  return false;
}

/** Prefix of `addr` with the given length, host bits cleared. */
export function makePrefix(addr: IpAddress, length: number): Prefix {
  const bits = familyBits(addr.family);
  if (!Number.isInteger(length) || length < 0 || length > bits) {
    throw new RangeError(`prefix length ${length} is out of range 0-${bits} for IPv${addr.family}`);
  }
  return { family: addr.family, bytes: maskBytes(addr.bytes, length), length };
}

/** The /32 or /128 prefix holding exactly this address. */
export function hostPrefix(addr: IpAddress): Prefix {
  return { family: addr.family, bytes: Uint8Array.from(addr.bytes), length: familyBits(addr.family) };
}

/** The network address of the prefix, as an address value. */
export function prefixAddress(p: Prefix): IpAddress {
  return { family: p.family, bytes: Uint8Array.from(p.bytes) };
}

const LEN = /^(0|[1-9][0-9]{0,2})$/;

/** Parses "address/length" or a bare address (= host prefix). Throws NetParseError. */
export function parsePrefix(text: string, opts: ParsePrefixOptions = {}): Prefix {
  const strict = opts.strict ?? true;
  if (typeof text !== 'string') throw new NetParseError(String(text), 'not a string');
  const slash = text.indexOf('/');
  if (slash < 0) return hostPrefix(parseIp(text));
  if (text.indexOf('/', slash + 1) >= 0) throw new NetParseError(text, "more than one '/'");
  const addrText = text.slice(0, slash);
  const lenText = text.slice(slash + 1);
  let addr: IpAddress;
  try {
    addr = parseIp(addrText);
  } catch (e) {
    if (e instanceof NetParseError) throw new NetParseError(text, e.reason);
    throw e;
  }
  const bits = familyBits(addr.family);
  if (lenText === '') throw new NetParseError(text, "missing prefix length after '/'");
  if (!LEN.test(lenText)) {
    throw new NetParseError(
      text,
      `prefix length ${JSON.stringify(lenText)} is not a decimal number without leading zeros`,
    );
  }
  const length = Number(lenText);
  if (length > bits)
    throw new NetParseError(text, `prefix length ${length} is out of range 0-${bits} for IPv${addr.family}`);
  if (strict && hostBitsSet(addr.bytes, length)) {
    const meant = formatPrefix(makePrefix(addr, length));
    throw new NetParseError(text, `host bits are set past /${length}; did you mean ${meant}?`);
  }
  return makePrefix(addr, length);
}

/** parsePrefix that returns undefined instead of throwing. */
export function tryParsePrefix(text: string, opts?: ParsePrefixOptions): Prefix | undefined {
  try {
    return parsePrefix(text, opts);
  } catch (e) {
    if (e instanceof NetParseError) return undefined;
    throw e;
  }
}

/** Canonical text: RFC 5952 address, "/", decimal length. Host prefixes keep their /32 or /128. */
export function formatPrefix(p: Prefix): string {
  return `${formatIp(p)}/${p.length}`;
}

function isPrefix(x: Prefix | IpAddress): x is Prefix {
  return typeof (x as Prefix).length === 'number';
}

/** True when the first `len` bits of a and b agree (both of `len` ≤ their size). */
function samePrefixBits(a: Uint8Array, b: Uint8Array, len: number): boolean {
  const full = len >>> 3;
  for (let i = 0; i < full; i++) if (a[i] !== b[i]) return false;
  const rem = len & 7;
  if (rem === 0) return true;
  const m = (0xff << (8 - rem)) & 0xff;
  return (((a[full] as number) ^ (b[full] as number)) & m) === 0;
}

/** Whether `inner` (a prefix or an address) lies wholly inside `outer`. Different families never contain. */
export function prefixContains(outer: Prefix, inner: Prefix | IpAddress): boolean {
  if (outer.family !== inner.family) return false;
  const innerLen = isPrefix(inner) ? inner.length : familyBits(inner.family);
  if (innerLen < outer.length) return false;
  return samePrefixBits(outer.bytes, inner.bytes, outer.length);
}

export function prefixEquals(a: Prefix, b: Prefix): boolean {
  return a.family === b.family && a.length === b.length && samePrefixBits(a.bytes, b.bytes, a.length);
}

/** Two prefixes overlap exactly when one contains the other (CIDR blocks nest or are disjoint). */
export function prefixOverlaps(a: Prefix, b: Prefix): boolean {
  if (a.family !== b.family) return false;
  return samePrefixBits(a.bytes, b.bytes, Math.min(a.length, b.length));
}

/** Orders IPv4 before IPv6, then by network address, then shorter first. */
export function comparePrefix(a: Prefix, b: Prefix): number {
  if (a.family !== b.family) return a.family - b.family;
  for (let i = 0; i < a.bytes.length; i++) {
    const d = (a.bytes[i] as number) - (b.bytes[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** The last address inside the prefix (all host bits set). */
export function prefixLastAddress(p: Prefix): IpAddress {
  const out = Uint8Array.from(p.bytes);
  for (let bit = p.length; bit < out.length * 8; bit++)
    out[bit >>> 3] = (out[bit >>> 3] as number) | (0x80 >>> (bit & 7));
  return { family: p.family, bytes: out };
}

/** Builds a prefix from an address in the FlowBatch word layout (4 uint32 big-endian words), masking host bits. */
export function prefixFromWords(family: Family, words: Uint32Array, offset: number, length: number): Prefix {
  const n = familyBytes(family);
  const bytes = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const w = (words[offset + (i >>> 2)] as number) >>> 0;
    bytes[i] = (w >>> (24 - 8 * (i & 3))) & 0xff;
  }
  return makePrefix({ family, bytes }, length);
}
