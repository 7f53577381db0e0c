// sFlow v5 decoder (sflow.org sflow_version_5.txt): datagram header with IPv4/IPv6 agent, flow samples (1) and
// expanded flow samples (3) → one record each from the raw packet header (1) or sampled IPv4/IPv6 (3/4) record;
// counter samples (2, 4) → generic interface counters (0:1) kept in the exporter state. Every other sample and
// record type (extended switch/router/gateway included) is skipped by its length. Times are arrival times.
import { FORMAT_CODE } from './batch.js';
import type { FlowErrorKind } from './errors.js';
import type { ExporterState } from './exporter.js';
import { parseFrame, SFLOW_HP_ETHERNET, SFLOW_HP_IPV4, SFLOW_HP_IPV6 } from './packet.js';
import { PER_EXPORTER } from './limits.js';
import { claim, type BatchSink } from './sink.js';

const FMT = FORMAT_CODE.sflow5;
const MAX_SAMPLES = 4096;

/**
 * Decodes the sFlow datagram at octets [start, end) of `dv` (by default all of it): offsets stay those of
 * `dv`, so the native receiver's buffer is read in place (no view per datagram) and a raw-header tap gets
 * offsets into `dv`.
 */
export function decodeSflow(
  dv: DataView,
  exp: ExporterState,
  sink: BatchSink,
  nowMs: number,
  start = 0,
  end = dv.byteLength,
): FlowErrorKind | undefined {
  if (end - start < 8) return exp.error('truncated');
  if (dv.getUint32(start) !== 5) return exp.error('bad-version');
  const at = dv.getUint32(start + 4);
  let o = start + 8;
  if (at === 1) o += 4;
  else if (at === 2) o += 16;
  else if (at !== 0) return exp.error('bad-address');
  if (end - o < 16) return exp.error('truncated');
  const subAgent = dv.getUint32(o);
  const seq = dv.getUint32(o + 4);
  const n = dv.getUint32(o + 12);
  o += 16;
  if (n > MAX_SAMPLES || n * 8 > end - o) return exp.error('bad-count');
  exp.sequence('sflow5', subAgent, seq, 1, 'datagrams');
  let err: FlowErrorKind | undefined;
  for (let s = 0; s < n; s++) {
    if (end - o < 8) return exp.error('truncated');
    const fmt = dv.getUint32(o);
    const slen = dv.getUint32(o + 4);
    o += 8;
    if (slen > end - o) return exp.error('truncated');
    const e = o + slen;
    // enterprise 0 only (top 20 bits); others skipped by length
    if (fmt === 1 || fmt === 3) err = flowSample(dv, o, e, fmt === 3, exp, sink, nowMs) ?? err;
    else if (fmt === 2 || fmt === 4) err = counterSample(dv, o, e, fmt === 4, exp, nowMs) ?? err;
    o = e;
  }
  return err;
}

