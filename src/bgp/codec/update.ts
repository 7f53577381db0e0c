// UPDATE message (RFC 4271 §4.3) with RFC 7606 error handling and End-of-RIB markers (RFC 4724 §2).
import { u16, Writer } from './bytes.js';
import { Afi, MessageType, Safi } from './constants.js';
import { bgpError, ErrorCode, UpdateSubcode, type BgpError, type BgpResult } from './errors.js';
import { frame } from './header.js';
import {
  decodeAttributes,
  encodeAttributes,
  missingMandatory,
  type AttributeIssue,
  type CodecContext,
  type PathAttributes,
} from './attributes/index.js';
import { splitPrefixes } from './nlri.js';

export interface UpdateMessage {
  /** IPv4 unicast withdrawn routes, each as NLRI wire bytes. */
  readonly withdrawn: readonly Uint8Array[];
  readonly attributes: PathAttributes;
  /** IPv4 unicast NLRI, each as wire bytes. */
  readonly nlri: readonly Uint8Array[];
}

export interface DecodedUpdate {
  readonly update: UpdateMessage;
  readonly issues: readonly AttributeIssue[];
  /** RFC 7606 §2: handle every NLRI of this UPDATE (NLRI field and MP_REACH) as withdrawn. */
  readonly treatAsWithdraw: boolean;
  /** End-of-RIB marker for this family, if the UPDATE is one. */
  readonly endOfRib?: { readonly afi: number; readonly safi: number };
}

export function encodeUpdate(u: Partial<UpdateMessage>, ctx: CodecContext): Uint8Array {
  const w = new Writer(256);
  const withdrawnLenAt = w.length;
  w.u16(0);
  let n = 0;
  for (const p of u.withdrawn ?? []) {
    w.bytes(p);
    n += p.length;
  }
  w.patchU16(withdrawnLenAt, n);
  const attrs = u.attributes ? encodeAttributes(u.attributes, ctx) : new Uint8Array(0);
  w.u16(attrs.length).bytes(attrs);
  for (const p of u.nlri ?? []) w.bytes(p);
  return frame(MessageType.UPDATE, w.finish());
}

/** End-of-RIB: empty UPDATE for IPv4 unicast, else an MP_UNREACH with no NLRI (RFC 4724 §2). */
export function encodeEndOfRib(afi: number, safi: number, ctx: CodecContext): Uint8Array {
  if (afi === Afi.IPV4 && safi === Safi.UNICAST) return encodeUpdate({}, ctx);
  return encodeUpdate({ attributes: { mpUnreach: { afi, safi, nlri: [] } } }, ctx);
}

export function decodeUpdate(body: Uint8Array, ctx: CodecContext): BgpResult<DecodedUpdate> | BgpError {
  if (body.length < 4)
    return bgpError(
      ErrorCode.UPDATE_MESSAGE,
      UpdateSubcode.MALFORMED_ATTRIBUTE_LIST,
      'UPDATE body shorter than 4 bytes',
    );
  const wLen = u16(body, 0);
  if (2 + wLen + 2 > body.length) {
    return bgpError(
      ErrorCode.UPDATE_MESSAGE,
      UpdateSubcode.MALFORMED_ATTRIBUTE_LIST,
      `withdrawn routes length ${wLen} runs past the message`,
    );
  }
  const aLen = u16(body, 2 + wLen);
  const aStart = 4 + wLen;
  if (aStart + aLen > body.length) {
    // RFC 7606 §4: Total Attribute Length inconsistent with the message: session reset.
    return bgpError(
      ErrorCode.UPDATE_MESSAGE,
      UpdateSubcode.MALFORMED_ATTRIBUTE_LIST,
      `path attribute length ${aLen} runs past the message`,
    );
  }
  const withdrawn = splitPrefixes(body.subarray(2, 2 + wLen), 4);
  if (!withdrawn.ok) return withdrawn;
  const nlri = splitPrefixes(body.subarray(aStart + aLen), 4);
  if (!nlri.ok) return nlri;
  const attrs = decodeAttributes(body.subarray(aStart, aStart + aLen), ctx);
  if (!attrs.ok) return attrs;

  const a = attrs.value.attributes;
  const issues = [...attrs.value.issues];
  let treatAsWithdraw = attrs.value.treatAsWithdraw;
  const announces = nlri.value.length > 0 || (a.mpReach !== undefined && a.mpReach.nlri.length > 0);
  if (announces && !treatAsWithdraw) {
    // RFC 7606 §3 (d): a missing well-known mandatory attribute → treat-as-withdraw.
    const missing = missingMandatory(a, nlri.value.length > 0);
    if (missing !== undefined) {
      issues.push({
        type: missing,
        error: bgpError(
          ErrorCode.UPDATE_MESSAGE,
          UpdateSubcode.MISSING_WELL_KNOWN,
          `missing well-known attribute ${missing}`,
          'treat-as-withdraw',
          Uint8Array.of(missing),
        ),
      });
      treatAsWithdraw = true;
    }
  }

  let endOfRib: DecodedUpdate['endOfRib'];
  if (wLen === 0 && aLen === 0 && nlri.value.length === 0) endOfRib = { afi: Afi.IPV4, safi: Safi.UNICAST };
  else if (
    wLen === 0 &&
    nlri.value.length === 0 &&
    a.mpUnreach &&
    a.mpUnreach.nlri.length === 0 &&
    !a.mpReach &&
    a.origin === undefined &&
    a.asPath === undefined
  ) {
    endOfRib = { afi: a.mpUnreach.afi, safi: a.mpUnreach.safi };
  }

  const update: UpdateMessage = { withdrawn: withdrawn.value, attributes: a, nlri: nlri.value };
  return {
    ok: true,
    value: endOfRib ? { update, issues, treatAsWithdraw, endOfRib } : { update, issues, treatAsWithdraw },
  };
}
