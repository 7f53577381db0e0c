// Generates a straight-line record decoder for each fixed-length NetFlow v9 / IPFIX data template: field
// offsets become constants and the per-field dispatch disappears (the interpreter in dataset.ts handles
// variable-length and options templates, and is the reference: a property test checks both agree).
// Only numbers from the compiled template are interpolated into the generated source.
import { FRAG_FIRST, FRAG_IS_FRAGMENT, FRAG_LATER, type FlowBatch } from './batch.js';
import { ntpMs, readUint, type SetContext } from './dataset.js';
import type { ExporterState } from './exporter.js';
import { OP } from './ops.js';
import type { TemplateShape } from './templates.js';

export type RecordWriter = (
  dv: DataView,
  o: number,
  b: FlowBatch,
  i: number,
  ctx: SetContext,
  initMs: number,
  exp: ExporterState,
) => void;

function uint(off: number, len: number): string {
  const p = `o + ${off}`;
  switch (len) {
    case 1:
      return `dv.getUint8(${p})`;
    case 2:
      return `dv.getUint16(${p})`;
    case 4:
      return `dv.getUint32(${p})`;
    case 8:
      return `(dv.getUint32(${p}) * 4294967296 + dv.getUint32(${p} + 4))`;
    default:
      return `R(dv, ${p}, ${len})`;
  }
}

function uptime(off: number, target: string): string {
  return `{ const at = dv.getUint32(o + ${off}); ${target} = ctx.ipfix ? (initMs >= 0 ? initMs + at : ctx.exportMs) : ctx.exportMs - ((ctx.sysUptime - at) | 0); }`;
}

function statement(op: number, off: number, len: number): string {
  switch (op) {
    case OP.SRC4:
      return `b.srcAddr[a] = dv.getUint32(o + ${off});`;
    case OP.DST4:
      return `b.dstAddr[a] = dv.getUint32(o + ${off});`;
    case OP.SRC6:
    case OP.DST6: {
      const col = op === OP.SRC6 ? 'srcAddr' : 'dstAddr';
      return `v6 = true; ${[0, 1, 2, 3].map((k) => `b.${col}[a + ${k}] = dv.getUint32(o + ${off + 4 * k});`).join(' ')}`;
    }
    case OP.PROTO:
      return `b.proto[i] = dv.getUint8(o + ${off});`;
    case OP.SPORT:
      return `b.srcPort[i] = dv.getUint16(o + ${off});`;
    case OP.DPORT:
      return `b.dstPort[i] = dv.getUint16(o + ${off});`;
    case OP.TCP_FLAGS:
      return `b.tcpFlags[i] = dv.getUint8(o + ${off + len - 1});`;
    case OP.TOS:
      return `b.tos[i] = dv.getUint8(o + ${off});`;
    case OP.BYTES:
      return `bytes = ${uint(off, len)};`;
    case OP.PKTS:
      return `pkts = ${uint(off, len)};`;
    case OP.BYTES_TOTAL:
      return `bytesTotal = ${uint(off, len)};`;
    case OP.PKTS_TOTAL:
      return `pktsTotal = ${uint(off, len)};`;
    case OP.IN_IF:
      return `b.inIf[i] = ${uint(off, len)};`;
    case OP.OUT_IF:
      return `b.outIf[i] = ${uint(off, len)};`;
    case OP.SRC_AS:
      return `b.srcAs[i] = ${uint(off, len)};`;
    case OP.DST_AS:
      return `b.dstAs[i] = ${uint(off, len)};`;
    case OP.VLAN:
      return `b.vlan[i] = dv.getUint16(o + ${off}) & 0xfff;`;
    case OP.START_UPTIME:
      return uptime(off, 'startMs');
    case OP.END_UPTIME:
      return uptime(off, 'endMs');
    case OP.START_S:
      return `startMs = dv.getUint32(o + ${off}) * 1000;`;
    case OP.END_S:
      return `endMs = dv.getUint32(o + ${off}) * 1000;`;
    case OP.START_MS:
      return `startMs = ${uint(off, 8)};`;
    case OP.END_MS:
      return `endMs = ${uint(off, 8)};`;
    case OP.START_US:
    case OP.START_NS:
      return `startMs = N(dv, o + ${off});`;
    case OP.END_US:
    case OP.END_NS:
      return `endMs = N(dv, o + ${off});`;
    case OP.START_DELTA_US:
      return `startMs = ctx.exportMs - dv.getUint32(o + ${off}) / 1000;`;
    case OP.END_DELTA_US:
      return `endMs = ctx.exportMs - dv.getUint32(o + ${off}) / 1000;`;
    case OP.ICMP_TYPECODE:
      return `icmp = dv.getUint16(o + ${off});`;
    case OP.ICMP_TYPE:
      return `icmpType = dv.getUint8(o + ${off});`;
    case OP.ICMP_CODE:
      return `icmpCode = dv.getUint8(o + ${off});`;
    case OP.SAMPLER_ID:
      return `sampler = ${uint(off, len)};`;
    case OP.SAMPLING_INTERVAL:
    case OP.SAMPLER_RANDOM_INTERVAL:
      return `carried = ${uint(off, len)};`;
    case OP.FRAG_FLAGS:
      return `fragFlags = dv.getUint8(o + ${off});`;
    case OP.FRAG_OFFSET:
      return `fragOff = dv.getUint16(o + ${off}) & 0x1fff;`;
    default:
      return '';
  }
}

