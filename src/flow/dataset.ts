// Decoding of NetFlow v9 / IPFIX data sets against a compiled template: flow records go into the batch,
// options records update the exporter's sampling state and IPFIX system init time. Variable-length fields per
// RFC 7011 §7 (1 octet, or 255 + 2 octets). Timestamps become epoch ms (RFC 3954 §8 FIRST/LAST_SWITCHED are
// sysUptime ms; RFC 7011/7012 flowStart*/flowEnd* in seconds, ms, NTP µs/ns, deltas, or sysUpTime ms).
import { FRAG_FIRST, FRAG_IS_FRAGMENT, FRAG_LATER } from './batch.js';
import type { ExporterState } from './exporter.js';
import { PER_EXPORTER } from './limits.js';
import { OP } from './ops.js';
import { EXPORTER_WIDE } from './sampling.js';
import { claim, type BatchSink } from './sink.js';
import { VARIABLE_LENGTH, type Template } from './templates.js';

export interface SetContext {
  formatCode: number;
  ipfix: boolean;
  domain: number;
  exportMs: number;
  /** v9 header sysUptime ms (unused for IPFIX). */
  sysUptime: number;
}

/** NTP timestamp (RFC 7011 §6.1.9/10: seconds since 1900 + 2^-32 fraction) → epoch ms. */
const NTP_EPOCH_OFFSET_S = 2208988800;

export function readUint(dv: DataView, o: number, len: number): number {
  switch (len) {
    case 1:
      return dv.getUint8(o);
    case 2:
      return dv.getUint16(o);
    case 4:
      return dv.getUint32(o);
    case 8:
      return dv.getUint32(o) * 4294967296 + dv.getUint32(o + 4);
    default: {
      // reduced-size encoding (RFC 7011 §6.2)
      let v = 0;
      for (let k = 0; k < len; k++) v = v * 256 + dv.getUint8(o + k);
      return v;
    }
  }
}

