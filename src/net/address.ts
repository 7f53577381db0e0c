// IPv4/IPv6 address values: strict text parsing (RFC 4291 §2.2, RFC 791 dotted quad without
// leading zeros), RFC 5952 canonical text output, and the FlowBatch 4×uint32 word layout.

export type Family = 4 | 6;

/** An IP address as a compact value: 4 or 16 bytes in network order. Treat as immutable. */
export interface IpAddress {
  readonly family: Family;
  readonly bytes: Uint8Array;
}

/** Thrown for text that is not an address or prefix; `input` is the offending text, `reason` what is wrong. */
export class NetParseError extends Error {
  override readonly name = 'NetParseError';
  constructor(
    readonly input: string,
    readonly reason: string,
  ) {
    super(`invalid IP ${JSON.stringify(input)}: ${reason}`);
  }
}

export function familyBits(family: Family): 32 | 128 {
  return family === 4 ? 32 : 128;
}

export function familyBytes(family: Family): 4 | 16 {
  return family === 4 ? 4 : 16;
}

/** Builds an address from 4 or 16 bytes (copied). */
export function ipFromBytes(bytes: ArrayLike<number>): IpAddress {
  if (bytes.length === 4) return { family: 4, bytes: Uint8Array.from(bytes) };
  if (bytes.length === 16) return { family: 6, bytes: Uint8Array.from(bytes) };
  throw new RangeError(`an IP address has 4 or 16 bytes, got ${bytes.length}`);
}

const DEC = /^[0-9]{1,3}$/;
const HEX = /^[0-9a-fA-F]{1,4}$/;

function parseDottedQuad(input: string, text: string, out: Uint8Array, at: number): void {
  const parts = text.split('.');
  if (parts.length !== 4)
    throw new NetParseError(input, `dotted quad ${JSON.stringify(text)} needs 4 parts, has ${parts.length}`);
  for (let i = 0; i < 4; i++) {
    const p = parts[i] as string;
    if (p === '') throw new NetParseError(input, `empty part ${i + 1} in dotted quad`);
    if (!DEC.test(p))
      throw new NetParseError(input, `part ${JSON.stringify(p)} is not a decimal number of 1-3 digits`);
    // A leading zero means octal to inet_aton and decimal to others: refuse the ambiguity.
    if (p.length > 1 && p[0] === '0')
      throw new NetParseError(input, `part ${JSON.stringify(p)} has a leading zero`);
    const v = Number(p);
    if (v > 255) throw new NetParseError(input, `part ${p} is out of range 0-255`);
    out[at + i] = v;
  }
}

function parseV6(input: string): Uint8Array {
  const out = new Uint8Array(16);
  const dc = input.indexOf('::');
  if (dc >= 0 && input.indexOf('::', dc + 1) >= 0)
    throw new NetParseError(input, "'::' may appear only once");
  const splitGroups = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const head = dc >= 0 ? splitGroups(input.slice(0, dc)) : splitGroups(input);
  const tail = dc >= 0 ? splitGroups(input.slice(dc + 2)) : [];
  // Groups as 16-bit values; an embedded dotted quad (only as the very last group, RFC 4291 §2.2 form 3) counts twice.
  const words: number[] = [];
  const all = [...head, ...tail];
  const lastIdx = all.length - 1;
  const v4Allowed = dc < 0 || tail.length > 0;
  for (let i = 0; i < all.length; i++) {
    const g = all[i] as string;
    if (g === '') throw new NetParseError(input, 'empty group (single ":" at start or end, or ":::")');
    if (g.includes('.')) {
      if (i !== lastIdx || !v4Allowed)
        throw new NetParseError(input, 'an embedded IPv4 address must be the last part');
      const q = new Uint8Array(4);
      parseDottedQuad(input, g, q, 0);
      words.push(((q[0] as number) << 8) | (q[1] as number), ((q[2] as number) << 8) | (q[3] as number));
      continue;
    }
    if (!HEX.test(g)) {
      throw new NetParseError(input, `group ${JSON.stringify(g)} is not 1-4 hexadecimal digits`);
    }
    words.push(parseInt(g, 16));
  }
  const headWords = dc >= 0 ? head.length : words.length;
  if (dc < 0) {
    if (words.length !== 8)
      throw new NetParseError(input, `needs 8 groups without '::', has ${words.length}`);
  } else if (words.length > 7) {
    throw new NetParseError(
      input,
      `'::' must stand for at least one zero group, but ${words.length} groups are given`,
    );
  }
  const tailStart = 8 - (words.length - headWords);
  for (let i = 0; i < words.length; i++) {
    const pos = i < headWords ? i : tailStart + (i - headWords);
    const w = words[i] as number;
    out[pos * 2] = w >>> 8;
    out[pos * 2 + 1] = w & 0xff;
  }
  return out;
}

