// Typed FlowSpec errors: what wire decoding returns (never throws), what encoding throws for a match
// the validator would reject, and what the text parser returns. Wire errors carry the RFC 7606 action
// (RFC 8955 §4.2 + §10: a malformed FlowSpec NLRI is handled per RFC 7606 §5.3).

/**
 * The RFC 7606 §2 error-handling approaches, declared once: the BGP codec's errors (src/bgp/codec/errors.ts)
 * carry any of them, a FlowSpec NLRI error one of the two below.
 */
export type Rfc7606Action = 'session-reset' | 'afi-safi-disable' | 'treat-as-withdraw' | 'attribute-discard';

/**
 * RFC 7606 action for a malformed FlowSpec NLRI.
 * - 'treat-as-withdraw': the NLRI's extent is known (its length prefix fits the field), so the
 *   field can still be walked and every NLRI in it withdrawn (RFC 7606 §2, §5.3).
 * - 'afi-safi-disable': the framing itself is broken, the rest of the field cannot be parsed;
 *   RFC 7606 §5.3 allows only AFI/SAFI disable (RFC 4760 §7) or, failing that, session reset.
 */
export type FlowSpecNlriAction = Extract<Rfc7606Action, 'treat-as-withdraw' | 'afi-safi-disable'>;

export type FlowSpecWireErrorCode =
  /** The 1- or 2-octet length prefix is cut off (RFC 8955 §4.1). */
  | 'length-truncated'
  /** The length prefix points past the end of the NLRI field. */
  | 'length-exceeds-field'
  /** NLRI of length 0: RFC 8955 §4.2 needs at least one component. */
  | 'empty-nlri'
  /** Component type not defined for this family (RFC 8955 §4.2: unknown type = malformed). */
  | 'unknown-component'
  /** Component type lower than the previous one (RFC 8955 §4.2 strict increasing order). */
  | 'component-out-of-order'
  /** Component type repeated (RFC 8955 §4.2: at most once). */
  | 'duplicate-component'
  /** A component runs past the end of its NLRI. */
  | 'component-truncated'
  /** The last operator of a component lacks the end-of-list bit before the NLRI ends. */
  | 'missing-end-of-list'
  /** Operator len field gives a value width the component does not allow (RFC 8955 §4.2.2, RFC 8956 §3). */
  | 'value-width-not-allowed'
  /** Prefix length over 32 (IPv4) or 128 (IPv6). */
  | 'prefix-length-invalid'
  /** IPv6 offset not below the prefix length (RFC 8956 §3.1). */
  | 'prefix-offset-invalid'
  /** VPN FlowSpec NLRI shorter than its 8-octet route distinguisher plus a component (RFC 8955 §8). */
  | 'rd-truncated';

/** A wire decoding error. Returned, never thrown. */
export interface FlowSpecError {
  readonly error: FlowSpecWireErrorCode;
  readonly message: string;
  /** Byte offset in the buffer where the problem was found. */
  readonly offset: number;
  readonly action: FlowSpecNlriAction;
  /** Bytes of the whole NLRI including its length prefix, when its extent is known. */
  readonly nlriLength?: number;
}

export function isFlowSpecError(x: unknown): x is FlowSpecError {
  return typeof x === 'object' && x !== null && 'error' in x && 'action' in x;
}

export type FlowSpecEncodeErrorCode =
  | 'empty-match'
  | 'empty-component'
  | 'component-not-in-family'
  | 'value-out-of-range'
  | 'prefix-invalid'
  | 'nlri-too-long'
  | 'rd-invalid'
  | 'action-invalid';

/**
 * Thrown by the encoders for a value that cannot be put on the wire faithfully. Run
 * validateFlowSpec first: a match it accepts always encodes.
 */
export class FlowSpecEncodeError extends Error {
  override readonly name = 'FlowSpecEncodeError';
  constructor(
    readonly code: FlowSpecEncodeErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export type FlowSpecParseErrorCode =
  | 'syntax'
  | 'unknown-keyword'
  | 'duplicate-component'
  | 'component-not-in-family'
  | 'bad-prefix'
  | 'bad-number'
  | 'bad-flag'
  | 'empty-match';

/** A text grammar error: `position` is the 0-based character index of the offending token. */
export interface FlowSpecParseError {
  readonly error: FlowSpecParseErrorCode;
  readonly message: string;
  readonly position: number;
}

export function isFlowSpecParseError(x: unknown): x is FlowSpecParseError {
  return typeof x === 'object' && x !== null && 'error' in x && 'position' in x;
}