/** Returns records decoded, or -1 if a record ran past the set's end (counted as truncated by the caller). */
export function decodeDataSet(
  dv: DataView,
  start: number,
  end: number,
  t: Template,
  ctx: SetContext,
  exp: ExporterState,
  sink: BatchSink,
): number {
  if (t.options) return decodeOptionsSet(dv, start, end, t, ctx, exp);
  const ops = t.ops;
  const lengths = t.lengths;
  const nf = ops.length;
  let o = start;
  let n = 0;
  const initMs = ctx.ipfix ? exp.systemInitMs.get(ctx.domain) : undefined;
  const writer = t.writer;
  if (writer) {
    // fixed-length template: generated straight-line decoder, one record per minLength octets
    const rl = t.minLength;
    const init = initMs ?? -1;
    while (end - o >= rl) {
      const i = claim(sink);
      writer(dv, o, sink.batch, i, ctx, init, exp);
      o += rl;
      n++;
    }
    exp.records += n;
    return n;
  }
  while (end - o >= t.minLength) {
    const i = claim(sink);
    const b = sink.batch;
    const a = i * 4;
    let v6 = false;
    let startMs = -1;
    let endMs = -1;
    let bytes = -1;
    let pkts = -1;
    let bytesTotal = 0;
    let pktsTotal = 0;
    let icmp = -1;
    let icmpType = -1;
    let icmpCode = 0;
    let sampler = EXPORTER_WIDE;
    let carried = 0;
    let fragFlags = 0;
    let fragOff = 0;
    b.proto[i] = 0;
    for (let k = 0; k < nf; k++) {
      let len = lengths[k]!;
      if (len === VARIABLE_LENGTH) {
        if (o >= end) return abort(sink, exp, n);
        len = dv.getUint8(o++);
        if (len === 255) {
          if (o + 2 > end) return abort(sink, exp, n);
          len = dv.getUint16(o);
          o += 2;
        }
      }
      if (o + len > end) return abort(sink, exp, n);
      switch (ops[k]) {
        case OP.SKIP:
          break;
        case OP.SRC4:
          b.srcAddr[a] = dv.getUint32(o);
          break;
        case OP.DST4:
          b.dstAddr[a] = dv.getUint32(o);
          break;
        case OP.SRC6:
          v6 = true;
          b.srcAddr[a] = dv.getUint32(o);
          b.srcAddr[a + 1] = dv.getUint32(o + 4);
          b.srcAddr[a + 2] = dv.getUint32(o + 8);
          b.srcAddr[a + 3] = dv.getUint32(o + 12);
          break;
        case OP.DST6:
          v6 = true;
          b.dstAddr[a] = dv.getUint32(o);
          b.dstAddr[a + 1] = dv.getUint32(o + 4);
          b.dstAddr[a + 2] = dv.getUint32(o + 8);
          b.dstAddr[a + 3] = dv.getUint32(o + 12);
          break;
        case OP.PROTO:
          b.proto[i] = dv.getUint8(o);
          break;
        case OP.SPORT:
          b.srcPort[i] = dv.getUint16(o);
          break;
        case OP.DPORT:
          b.dstPort[i] = dv.getUint16(o);
          break;
        case OP.TCP_FLAGS:
          b.tcpFlags[i] = dv.getUint8(o + len - 1);
          break;
        case OP.TOS:
          b.tos[i] = dv.getUint8(o);
          break;
        case OP.BYTES:
          bytes = readUint(dv, o, len);
          break;
        case OP.PKTS:
          pkts = readUint(dv, o, len);
          break;
        case OP.BYTES_TOTAL:
          bytesTotal = readUint(dv, o, len);
          break;
        case OP.PKTS_TOTAL:
          pktsTotal = readUint(dv, o, len);
          break;
        case OP.IN_IF:
          b.inIf[i] = readUint(dv, o, len);
          break;
        case OP.OUT_IF:
          b.outIf[i] = readUint(dv, o, len);
          break;
        case OP.SRC_AS:
          b.srcAs[i] = readUint(dv, o, len);
          break;
        case OP.DST_AS:
          b.dstAs[i] = readUint(dv, o, len);
          break;
        case OP.VLAN:
          b.vlan[i] = dv.getUint16(o) & 0xfff;
          break;
        case OP.START_UPTIME:
          startMs = uptime(dv.getUint32(o), ctx, initMs);
          break;
        case OP.END_UPTIME:
          endMs = uptime(dv.getUint32(o), ctx, initMs);
          break;
        case OP.START_S:
          startMs = dv.getUint32(o) * 1000;
          break;
        case OP.END_S:
          endMs = dv.getUint32(o) * 1000;
          break;
        case OP.START_MS:
          startMs = readUint(dv, o, 8);
          break;
        case OP.END_MS:
          endMs = readUint(dv, o, 8);
          break;
        case OP.START_US:
        case OP.START_NS:
          startMs = ntpMs(dv, o);
          break;
        case OP.END_US:
        case OP.END_NS:
          endMs = ntpMs(dv, o);
          break;
        case OP.START_DELTA_US:
          startMs = ctx.exportMs - dv.getUint32(o) / 1000;
          break;
        case OP.END_DELTA_US:
          endMs = ctx.exportMs - dv.getUint32(o) / 1000;
          break;
        case OP.ICMP_TYPECODE:
          icmp = dv.getUint16(o);
          break;
        case OP.ICMP_TYPE:
          icmpType = dv.getUint8(o);
          break;
        case OP.ICMP_CODE:
          icmpCode = dv.getUint8(o);
          break;
        case OP.SAMPLER_ID:
          sampler = readUint(dv, o, len);
          break;
        case OP.SAMPLING_INTERVAL:
        case OP.SAMPLER_RANDOM_INTERVAL:
          carried = readUint(dv, o, len);
          break;
        case OP.FRAG_FLAGS:
          fragFlags = dv.getUint8(o);
          break;
        case OP.FRAG_OFFSET:
          fragOff = dv.getUint16(o) & 0x1fff;
          break;
        default:
          break;
      }
      o += len;
    }
    b.family[i] = v6 ? 6 : 4;
    b.bytes[i] = bytes >= 0 ? bytes : bytesTotal;
    b.packets[i] = pkts >= 0 ? pkts : pktsTotal;
    const p = b.proto[i]!;
    if (p === 1 || p === 58) {
      if (icmp < 0 && icmpType >= 0) icmp = (icmpType << 8) | icmpCode;
      if (icmp >= 0) {
        b.dstPort[i] = icmp;
        b.srcPort[i] = 0;
      }
    }
    // fragmentFlags (IANA IE 197): bit 2 from the left = MF (0x20)
    if (fragOff > 0) b.fragment[i] = FRAG_IS_FRAGMENT | FRAG_LATER;
    else if (fragFlags & 0x20) b.fragment[i] = FRAG_IS_FRAGMENT | FRAG_FIRST;
    if (startMs < 0) startMs = endMs >= 0 ? endMs : ctx.exportMs;
    if (endMs < 0) endMs = startMs;
    b.startMs[i] = startMs;
    b.endMs[i] = endMs < startMs ? startMs : endMs;
    b.samplingRate[i] = exp.sampling.rate(sampler, carried);
    b.exporter[i] = exp.id;
    b.format[i] = ctx.formatCode;
    n++;
  }
  exp.records += n;
  return n;
}