/** Parses an IPv4 dotted quad or an IPv6 text form (RFC 4291 §2.2). Throws NetParseError. */
export function parseIp(text: string): IpAddress {
  if (typeof text !== 'string') throw new NetParseError(String(text), 'not a string');
  if (text === '') throw new NetParseError(text, 'empty string');
  if (text.trim() !== text) throw new NetParseError(text, 'leading or trailing whitespace');
  if (text.includes('%')) throw new NetParseError(text, 'zone identifiers (%…) are not accepted');
  if (text.includes('/'))
    throw new NetParseError(text, 'has a prefix length; this is an address, not a prefix');
  if (text.includes(':')) return { family: 6, bytes: parseV6(text) };
  const bytes = new Uint8Array(4);
  parseDottedQuad(text, text, bytes, 0);
  return { family: 4, bytes };
}

/** parseIp that returns undefined instead of throwing. */
export function tryParseIp(text: string): IpAddress | undefined {
  try {
    return parseIp(text);
  } catch (e) {
    if (e instanceof NetParseError) return undefined;
    throw e;
  }
}

function formatV4(b: Uint8Array, at: number): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

function isV4Mapped(b: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

/**
 * RFC 5952 canonical text: lowercase hex, no leading zeros (§4.1), the longest run of two or more
 * zero groups compressed, the first one on a tie (§4.2), and IPv4-mapped addresses in mixed
 * notation `::ffff:a.b.c.d` (§5).
 */
export function formatIp(addr: IpAddress): string {
  const b = addr.bytes;
  if (addr.family === 4) return formatV4(b, 0);
  if (isV4Mapped(b)) return `::ffff:${formatV4(b, 12)}`;
  const w: number[] = [];
  for (let i = 0; i < 8; i++) w.push(((b[i * 2] as number) << 8) | (b[i * 2 + 1] as number));
  let bestStart = -1;
  let bestLen = 1; // a single zero group is never compressed (§4.2.2)
  for (let i = 0; i < 8;) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (xs: number[]): string => xs.map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return hex(w);
  return `${hex(w.slice(0, bestStart))}::${hex(w.slice(bestStart + bestLen))}`;
}

/** Text of 4 or 16 address bytes as they come off the wire (RangeError for any other length). */
export function formatIpBytes(bytes: Uint8Array): string {
  return formatIp(ipFromBytes(bytes));
}

export function ipEquals(a: IpAddress, b: IpAddress): boolean {
  if (a.family !== b.family) return false;
  for (let i = 0; i < a.bytes.length; i++) if (a.bytes[i] !== b.bytes[i]) return false;
  return true;
}

/** Orders IPv4 before IPv6, then by address bytes. */
export function compareIp(a: IpAddress, b: IpAddress): number {
  if (a.family !== b.family) return a.family - b.family;
  for (let i = 0; i < a.bytes.length; i++) {
    const d = (a.bytes[i] as number) - (b.bytes[i] as number);
    if (d !== 0) return d;
  }
  return 0;
}

/** The IPv4 address as an unsigned 32-bit number. */
export function ipv4ToUint32(addr: IpAddress): number {
  if (addr.family !== 4) throw new TypeError(`ipv4ToUint32 needs an IPv4 address, got ${formatIp(addr)}`);
  const b = addr.bytes;
  return (
    (((b[0] as number) << 24) | ((b[1] as number) << 16) | ((b[2] as number) << 8) | (b[3] as number)) >>> 0
  );
}

export function uint32ToIpv4(n: number): IpAddress {
  const v = n >>> 0;
  return { family: 4, bytes: Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff) };
}

export function uint32ToIpv4String(n: number): string {
  const v = n >>> 0;
  return `${v >>> 24}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}`;
}

/**
 * Writes the address as 4 uint32 words at out[offset..offset+3] (FlowBatch layout): word k holds
 * bytes 4k..4k+3 big-endian; IPv4 uses word 0 and zeroes the other three.
 */
export function ipToWords(addr: IpAddress, out: Uint32Array, offset: number): void {
  const b = addr.bytes;
  const n = addr.family === 4 ? 1 : 4;
  for (let k = 0; k < 4; k++) {
    out[offset + k] =
      k < n
        ? (((b[k * 4] as number) << 24) |
            ((b[k * 4 + 1] as number) << 16) |
            ((b[k * 4 + 2] as number) << 8) |
            (b[k * 4 + 3] as number)) >>>
          0
        : 0;
  }
}

/** Reads an address stored in the FlowBatch word layout. */
export function ipFromWords(family: Family, words: Uint32Array, offset: number): IpAddress {
  const n = family === 4 ? 1 : 4;
  const bytes = new Uint8Array(n * 4);
  for (let k = 0; k < n; k++) {
    const w = (words[offset + k] as number) >>> 0;
    bytes[k * 4] = w >>> 24;
    bytes[k * 4 + 1] = (w >>> 16) & 0xff;
    bytes[k * 4 + 2] = (w >>> 8) & 0xff;
    bytes[k * 4 + 3] = w & 0xff;
  }
  return { family, bytes };
}

/** Canonical text of an address stored in the FlowBatch word layout. */
export function wordsToIpString(words: Uint32Array, offset: number, family: Family): string {
  if (family === 4) return uint32ToIpv4String(words[offset] as number);
  return formatIp(ipFromWords(6, words, offset));
}
