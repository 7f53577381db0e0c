// Batching: pack many NLRIs sharing one attribute set into as few UPDATEs as fit the negotiated maximum
// message size (4096, or 65535 with RFC 8654 extended messages). IPv4 unicast uses the NLRI / withdrawn
// fields; every other family MP_REACH / MP_UNREACH (RFC 4760).
import { Afi, HEADER_LENGTH, Safi } from './constants.js';
import { encodeAttributes, type CodecContext, type PathAttributes } from './attributes/index.js';
import { encodeUpdate } from './update.js';

export interface PackInput {
  readonly afi: number;
  readonly safi: number;
  /** For MP families, the MP_REACH next hop bytes (empty for FlowSpec). */
  readonly mpNextHop?: Uint8Array;
  /** Attributes except MP_REACH/MP_UNREACH. */
  readonly attributes: PathAttributes;
  readonly nlri: readonly Uint8Array[];
}

const isV4Unicast = (afi: number, safi: number): boolean => afi === Afi.IPV4 && safi === Safi.UNICAST;

/** Greedy split of NLRIs into chunks whose total size stays ≤ budget. */
function chunk(nlri: readonly Uint8Array[], budget: number): Uint8Array[][] {
  const out: Uint8Array[][] = [];
  let cur: Uint8Array[] = [];
  let size = 0;
  for (const n of nlri) {
    if (n.length > budget)
      throw new Error(`NLRI of ${n.length} bytes does not fit an UPDATE (${budget} bytes free)`);
    if (size + n.length > budget && cur.length > 0) {
      out.push(cur);
      cur = [];
      size = 0;
    }
    cur.push(n);
    size += n.length;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

export function packAnnounce(input: PackInput, maxMessage: number, ctx: CodecContext): Uint8Array[] {
  if (input.nlri.length === 0) return [];
  const base = encodeAttributes(input.attributes, ctx).length;
  if (isV4Unicast(input.afi, input.safi)) {
    const budget = maxMessage - HEADER_LENGTH - 4 - base;
    return chunk(input.nlri, budget).map((c) => encodeUpdate({ attributes: input.attributes, nlri: c }, ctx));
  }
  const nh = input.mpNextHop ?? new Uint8Array(0);
  // MP_REACH overhead: flags+type+2-byte length (4) + afi/safi/nhlen (4) + next hop + reserved (1).
  const budget = maxMessage - HEADER_LENGTH - 4 - base - 4 - 4 - nh.length - 1;
  return chunk(input.nlri, budget).map((c) =>
    encodeUpdate(
      {
        attributes: {
          ...input.attributes,
          mpReach: { afi: input.afi, safi: input.safi, nextHop: nh, nlri: c },
        },
      },
      ctx,
    ),
  );
}

export function packWithdraw(
  afi: number,
  safi: number,
  nlri: readonly Uint8Array[],
  maxMessage: number,
  ctx: CodecContext,
): Uint8Array[] {
  if (nlri.length === 0) return [];
  if (isV4Unicast(afi, safi)) {
    return chunk(nlri, maxMessage - HEADER_LENGTH - 4).map((c) => encodeUpdate({ withdrawn: c }, ctx));
  }
  // MP_UNREACH: attribute header 4 + afi/safi 3.
  return chunk(nlri, maxMessage - HEADER_LENGTH - 4 - 4 - 3).map((c) =>
    encodeUpdate({ attributes: { mpUnreach: { afi, safi, nlri: c } } }, ctx),
  );
}