/** Drops the half-written record and reports truncation. */
function abort(sink: BatchSink, exp: ExporterState, n: number): number {
  sink.batch.length--;
  exp.records += n;
  return -1;
}

function uptime(at: number, ctx: SetContext, initMs: number | undefined): number {
  if (!ctx.ipfix) return ctx.exportMs - ((ctx.sysUptime - at) | 0);
  // IPFIX flow*SysUpTime is relative to systemInitTimeMilliseconds (options data); unknown → export time
  return initMs !== undefined ? initMs + at : ctx.exportMs;
}

export function ntpMs(dv: DataView, o: number): number {
  return (dv.getUint32(o) - NTP_EPOCH_OFFSET_S) * 1000 + (dv.getUint32(o + 4) / 4294967296) * 1000;
}

/** Options data (RFC 3954 §6.2, RFC 7011 §3.4.2.2): sampling parameters and system init time. */
function decodeOptionsSet(
  dv: DataView,
  start: number,
  end: number,
  t: Template,
  ctx: SetContext,
  exp: ExporterState,
): number {
  const ops = t.ops;
  const lengths = t.lengths;
  let o = start;
  let n = 0;
  while (end - o >= t.minLength) {
    let sampler = EXPORTER_WIDE;
    let interval = 0;
    let space = -1;
    let pktInterval = 0;
    let size = 0;
    let population = 0;
    let announced = false;
    for (let k = 0; k < ops.length; k++) {
      let len = lengths[k]!;
      if (len === VARIABLE_LENGTH) {
        if (o >= end) return -1;
        len = dv.getUint8(o++);
        if (len === 255) {
          if (o + 2 > end) return -1;
          len = dv.getUint16(o);
          o += 2;
        }
      }
      if (o + len > end) return -1;
      switch (ops[k]) {
        case OP.SAMPLER_ID:
          sampler = readUint(dv, o, len);
          break;
        case OP.SAMPLING_INTERVAL:
        case OP.SAMPLER_RANDOM_INTERVAL:
          announced = true;
          interval = readUint(dv, o, len);
          break;
        case OP.PACKET_INTERVAL:
          announced = true;
          pktInterval = readUint(dv, o, len);
          break;
        case OP.PACKET_SPACE:
          space = readUint(dv, o, len);
          break;
        case OP.SAMPLING_SIZE:
          announced = true;
          size = readUint(dv, o, len);
          break;
        case OP.SAMPLING_POPULATION:
          population = readUint(dv, o, len);
          break;
        case OP.SYSTEM_INIT_MS:
          // dateTimeMilliseconds is 8 octets (RFC 7011 §6.1.9); any other length is malformed, ignored
          if (
            ctx.ipfix &&
            len === 8 &&
            (exp.systemInitMs.has(ctx.domain) || exp.systemInitMs.size < PER_EXPORTER.domains)
          )
            exp.systemInitMs.set(ctx.domain, readUint(dv, o, 8));
          break;
        default:
          break;
      }
      o += len;
    }
    // RFC 5476 §6.5.2.1: systematic count-based sampling selects `interval` packets out of every interval+space
    let rate = interval;
    if (rate === 0 && pktInterval > 0 && space >= 0) rate = (pktInterval + space) / pktInterval;
    if (rate === 0 && size > 0 && population > 0) rate = population / size;
    if (announced) exp.sampling.note(sampler, Math.round(rate), exp.lastSeenMs);
    n++;
  }
  return n;
}