function flowSample(
  dv: DataView,
  o: number,
  e: number,
  expanded: boolean,
  exp: ExporterState,
  sink: BatchSink,
  nowMs: number,
): FlowErrorKind | undefined {
  if (e - o < (expanded ? 44 : 32)) return exp.error('bad-sample');
  let source: number;
  let inIf: number;
  let outIf: number;
  if (expanded) {
    source = ((dv.getUint32(o + 4) & 0xff) << 24) | (dv.getUint32(o + 8) & 0xffffff);
    o += 12;
  } else {
    source = dv.getUint32(o + 4);
    o += 8;
  }
  const rate = dv.getUint32(o);
  const drops = dv.getUint32(o + 8);
  if (expanded) {
    inIf = dv.getUint32(o + 16);
    outIf = dv.getUint32(o + 24);
    o += 28;
  } else {
    // compact form: top 2 bits are the format, low 30 bits the ifIndex (or discard/multiple codes)
    inIf = dv.getUint32(o + 12) & 0x3fffffff;
    outIf = dv.getUint32(o + 16) & 0x3fffffff;
    o += 20;
  }
  const nrec = dv.getUint32(o);
  o += 4;
  exp.sampling.note(source >>> 0, rate, nowMs);
  exp.noteSflowDrops(source >>> 0, drops);
  if (nrec * 8 > e - o) return exp.error('bad-sample');
  const i = claim(sink);
  const b = sink.batch;
  let bytes = -1;
  let vlan = -1;
  let srcAs = 0;
  let dstAs = 0;
  let rawOff = -1;
  let rawLen = 0;
  let rawHp = 0;
  let rawOrig = 0;
  let err: FlowErrorKind | undefined;
  for (let r = 0; r < nrec; r++) {
    if (e - o < 8) return unclaim(sink, exp, 'bad-sample');
    const rfmt = dv.getUint32(o);
    const rlen = dv.getUint32(o + 4);
    o += 8;
    if (rlen > e - o) return unclaim(sink, exp, 'bad-sample');
    const re = o + rlen;
    if (rfmt === 1001 && rlen >= 16) {
      // extended switch: src_vlan, src_priority, dst_vlan, dst_priority
      vlan = dv.getUint32(o) & 0xfff;
    } else if (rfmt === 1003) {
      const g = extendedGateway(dv, o, re);
      if (g < 0) err = exp.error('bad-sample');
      else {
        srcAs = gatewaySrcAs;
        dstAs = gatewayDstAs;
      }
    } else if (bytes < 0) {
      if (rfmt === 1) {
        // raw packet header: protocol, frame_length, stripped, header length, header (padded to 4)
        if (rlen < 16) err = exp.error('bad-sample');
        else {
          const hp = dv.getUint32(o);
          const frameLen = dv.getUint32(o + 4);
          const hlen = dv.getUint32(o + 12);
          if (hlen > rlen - 16) err = exp.error('bad-sample');
          else if (hp === SFLOW_HP_ETHERNET || hp === SFLOW_HP_IPV4 || hp === SFLOW_HP_IPV6) {
            const ipLen = parseFrame(dv, o + 16, o + 16 + hlen, hp, b, i);
            if (ipLen >= 0) {
              // the IP length unless asked for the frame (or the header says 0: TSO/LRO captures)
              bytes = ipLen > 0 && sink.packetLength !== 'frame' ? ipLen : frameLen;
              rawOff = o + 16;
              rawLen = hlen;
              rawHp = hp;
              // the packet as a capture shows it: frame_length less what was stripped (e.g. the FCS)
              rawOrig = Math.max(hlen, frameLen - dv.getUint32(o + 8));
            }
          }
        }
      } else if (rfmt === 3 && rlen >= 32) {
        // sampled IPv4: length, protocol, src, dst, src_port, dst_port, tcp_flags, tos
        b.family[i] = 4;
        b.proto[i] = dv.getUint32(o + 4);
        b.srcAddr[i * 4] = dv.getUint32(o + 8);
        b.dstAddr[i * 4] = dv.getUint32(o + 12);
        b.srcPort[i] = dv.getUint32(o + 16);
        b.dstPort[i] = dv.getUint32(o + 20);
        b.tcpFlags[i] = dv.getUint32(o + 24);
        b.tos[i] = dv.getUint32(o + 28);
        bytes = dv.getUint32(o);
      } else if (rfmt === 4 && rlen >= 56) {
        // sampled IPv6: length, protocol, src(16), dst(16), src_port, dst_port, tcp_flags, priority
        b.family[i] = 6;
        b.proto[i] = dv.getUint32(o + 4);
        for (let k = 0; k < 4; k++) {
          b.srcAddr[i * 4 + k] = dv.getUint32(o + 8 + k * 4);
          b.dstAddr[i * 4 + k] = dv.getUint32(o + 24 + k * 4);
        }
        b.srcPort[i] = dv.getUint32(o + 40);
        b.dstPort[i] = dv.getUint32(o + 44);
        b.tcpFlags[i] = dv.getUint32(o + 48);
        b.tos[i] = dv.getUint32(o + 52);
        bytes = dv.getUint32(o);
      }
    }
    o = re;
  }
  if (bytes < 0) {
    // no IP content (e.g. ARP, or only extended records): not a flow record
    sink.batch.length--;
    return err;
  }
  b.packets[i] = 1;
  b.bytes[i] = bytes;
  if (vlan >= 0) b.vlan[i] = vlan;
  b.srcAs[i] = srcAs;
  b.dstAs[i] = dstAs;
  b.samplingRate[i] = exp.sampling.rate(source >>> 0, rate);
  b.inIf[i] = inIf;
  b.outIf[i] = outIf;
  b.startMs[i] = nowMs;
  b.endMs[i] = nowMs;
  b.exporter[i] = exp.id;
  b.format[i] = FMT;
  exp.records++;
  if (rawOff >= 0 && sink.rawTap) sink.rawTap(dv, rawOff, rawLen, rawHp, rawOrig, b, i, exp.address);
  return err;
}

