// FlowSpec NLRI wire codec: RFC 8955 §4.1 length prefix (1 octet below 240, else 0xfnnn, max 4095),
// §4.2 components in strictly increasing type order, §4.2.1.1 numeric and §4.2.1.2 bitmask operators;
// RFC 8956 §3 for IPv6 (prefix offset, flow label); RFC 8955 §8 VPN FlowSpec (route distinguisher first).
// Decoders never throw: they return a FlowSpecError carrying the RFC 7606 action.
import {
  COMPONENT_ORDER,
  componentByCode,
  maxWidth,
  minimalWidth,
  type ComponentSpec,
  type Family,
  type ValueWidth,
} from './components.js';
import { FlowSpecEncodeError, type FlowSpecError, type FlowSpecWireErrorCode } from './errors.js';
import {
  isPrefixProblem,
  patternBytes,
  prefixFromValue,
  prefixValue,
  readPattern,
  writePattern,
} from './prefix.js';
import { decodeRouteDistinguisher, encodeRouteDistinguisher } from './rd.js';
import type { BitmaskTerm, FlowSpecMatch, FlowSpecPrefix, NumericTerm } from './types.js';

/** Largest NLRI value length (RFC 8955 §4.1: 0xfff in the 2-octet form). */
export const MAX_NLRI_LENGTH = 4095;
/** Lengths from here on need the 2-octet form. */
export const TWO_OCTET_LENGTH_FROM = 240;

// Operator bits (RFC 8955 §4.2.1.1 / §4.2.1.2).
const OP_END = 0x80;
const OP_AND = 0x40;
const OP_LT = 0x04;
const OP_GT = 0x02;
const OP_EQ = 0x01;
const OP_NOT = 0x02;
const OP_MATCH = 0x01;

const LEN_CODE: Record<ValueWidth, number> = { 1: 0, 2: 1, 4: 2, 8: 3 };
const WIDTH_OF_CODE: readonly ValueWidth[] = [1, 2, 4, 8];

// One scratch buffer for encoding: the longest NLRI is 2 + 8 (RD) + 4095 octets.
const scratch = new Uint8Array(2 + 8 + MAX_NLRI_LENGTH + 64);

function fail(code: ConstructorParameters<typeof FlowSpecEncodeError>[0], message: string): never {
  throw new FlowSpecEncodeError(code, message);
}

function writeValue(out: Uint8Array, at: number, value: number, width: ValueWidth): void {
  if (width === 8) {
    const hi = Math.floor(value / 0x100000000);
    const lo = value - hi * 0x100000000;
    writeValue(out, at, hi, 4);
    writeValue(out, at + 4, lo, 4);
    return;
  }
  for (let i = width - 1; i >= 0; i--) {
    out[at + i] = value & 0xff;
    value = Math.floor(value / 256);
  }
}

function termWidth(c: ComponentSpec, value: unknown, family: Family): ValueWidth {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    fail('value-out-of-range', `${c.name}: value ${String(value)} is not a non-negative integer`);
  }
  const w = minimalWidth(value);
  if (w > maxWidth(c)) {
    fail(
      'value-out-of-range',
      `${c.name}: value ${value} needs ${w} octets, IPv${family} allows ${c.widths.join('/')}`,
    );
  }
  return w;
}

function encodeTerms(
  c: ComponentSpec,
  terms: readonly (NumericTerm | BitmaskTerm)[],
  family: Family,
  out: Uint8Array,
  at: number,
  limit: number,
): number {
  if (!Array.isArray(terms) || terms.length === 0)
    fail('empty-component', `${c.name}: a component needs at least one term`);
  let p = at;
  for (let i = 0; i < terms.length; i++) {
    const t = terms[i] as NumericTerm & BitmaskTerm;
    const w = termWidth(c, t.value, family);
    if (p + 1 + w > limit)
      fail('nlri-too-long', `NLRI longer than ${MAX_NLRI_LENGTH} octets (RFC 8955 §4.1)`);
    let op = (i === terms.length - 1 ? OP_END : 0) | (i > 0 && t.and ? OP_AND : 0) | (LEN_CODE[w] << 4);
    // The AND bit of the first term is always encoded unset (RFC 8955 §4.2.1.1).
    if (c.kind === 'numeric') op |= (t.lt ? OP_LT : 0) | (t.gt ? OP_GT : 0) | (t.eq ? OP_EQ : 0);
    else op |= (t.not ? OP_NOT : 0) | (t.match ? OP_MATCH : 0);
    out[p] = op;
    writeValue(out, p + 1, t.value, w);
    p += 1 + w;
  }
  return p - at;
}

