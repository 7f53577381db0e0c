// BGP community values as the daemon adapters render them: RFC 1997 standard communities ("65535:666",
// well-known names), RFC 8092 large communities ("65000:1:2"), and the RFC 7999 RTBH set.
import { RenderError } from './errors.js';

export interface StandardCommunity {
  readonly asn: number; // high 16 bits
  readonly value: number; // low 16 bits
}

export interface LargeCommunity {
  readonly globalAdmin: number;
  readonly localData1: number;
  readonly localData2: number;
}

/** RFC 7999 §5 BLACKHOLE. */
export const BLACKHOLE: StandardCommunity = { asn: 65535, value: 666 };
/** RFC 1997 NO_EXPORT. */
export const NO_EXPORT: StandardCommunity = { asn: 65535, value: 65281 };

const WELL_KNOWN: Readonly<Record<string, StandardCommunity>> = {
  blackhole: BLACKHOLE,
  'no-export': NO_EXPORT,
  'no-advertise': { asn: 65535, value: 65282 },
  'no-export-subconfed': { asn: 65535, value: 65283 },
  'graceful-shutdown': { asn: 65535, value: 0 },
  'accept-own': { asn: 65535, value: 1 },
  'no-peer': { asn: 65535, value: 65284 },
};

function uint(text: string, max: number, what: string, whole: string): number {
  if (!/^\d{1,10}$/.test(text))
    throw new RenderError('bad-community', `${what} "${text}" in "${whole}" is not a number`);
  const n = Number(text);
  if (n > max) throw new RenderError('bad-community', `${what} ${n} in "${whole}" exceeds ${max}`);
  return n;
}

export function parseStandardCommunity(text: string): StandardCommunity {
  const known = WELL_KNOWN[text.toLowerCase()];
  if (known) return known;
  const parts = text.split(':');
  if (parts.length !== 2)
    throw new RenderError('bad-community', `"${text}" is not a standard community (asn:value)`);
  return {
    asn: uint(parts[0] ?? '', 0xffff, 'ASN', text),
    value: uint(parts[1] ?? '', 0xffff, 'value', text),
  };
}

export function parseLargeCommunity(text: string): LargeCommunity {
  const parts = text.split(':');
  if (parts.length !== 3)
    throw new RenderError('bad-community', `"${text}" is not a large community (a:b:c)`);
  return {
    globalAdmin: uint(parts[0] ?? '', 0xffffffff, 'global admin', text),
    localData1: uint(parts[1] ?? '', 0xffffffff, 'local data 1', text),
    localData2: uint(parts[2] ?? '', 0xffffffff, 'local data 2', text),
  };
}

export const standardText = (c: StandardCommunity): string => `${c.asn}:${c.value}`;
export const largeText = (c: LargeCommunity): string => `${c.globalAdmin}:${c.localData1}:${c.localData2}`;
/** The 32-bit wire value of a standard community (RFC 1997 §4: high 16 bits ASN). */
export const standardUint32 = (c: StandardCommunity): number => c.asn * 65536 + c.value;

export interface CommunitySet {
  readonly standard: readonly StandardCommunity[];
  readonly large: readonly LargeCommunity[];
}

export interface RtbhCommunityOptions {
  /** Add NO_EXPORT (RFC 7999 §3.2 recommends it so the blackhole stays in the neighbouring AS). */
  readonly noExport: boolean;
  readonly extraCommunities: readonly string[];
  readonly extraLargeCommunities: readonly string[];
}

function dedupe<T>(items: readonly T[], key: (t: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((t) => {
    const k = key(t);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * Communities of an RTBH announcement: BLACKHOLE (RFC 7999), NO_EXPORT when configured, then the rule's
 * own and the adapter's extra communities, in that order, without duplicates.
 */
export function rtbhCommunities(
  rule: { readonly communities?: readonly string[]; readonly largeCommunities?: readonly string[] },
  opts: RtbhCommunityOptions,
): CommunitySet {
  const standard = [
    BLACKHOLE,
    ...(opts.noExport ? [NO_EXPORT] : []),
    ...(rule.communities ?? []).map(parseStandardCommunity),
    ...opts.extraCommunities.map(parseStandardCommunity),
  ];
  const large = [...(rule.largeCommunities ?? []), ...opts.extraLargeCommunities].map(parseLargeCommunity);
  return { standard: dedupe(standard, standardText), large: dedupe(large, largeText) };
}

/** Communities attached to a FlowSpec announcement: only what the rule itself carries. */
export function flowSpecCommunities(rule: {
  readonly communities?: readonly string[];
  readonly largeCommunities?: readonly string[];
}): CommunitySet {
  return {
    standard: dedupe((rule.communities ?? []).map(parseStandardCommunity), standardText),
    large: dedupe((rule.largeCommunities ?? []).map(parseLargeCommunity), largeText),
  };
}
