// Validated ROA Payloads (RFC 6811 §2): the (prefix, maxLength, origin AS) triples that route origin
// validation reads, whichever way they arrived (RTR cache, rpki-client / Routinator / Cloudflare JSON).
import { type Prefix, formatPrefix, parsePrefix } from '../net/prefix.js';

export interface Vrp {
  readonly prefix: Prefix;
  readonly maxLength: number;
  /** Origin AS; AS 0 (RFC 6483 §4, RFC 7607) authorises nobody. */
  readonly asn: number;
}

/** `203.0.113.0/24-24 AS64500`, the form BIRD and rpki-client print. */
export function formatVrp(v: Vrp): string {
  return `${formatPrefix(v.prefix)}-${v.maxLength} AS${v.asn}`;
}

/** Canonical key: a VRP set holds each triple once (RFC 8210 §5.6 duplicate rule). */
export function vrpKey(v: Vrp): string {
  return `${formatPrefix(v.prefix)}-${v.maxLength}-${v.asn}`;
}

export class VrpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VrpError';
  }
}

/** Checks a triple's shape: maxLength between the prefix length and the family's width, AS in 32 bits. */
export function checkVrp(prefix: Prefix, maxLength: number, asn: number): string | undefined {
  const width = prefix.family === 4 ? 32 : 128;
  if (!Number.isInteger(maxLength) || maxLength < prefix.length || maxLength > width)
    return `maxLength ${maxLength} must be between the prefix length ${prefix.length} and ${width}`;
  if (!Number.isInteger(asn) || asn < 0 || asn > 0xffffffff) return `AS ${asn} is not a 32-bit AS number`;
  return undefined;
}

/** Builds a VRP from text parts, throwing a VrpError that names what is wrong. */
export function makeVrp(prefixText: string, maxLength: number, asn: number): Vrp {
  let prefix: Prefix;
  try {
    prefix = parsePrefix(prefixText, { strict: true });
  } catch (err) {
    throw new VrpError(`prefix "${prefixText}": ${(err as Error).message}`);
  }
  const bad = checkVrp(prefix, maxLength, asn);
  if (bad) throw new VrpError(bad);
  return { prefix, maxLength, asn };
}

/** "AS64500", "as64500" or 64500 → 64500; undefined when it is neither. */
export function parseAsn(value: unknown): number | undefined {
  if (typeof value === 'number')
    return Number.isInteger(value) && value >= 0 && value <= 0xffffffff ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = /^(?:AS)?(\d{1,10})$/i.exec(value.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  return n <= 0xffffffff ? n : undefined;
}