function encodePrefix(
  c: ComponentSpec,
  p: FlowSpecPrefix,
  family: Family,
  out: Uint8Array,
  at: number,
  limit: number,
): number {
  const v = prefixValue(p, family);
  if (isPrefixProblem(v)) fail('prefix-invalid', `${c.name}: ${v.message}`);
  const head = family === 4 ? 1 : 2;
  const n = patternBytes(v.length, v.offset);
  if (at + head + n > limit)
    fail('nlri-too-long', `NLRI longer than ${MAX_NLRI_LENGTH} octets (RFC 8955 §4.1)`);
  out[at] = v.length;
  if (family === 6) out[at + 1] = v.offset;
  return head + writePattern(v.bytes, v.length, v.offset, out, at + head);
}

/** Writes the components of `match` (the NLRI value, no length) at out[at..]; returns the octet count. */
function encodeValue(match: FlowSpecMatch, out: Uint8Array, at: number, limit: number): number {
  const family = match.family;
  if (family !== 4 && family !== 6)
    fail('component-not-in-family', `family must be 4 or 6, got ${String(family)}`);
  let p = at;
  let count = 0;
  for (const c of COMPONENT_ORDER) {
    const v = match[c.key];
    if (v === undefined) continue;
    if (!c.families.includes(family))
      fail('component-not-in-family', `${c.name} does not exist for IPv${family}`);
    if (p + 1 > limit) fail('nlri-too-long', `NLRI longer than ${MAX_NLRI_LENGTH} octets (RFC 8955 §4.1)`);
    out[p++] = c.code;
    p +=
      c.kind === 'prefix'
        ? encodePrefix(c, v as FlowSpecPrefix, family, out, p, limit)
        : encodeTerms(c, v as readonly NumericTerm[], family, out, p, limit);
    count++;
  }
  // An empty FlowSpec matches every packet (STYLE.md: FlowSpec fails closed).
  if (count === 0) fail('empty-match', 'a FlowSpec match needs at least one component');
  return p - at;
}

/** Octets the length prefix takes for an NLRI value of `len` octets. */
export function nlriLengthSize(len: number): 1 | 2 {
  return len < TWO_OCTET_LENGTH_FROM ? 1 : 2;
}

function finish(valueAt: number, valueLen: number): Uint8Array {
  const size = nlriLengthSize(valueLen);
  const out = new Uint8Array(size + valueLen);
  if (size === 1) out[0] = valueLen;
  else {
    out[0] = 0xf0 | (valueLen >>> 8);
    out[1] = valueLen & 0xff;
  }
  out.set(scratch.subarray(valueAt, valueAt + valueLen), size);
  return out;
}

/** The NLRI value alone (components, no length prefix). Throws FlowSpecEncodeError. */
export function encodeFlowSpecComponents(match: FlowSpecMatch): Uint8Array {
  const n = encodeValue(match, scratch, 0, MAX_NLRI_LENGTH);
  return scratch.slice(0, n);
}

/** RFC 8955 §4.1 NLRI: length prefix + components. Throws FlowSpecEncodeError for a match validateFlowSpec rejects. */
export function encodeFlowSpecNlri(match: FlowSpecMatch): Uint8Array {
  return finish(0, encodeValue(match, scratch, 0, MAX_NLRI_LENGTH));
}

/** encodeFlowSpecNlri that returns the error instead of throwing. */
export function tryEncodeFlowSpecNlri(match: FlowSpecMatch): Uint8Array | FlowSpecEncodeError {
  try {
    return encodeFlowSpecNlri(match);
  } catch (e) {
    if (e instanceof FlowSpecEncodeError) return e;
    throw e;
  }
}

/** RFC 8955 §8 VPN FlowSpec NLRI (SAFI 134): length + 8-octet route distinguisher + components. */
export function encodeVpnFlowSpecNlri(rd: string, match: FlowSpecMatch): Uint8Array {
  const rdBytes = encodeRouteDistinguisher(rd);
  if (typeof rdBytes === 'string') fail('rd-invalid', `route distinguisher: ${rdBytes}`);
  scratch.set(rdBytes, 0);
  const n = encodeValue(match, scratch, 8, MAX_NLRI_LENGTH);
  return finish(0, 8 + n);
}

// ---------------------------------------------------------------- decoding

/** One decoded NLRI; `length` counts every octet including the length prefix. */
export interface DecodedFlowSpecNlri {
  readonly match: FlowSpecMatch;
  readonly length: number;
}

