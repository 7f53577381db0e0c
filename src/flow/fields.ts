// Information elements that floodgate reads from NetFlow v9 (RFC 3954 §8) and IPFIX (RFC 7012, IANA IPFIX
// registry) records, compiled once per template into an operation per field. Anything else is skipped by length;
// enterprise-specific elements (RFC 7011 §3.2, E bit) are always skipped.
import { compileWriter } from './codegen.js';
import { OP, type FieldOp } from './ops.js';
import { internShape } from './shapes.js';
import { VARIABLE_LENGTH, type Template, type TemplateField, type TemplateShape } from './templates.js';

export { OP, type FieldOp } from './ops.js';

/** IE id → [op, allowed lengths (empty = any unsigned 1..8)]. Ids are shared by v9 and IPFIX up to 127. */
const IE: Record<number, [FieldOp, number[]]> = {
  1: [OP.BYTES, []], // octetDeltaCount / IN_BYTES
  2: [OP.PKTS, []], // packetDeltaCount / IN_PKTS
  4: [OP.PROTO, [1]],
  5: [OP.TOS, [1]],
  6: [OP.TCP_FLAGS, [1, 2]], // tcpControlBits (2 octets per RFC 7125)
  7: [OP.SPORT, [2]],
  8: [OP.SRC4, [4]],
  10: [OP.IN_IF, []],
  11: [OP.DPORT, [2]],
  12: [OP.DST4, [4]],
  14: [OP.OUT_IF, []],
  16: [OP.SRC_AS, [2, 4]], // bgpSourceAsNumber / SRC_AS
  17: [OP.DST_AS, [2, 4]],
  21: [OP.END_UPTIME, [4]], // LAST_SWITCHED / flowEndSysUpTime
  22: [OP.START_UPTIME, [4]], // FIRST_SWITCHED / flowStartSysUpTime
  27: [OP.SRC6, [16]],
  28: [OP.DST6, [16]],
  32: [OP.ICMP_TYPECODE, [2]], // icmpTypeCodeIPv4 (type * 256 + code)
  34: [OP.SAMPLING_INTERVAL, []], // samplingInterval / SAMPLING_INTERVAL
  48: [OP.SAMPLER_ID, []], // samplerId / FLOW_SAMPLER_ID
  50: [OP.SAMPLER_RANDOM_INTERVAL, []], // samplerRandomInterval / FLOW_SAMPLER_RANDOM_INTERVAL
  58: [OP.VLAN, [2]], // vlanId / SRC_VLAN
  85: [OP.BYTES_TOTAL, []],
  86: [OP.PKTS_TOTAL, []],
  88: [OP.FRAG_OFFSET, [2]],
  139: [OP.ICMP_TYPECODE, [2]], // icmpTypeCodeIPv6
  150: [OP.START_S, [4]],
  151: [OP.END_S, [4]],
  152: [OP.START_MS, [8]],
  153: [OP.END_MS, [8]],
  154: [OP.START_US, [8]],
  155: [OP.END_US, [8]],
  156: [OP.START_NS, [8]],
  157: [OP.END_NS, [8]],
  158: [OP.START_DELTA_US, [4]],
  159: [OP.END_DELTA_US, [4]],
  160: [OP.SYSTEM_INIT_MS, [8]],
  176: [OP.ICMP_TYPE, [1]], // icmpTypeIPv4
  177: [OP.ICMP_CODE, [1]],
  178: [OP.ICMP_TYPE, [1]], // icmpTypeIPv6
  179: [OP.ICMP_CODE, [1]],
  197: [OP.FRAG_FLAGS, [1]],
  302: [OP.SAMPLER_ID, []], // selectorId
  305: [OP.PACKET_INTERVAL, []], // samplingPacketInterval
  306: [OP.PACKET_SPACE, []], // samplingPacketSpace
  309: [OP.SAMPLING_SIZE, []],
  310: [OP.SAMPLING_POPULATION, []],
};

function opFor(f: TemplateField, v9Scope: boolean): FieldOp {
  // v9 scope field types (RFC 3954 §6.1: 1 System, 2 Interface, ...) are a separate numbering space
  if (f.enterprise !== 0 || v9Scope || f.length === VARIABLE_LENGTH) return OP.SKIP;
  const e = IE[f.id];
  if (!e) return OP.SKIP;
  const [op, lengths] = e;
  if (lengths.length === 0) return f.length >= 1 && f.length <= 8 ? op : OP.SKIP;
  return lengths.includes(f.length) ? op : OP.SKIP;
}

/** Cache key of a field list: every property the compiled shape depends on, two octets per char. */
function shapeKey(fields: readonly TemplateField[], options: boolean, v9: boolean): string {
  const codes: number[] = [(options ? 1 : 0) | (v9 ? 2 : 0)];
  for (const f of fields)
    codes.push(f.id, f.length, f.enterprise >>> 16, f.enterprise & 0xffff, f.scope ? 1 : 0);
  let out = '';
  // chunked: String.fromCharCode takes its arguments on the stack
  for (let k = 0; k < codes.length; k += 4096) out += String.fromCharCode(...codes.slice(k, k + 4096));
  return out;
}

function buildShape(
  fields: readonly TemplateField[],
  options: boolean,
  v9: boolean,
): TemplateShape | undefined {
  let min = 0;
  let variable = false;
  const ops = new Uint8Array(fields.length);
  const lengths = new Uint16Array(fields.length);
  for (let k = 0; k < fields.length; k++) {
    const f = fields[k]!;
    if (f.length === VARIABLE_LENGTH) {
      variable = true;
      min += 1;
    } else min += f.length;
    lengths[k] = f.length;
    ops[k] = opFor(f, v9 && f.scope);
  }
  if (min === 0) return undefined;
  const shape: TemplateShape = { options, lengths, ops, minLength: min, variable };
  if (!variable && !options) shape.writer = compileWriter(shape);
  return shape;
}

/** Octets of the (options) template record on the wire: header, then 4 per field (+4 for a PEN, RFC 7011 §3.2). */
export function templateWireBytes(fields: readonly TemplateField[], options: boolean): number {
  let n = options ? 6 : 4;
  for (const f of fields) n += f.enterprise !== 0 ? 8 : 4;
  return n;
}

/** Builds a template, or undefined if it can never yield a record (no octets at all). */
export function compileTemplate(
  id: number,
  fields: readonly TemplateField[],
  options: boolean,
  v9: boolean,
): Template | undefined {
  const shape = internShape(shapeKey(fields, options, v9), () => buildShape(fields, options, v9));
  if (!shape) return undefined;
  // one small object per template instance; the shape (field arrays, generated decoder) is shared
  return { ...shape, id, wireBytes: templateWireBytes(fields, options) };
}