let gatewaySrcAs = 0;
let gatewayDstAs = 0;

/**
 * Extended gateway (1003): next hop address, as, src_as, src_peer_as, dst_as_path (segments of AS numbers), …
 * Sets gatewaySrcAs / gatewayDstAs (last AS of the path); returns -1 if malformed.
 */
function extendedGateway(dv: DataView, o: number, e: number): number {
  if (e - o < 4) return -1;
  const at = dv.getUint32(o);
  o += at === 1 ? 8 : at === 2 ? 20 : -1;
  if (at !== 1 && at !== 2) return -1;
  if (e - o < 16) return -1;
  gatewaySrcAs = dv.getUint32(o + 4);
  const segments = dv.getUint32(o + 12);
  o += 16;
  let last = 0;
  for (let k = 0; k < segments; k++) {
    if (e - o < 8) return -1;
    const n = dv.getUint32(o + 4);
    o += 8;
    if (n > (e - o) / 4) return -1;
    if (n > 0) last = dv.getUint32(o + (n - 1) * 4);
    o += n * 4;
  }
  gatewayDstAs = last;
  return 0;
}

function unclaim(sink: BatchSink, exp: ExporterState, kind: FlowErrorKind): FlowErrorKind {
  sink.batch.length--;
  return exp.error(kind);
}

const u64 = (dv: DataView, o: number) => dv.getUint32(o) * 4294967296 + dv.getUint32(o + 4);

function counterSample(
  dv: DataView,
  o: number,
  e: number,
  expanded: boolean,
  exp: ExporterState,
  nowMs: number,
): FlowErrorKind | undefined {
  const head = expanded ? 16 : 12;
  if (e - o < head) return exp.error('bad-sample');
  const nrec = dv.getUint32(o + head - 4);
  o += head;
  if (nrec * 8 > e - o) return exp.error('bad-sample');
  for (let r = 0; r < nrec; r++) {
    if (e - o < 8) return exp.error('bad-sample');
    const rfmt = dv.getUint32(o);
    const rlen = dv.getUint32(o + 4);
    o += 8;
    if (rlen > e - o) return exp.error('bad-sample');
    if (rfmt === 1 && rlen >= 88) {
      const ifIndex = dv.getUint32(o);
      let c = exp.interfaces.get(ifIndex);
      if (!c) {
        if (
          exp.interfaces.size >= PER_EXPORTER.interfaces ||
          exp.budget.interfaces >= PER_EXPORTER.interfacesTotal
        ) {
          o += rlen;
          continue;
        }
        c = {} as NonNullable<typeof c>;
        exp.interfaces.set(ifIndex, c);
        exp.budget.interfaces++;
      }
      c.ifIndex = ifIndex;
      c.ifType = dv.getUint32(o + 4);
      c.ifSpeed = u64(dv, o + 8);
      c.ifDirection = dv.getUint32(o + 16);
      c.ifStatus = dv.getUint32(o + 20);
      c.ifInOctets = u64(dv, o + 24);
      c.ifInUcastPkts = dv.getUint32(o + 32);
      c.ifInMulticastPkts = dv.getUint32(o + 36);
      c.ifInBroadcastPkts = dv.getUint32(o + 40);
      c.ifInDiscards = dv.getUint32(o + 44);
      c.ifInErrors = dv.getUint32(o + 48);
      c.ifInUnknownProtos = dv.getUint32(o + 52);
      c.ifOutOctets = u64(dv, o + 56);
      c.ifOutUcastPkts = dv.getUint32(o + 64);
      c.ifOutMulticastPkts = dv.getUint32(o + 68);
      c.ifOutBroadcastPkts = dv.getUint32(o + 72);
      c.ifOutDiscards = dv.getUint32(o + 76);
      c.ifOutErrors = dv.getUint32(o + 80);
      c.ifPromiscuousMode = dv.getUint32(o + 84);
      c.updatedMs = nowMs;
    }
    o += rlen;
  }
  return undefined;
}
