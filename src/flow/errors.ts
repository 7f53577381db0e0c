// Typed decode errors shared by every flow decoder. Decoders never throw: they return one of these kinds and
// the caller counts it per exporter.

export const FLOW_ERROR_KINDS = [
  'truncated', // datagram, set or record shorter than its header or a length field says
  'bad-version', // version field is not the one the decoder handles
  'bad-length', // a length field is impossible (zero where forbidden, past the end, not a multiple)
  'bad-count', // record/sample count impossible for the datagram
  'unknown-format', // content matches no supported format
  'unknown-template', // NetFlow v9/IPFIX data set whose template is not (yet) known
  'bad-template', // malformed template or options template record
  'template-too-large', // more fields than flow.limits.maxTemplateFields: refused
  'template-limit', // the exporter's template count or octets bound is reached: refused
  'template-budget', // the collector-wide template count or octets bound is reached: refused
  'pending-overflow', // data-before-template queue full (per exporter or in total): a set dropped
  'bad-sample', // sFlow sample or record malformed
  'bad-address', // sFlow agent address type unknown
  'not-allowed', // exporter not in the allowlist
] as const;
export type FlowErrorKind = (typeof FLOW_ERROR_KINDS)[number];

export type ErrorCounts = Record<FlowErrorKind, number>;

export function emptyErrorCounts(): ErrorCounts {
  const c = {} as ErrorCounts;
  for (const k of FLOW_ERROR_KINDS) c[k] = 0;
  return c;
}
