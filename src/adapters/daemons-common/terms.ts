// Operator spellings for RFC 8955 §4.2.1.1 numeric terms and the wire operator byte of numeric and
// bitmask terms (§4.2.1.1/§4.2.1.2), shared by the daemon renderers.
import type { BitmaskTerm, NumericTerm } from '../../flowspec/types.js';

export type NumericOpName = 'false' | '==' | '>' | '>=' | '<' | '<=' | '!=' | 'true';

/** lt/gt/eq bits → operator (RFC 8955 §4.2.1.1 table). */
export function numericOpName(t: NumericTerm): NumericOpName {
  const bits = (t.lt ? 4 : 0) | (t.gt ? 2 : 0) | (t.eq ? 1 : 0);
  const names: readonly NumericOpName[] = ['false', '==', '>', '>=', '<', '<=', '!=', 'true'];
  return names[bits] as NumericOpName;
}

/** Operator byte without end-of-list and length bits: a (0x40) | lt (0x04) | gt (0x02) | eq (0x01). */
export function numericOpByte(t: NumericTerm, first: boolean): number {
  return (t.and && !first ? 0x40 : 0) | (t.lt ? 0x04 : 0) | (t.gt ? 0x02 : 0) | (t.eq ? 0x01 : 0);
}

/** Operator byte without end-of-list and length bits: a (0x40) | not (0x02) | m (0x01). */
export function bitmaskOpByte(t: BitmaskTerm, first: boolean): number {
  return (t.and && !first ? 0x40 : 0) | (t.not ? 0x02 : 0) | (t.match ? 0x01 : 0);
}

/** Set bits of a value, lowest first. */
export function singleBits(value: number): number[] {
  const out: number[] = [];
  for (let bit = 1; bit <= value && bit <= 0x8000; bit <<= 1) if (value & bit) out.push(bit);
  return out;
}