// Same completion as the interpreter in dataset.ts (kept in step by the differential property test).
const FINISH = `
b.family[i] = v6 ? 6 : 4;
b.bytes[i] = bytes >= 0 ? bytes : bytesTotal;
b.packets[i] = pkts >= 0 ? pkts : pktsTotal;
const p = b.proto[i];
if (p === 1 || p === 58) {
  if (icmp < 0 && icmpType >= 0) icmp = (icmpType << 8) | icmpCode;
  if (icmp >= 0) { b.dstPort[i] = icmp; b.srcPort[i] = 0; }
}
if (fragOff > 0) b.fragment[i] = ${FRAG_IS_FRAGMENT | FRAG_LATER};
else if (fragFlags & 0x20) b.fragment[i] = ${FRAG_IS_FRAGMENT | FRAG_FIRST};
if (startMs < 0) startMs = endMs >= 0 ? endMs : ctx.exportMs;
if (endMs < 0) endMs = startMs;
b.startMs[i] = startMs;
b.endMs[i] = endMs < startMs ? startMs : endMs;
b.samplingRate[i] = exp.sampling.rate(sampler, carried);
b.exporter[i] = exp.id;
b.format[i] = ctx.formatCode;
`;

/** Writers by template shape: exporters refresh templates constantly and many share one shape. LRU-bounded. */
const cache = new Map<string, RecordWriter>();
/** Distinct generated decoders kept; an evicted one lives on only in the templates that still use it. */
export const WRITER_CACHE_LIMIT = 512;
/** Longer field lists (legal but unusual) are decoded by the interpreter rather than generated code. */
export const WRITER_MAX_FIELDS = 128;

export function compileWriter(t: TemplateShape): RecordWriter | undefined {
  if (t.variable || t.options || t.ops.length > WRITER_MAX_FIELDS) return undefined;
  let key = '';
  for (let k = 0; k < t.ops.length; k++) key += `${t.ops[k]}:${t.lengths[k]},`;
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const w = generate(t);
  cache.set(key, w);
  if (cache.size > WRITER_CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  return w;
}

function generate(t: TemplateShape): RecordWriter {
  const lines: string[] = [];
  let off = 0;
  for (let k = 0; k < t.ops.length; k++) {
    const len = t.lengths[k]!;
    const s = statement(t.ops[k]!, off, len);
    if (s) lines.push(s);
    off += len;
  }
  const body = `
const a = i * 4;
let v6 = false, startMs = -1, endMs = -1, bytes = -1, pkts = -1, bytesTotal = 0, pktsTotal = 0;
let icmp = -1, icmpType = -1, icmpCode = 0, sampler = -1, carried = 0, fragFlags = 0, fragOff = 0;
b.proto[i] = 0;
${lines.join('\n')}
${FINISH}`;
  const factory = new Function(
    'R',
    'N',
    `'use strict'; return function record(dv, o, b, i, ctx, initMs, exp) {${body}};`,
  ) as (r: typeof readUint, n: typeof ntpMs) => RecordWriter;
  return factory(readUint, ntpMs);
}
