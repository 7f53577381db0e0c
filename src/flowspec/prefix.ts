// FlowSpec prefix components (types 1 and 2) as values: RFC 8955 §4.2.2.1 (IPv4 <length, prefix>)
// and RFC 8956 §3.1 (IPv6 <length, offset, pattern>: only bits offset..length-1 are carried).
import { NetParseError, formatPrefix, parsePrefix } from '../net/index.js';
import type { Family } from './components.js';
import type { FlowSpecPrefix } from './types.js';

/** A prefix component ready for the wire: full-size address bytes, bits outside [offset, length) zero. */
export interface PrefixValue {
  readonly family: Family;
  readonly bytes: Uint8Array;
  readonly length: number;
  readonly offset: number;
}

function bit(bytes: Uint8Array, i: number): number {
  return ((bytes[i >>> 3] as number) >>> (7 - (i & 7))) & 1;
}

/** Why a FlowSpecPrefix cannot be encoded faithfully. */
export interface PrefixProblem {
  readonly reason: 'prefix-invalid' | 'offset-invalid';
  readonly message: string;
}

/** Parses a FlowSpecPrefix for `family` (host bits past the length are refused, never cleared). */
export function prefixValue(p: FlowSpecPrefix, family: Family): PrefixValue | PrefixProblem {
  const bad = (reason: PrefixProblem['reason'], message: string): PrefixProblem => ({ reason, message });
  if (typeof p !== 'object' || p === null || typeof p.prefix !== 'string') {
    return bad('prefix-invalid', 'prefix must be an object with a prefix string');
  }
  let parsed;
  try {
    parsed = parsePrefix(p.prefix);
  } catch (e) {
    if (e instanceof NetParseError) return bad('prefix-invalid', e.message);
    throw e;
  }
  if (parsed.family !== family) return bad('prefix-invalid', `${p.prefix} is not an IPv${family} prefix`);
  const offset = p.offset ?? 0;
  if (family === 4 && p.offset !== undefined) {
    return bad('offset-invalid', 'IPv4 prefixes have no offset (RFC 8956 §3.1 is IPv6 only)');
  }
  if (!Number.isInteger(offset) || offset < 0)
    return bad('offset-invalid', `offset ${offset} is not a non-negative integer`);
  if (offset !== 0 && offset >= parsed.length) {
    return bad(
      'offset-invalid',
      `offset ${offset} must be below the prefix length ${parsed.length} (RFC 8956 §3.1)`,
    );
  }
  // Bits before the offset are not carried: a non-zero bit there would silently match more than written.
  for (let i = 0; i < offset; i++) {
    if (bit(parsed.bytes, i) !== 0)
      return bad('offset-invalid', `bits before offset ${offset} must be zero in ${p.prefix}`);
  }
  return { family, bytes: parsed.bytes, length: parsed.length, offset };
}

export function isPrefixProblem(x: PrefixValue | PrefixProblem): x is PrefixProblem {
  return 'reason' in x;
}

/** Canonical FlowSpecPrefix for wire values (offset key only when non-zero). */
export function prefixFromValue(
  family: Family,
  bytes: Uint8Array,
  length: number,
  offset: number,
): FlowSpecPrefix {
  const prefix = formatPrefix({ family, bytes, length });
  return offset === 0 ? { prefix } : { prefix, offset };
}

/** Number of pattern octets on the wire. */
export function patternBytes(length: number, offset: number): number {
  return (length - offset + 7) >>> 3;
}

/** Writes bits [offset, length) of `bytes` to out[at..], left-aligned, padding bits zero. Returns bytes written. */
export function writePattern(
  bytes: Uint8Array,
  length: number,
  offset: number,
  out: Uint8Array,
  at: number,
): number {
  const n = patternBytes(length, offset);
  if ((offset & 7) === 0) {
    const start = offset >>> 3;
    for (let i = 0; i < n; i++) out[at + i] = bytes[start + i] as number;
    const rem = (length - offset) & 7;
    if (rem !== 0) out[at + n - 1] = (out[at + n - 1] as number) & ((0xff << (8 - rem)) & 0xff);
    return n;
  }
  for (let i = 0; i < n; i++) out[at + i] = 0;
  for (let i = offset; i < length; i++) {
    if (bit(bytes, i) === 1) {
      const j = i - offset;
      out[at + (j >>> 3)] = (out[at + (j >>> 3)] as number) | (0x80 >>> (j & 7));
    }
  }
  return n;
}

/** Reads a pattern of bits [offset, length) from buf[at..] into a fresh address (padding ignored). */
export function readPattern(
  family: Family,
  buf: Uint8Array,
  at: number,
  length: number,
  offset: number,
): Uint8Array {
  const out = new Uint8Array(family === 4 ? 4 : 16);
  for (let i = offset; i < length; i++) {
    const j = i - offset;
    if ((((buf[at + (j >>> 3)] as number) >>> (7 - (j & 7))) & 1) === 1) {
      out[i >>> 3] = (out[i >>> 3] as number) | (0x80 >>> (i & 7));
    }
  }
  return out;
}