export interface DecodedVpnFlowSpecNlri extends DecodedFlowSpecNlri {
  /** Route distinguisher text (rd.ts forms). */
  readonly rd: string;
}

function err(
  error: FlowSpecWireErrorCode,
  message: string,
  offset: number,
  nlriLength?: number,
): FlowSpecError {
  return nlriLength === undefined
    ? { error, message, offset, action: 'afi-safi-disable' }
    : { error, message, offset, action: 'treat-as-withdraw', nlriLength };
}

interface Frame {
  readonly start: number; // first value octet
  readonly end: number; // one past the last value octet
  readonly total: number; // octets including the length prefix
}

/** RFC 8955 §4.1 length prefix. Lengths below 240 may also arrive in the 2-octet form; both are accepted. */
function readFrame(buf: Uint8Array, offset: number, endArg: number): Frame | FlowSpecError {
  // Never read past the buffer whatever the caller's bounds say.
  const end = Math.min(endArg, buf.length);
  if (!Number.isInteger(offset) || offset < 0 || offset >= end)
    return err('length-truncated', 'NLRI length octet missing', offset);
  const b0 = buf[offset] as number;
  let len: number;
  let head: number;
  if ((b0 & 0xf0) === 0xf0) {
    if (offset + 1 >= end)
      return err('length-truncated', 'second octet of a 0xfnnn NLRI length missing', offset);
    len = ((b0 & 0x0f) << 8) | (buf[offset + 1] as number);
    head = 2;
  } else {
    len = b0;
    head = 1;
  }
  if (offset + head + len > end) {
    return err(
      'length-exceeds-field',
      `NLRI length ${len} runs past the end of the field (${end - offset - head} octets left)`,
      offset,
    );
  }
  return { start: offset + head, end: offset + head + len, total: head + len };
}

function readValue(buf: Uint8Array, at: number, width: ValueWidth): number {
  let v = 0;
  for (let i = 0; i < width; i++) v = v * 256 + (buf[at + i] as number);
  return v;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Decodes the components in buf[start..end) (one NLRI value). */
function decodeValue(
  buf: Uint8Array,
  start: number,
  end: number,
  family: Family,
  total: number,
): FlowSpecMatch | FlowSpecError {
  if (start === end)
    return err('empty-nlri', 'NLRI has no components (RFC 8955 §4.2 needs one or more)', start, total);
  const m: Mutable<FlowSpecMatch> = { family };
  let p = start;
  let last = 0;
  while (p < end) {
    const code = buf[p] as number;
    const c = componentByCode(code, family);
    if (c === undefined)
      return err('unknown-component', `unknown IPv${family} FlowSpec component type ${code}`, p, total);
    if (code === last) return err('duplicate-component', `component type ${code} appears twice`, p, total);
    if (code < last)
      return err('component-out-of-order', `component type ${code} after type ${last}`, p, total);
    last = code;
    p++;
    if (c.kind === 'prefix') {
      const head = family === 4 ? 1 : 2;
      if (p + head > end) return err('component-truncated', `${c.name}: prefix length missing`, p, total);
      const length = buf[p] as number;
      const offset = family === 6 ? (buf[p + 1] as number) : 0;
      const bits = family === 4 ? 32 : 128;
      if (length > bits)
        return err('prefix-length-invalid', `${c.name}: length ${length} over ${bits}`, p, total);
      // RFC 8956 §3.1: length 0 with offset 0 matches everything; otherwise offset < length.
      if (offset !== 0 && offset >= length) {
        return err(
          'prefix-offset-invalid',
          `${c.name}: offset ${offset} not below length ${length}`,
          p + 1,
          total,
        );
      }
      const n = patternBytes(length, offset);
      if (p + head + n > end)
        return err('component-truncated', `${c.name}: ${n} prefix octets do not fit`, p, total);
      const bytes = readPattern(family, buf, p + head, length, offset);
      (m as Record<string, unknown>)[c.key] = prefixFromValue(family, bytes, length, offset);
      p += head + n;
      continue;
    }
    const terms: (NumericTerm | BitmaskTerm)[] = [];
    for (;;) {
      if (p >= end)
        return err('missing-end-of-list', `${c.name}: NLRI ends before the end-of-list bit`, p, total);
      const op = buf[p] as number;
      const w = WIDTH_OF_CODE[(op >>> 4) & 3] as ValueWidth;
      if (!c.widths.includes(w)) {
        return err(
          'value-width-not-allowed',
          `${c.name}: ${w}-octet value, allowed ${c.widths.join('/')}`,
          p,
          total,
        );
      }
      if (p + 1 + w > end)
        return err('component-truncated', `${c.name}: ${w}-octet value does not fit`, p, total);
      const value = readValue(buf, p + 1, w);
      // The AND bit of the first term is treated as unset (RFC 8955 §4.2.1.1); reserved bits are ignored.
      const and = terms.length > 0 && (op & OP_AND) !== 0;
      terms.push(
        c.kind === 'numeric'
          ? { and, lt: (op & OP_LT) !== 0, gt: (op & OP_GT) !== 0, eq: (op & OP_EQ) !== 0, value }
          : { and, not: (op & OP_NOT) !== 0, match: (op & OP_MATCH) !== 0, value },
      );
      p += 1 + w;
      if ((op & OP_END) !== 0) break;
    }
    (m as Record<string, unknown>)[c.key] = terms;
  }
  return m;
}

/** Decodes one FlowSpec NLRI at buf[offset..] (RFC 8955 §4). Never throws. */
export function decodeFlowSpecNlri(
  buf: Uint8Array,
  offset: number,
  family: Family,
  end: number = buf.length,
): DecodedFlowSpecNlri | FlowSpecError {
  const f = readFrame(buf, offset, end);
  if ('error' in f) return f;
  const match = decodeValue(buf, f.start, f.end, family, f.total);
  if ('error' in match) return match;
  return { match, length: f.total };
}

/** Decodes one VPN FlowSpec NLRI (RFC 8955 §8): length, route distinguisher, components. Never throws. */
export function decodeVpnFlowSpecNlri(
  buf: Uint8Array,
  offset: number,
  family: Family,
  end: number = buf.length,
): DecodedVpnFlowSpecNlri | FlowSpecError {
  const f = readFrame(buf, offset, end);
  if ('error' in f) return f;
  if (f.end - f.start < 8)
    return err(
      'rd-truncated',
      `VPN FlowSpec NLRI of ${f.end - f.start} octets has no room for its route distinguisher`,
      f.start,
      f.total,
    );
  const rd = decodeRouteDistinguisher(buf, f.start);
  const match = decodeValue(buf, f.start + 8, f.end, family, f.total);
  if ('error' in match) return match;
  return { rd, match, length: f.total };
}

/**
 * A whole MP_REACH/MP_UNREACH NLRI field. `matches` holds every NLRI that decoded; `error` is the
 * first problem. With action 'treat-as-withdraw' the field was walked to its end (every NLRI's extent
 * known), so the caller can withdraw `matches`; with 'afi-safi-disable' the walk stopped there.
 */
export interface FlowSpecNlriField {
  readonly matches: readonly FlowSpecMatch[];
  readonly error?: FlowSpecError;
}

export interface VpnFlowSpecNlriField {
  readonly routes: readonly { readonly rd: string; readonly match: FlowSpecMatch }[];
  readonly error?: FlowSpecError;
}

/** Decodes every FlowSpec NLRI in buf[offset..end). Never throws. */
export function decodeFlowSpecNlris(
  buf: Uint8Array,
  family: Family,
  offset = 0,
  end: number = buf.length,
): FlowSpecNlriField {
  const matches: FlowSpecMatch[] = [];
  let first: FlowSpecError | undefined;
  let p = offset;
  end = Math.min(end, buf.length);
  while (p < end) {
    const r = decodeFlowSpecNlri(buf, p, family, end);
    if ('error' in r) {
      first ??= r;
      if (r.nlriLength === undefined) return { matches, error: first };
      p += r.nlriLength;
      continue;
    }
    matches.push(r.match);
    p += r.length;
  }
  return first === undefined ? { matches } : { matches, error: first };
}

/** Decodes every VPN FlowSpec NLRI in buf[offset..end). Never throws. */
export function decodeVpnFlowSpecNlris(
  buf: Uint8Array,
  family: Family,
  offset = 0,
  end: number = buf.length,
): VpnFlowSpecNlriField {
  const routes: { rd: string; match: FlowSpecMatch }[] = [];
  let first: FlowSpecError | undefined;
  let p = offset;
  end = Math.min(end, buf.length);
  while (p < end) {
    const r = decodeVpnFlowSpecNlri(buf, p, family, end);
    if ('error' in r) {
      first ??= r;
      if (r.nlriLength === undefined) return { routes, error: first };
      p += r.nlriLength;
      continue;
    }
    routes.push({ rd: r.rd, match: r.match });
    p += r.length;
  }
  return first === undefined ? { routes } : { routes, error: first };
}
