// pcap (libpcap classic: µs/ns magic, either byte order) and pcapng (SHB/IDB/EPB/SPB/obsolete PB, if_tsresol)
// readers over an in-memory buffer. Pure: returns packet views and a typed error instead of throwing.

export interface CapturedPacket {
  timeMs: number;
  linktype: number;
  /** View into the capture buffer (captured octets only). */
  data: Uint8Array;
  origLen: number;
}

export type CaptureError = 'bad-magic' | 'truncated' | 'bad-block';

export interface CaptureReadResult {
  format: 'pcap' | 'pcapng' | 'unknown';
  packets: CapturedPacket[];
  /** Set if reading stopped early; packets before the fault are kept. */
  error?: CaptureError;
}

export function readCapture(buf: Uint8Array): CaptureReadResult {
  if (buf.length < 4) return { format: 'unknown', packets: [], error: 'truncated' };
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const m = dv.getUint32(0, false);
  if (m === 0x0a0d0d0a) return readPcapng(buf, dv);
  if (m === 0xa1b2c3d4 || m === 0xa1b23c4d) return readPcap(buf, dv, false, m === 0xa1b23c4d);
  if (m === 0xd4c3b2a1 || m === 0x4d3cb2a1) return readPcap(buf, dv, true, m === 0x4d3cb2a1);
  return { format: 'unknown', packets: [], error: 'bad-magic' };
}

function readPcap(buf: Uint8Array, dv: DataView, le: boolean, nano: boolean): CaptureReadResult {
  const packets: CapturedPacket[] = [];
  if (buf.length < 24) return { format: 'pcap', packets, error: 'truncated' };
  // link-layer header type in the low 16 bits; upper bits carry FCS information (pcap spec §4)
  const linktype = dv.getUint32(20, le) & 0xffff;
  let o = 24;
  while (o < buf.length) {
    if (buf.length - o < 16) return { format: 'pcap', packets, error: 'truncated' };
    const sec = dv.getUint32(o, le);
    const frac = dv.getUint32(o + 4, le);
    const incl = dv.getUint32(o + 8, le);
    const orig = dv.getUint32(o + 12, le);
    o += 16;
    if (incl > buf.length - o) return { format: 'pcap', packets, error: 'truncated' };
    packets.push({
      timeMs: sec * 1000 + (nano ? frac / 1e6 : frac / 1e3),
      linktype,
      data: buf.subarray(o, o + incl),
      origLen: orig,
    });
    o += incl;
  }
  return { format: 'pcap', packets };
}

interface Iface {
  linktype: number;
  /** Timestamp units per millisecond. */
  perMs: number;
}

function readPcapng(buf: Uint8Array, dv: DataView): CaptureReadResult {
  const packets: CapturedPacket[] = [];
  let ifaces: Iface[] = [];
  let le = true;
  let o = 0;
  const fail = (error: CaptureError): CaptureReadResult => ({ format: 'pcapng', packets, error });
  while (o < buf.length) {
    if (buf.length - o < 12) return fail('truncated');
    const type0 = dv.getUint32(o, false);
    if (type0 === 0x0a0d0d0a) {
      // Section Header Block: the byte-order magic decides the endianness of the whole section
      const bom = dv.getUint32(o + 8, true);
      if (bom === 0x1a2b3c4d) le = true;
      else if (bom === 0x4d3c2b1a) le = false;
      else return fail('bad-magic');
      ifaces = [];
    }
    const type = dv.getUint32(o, le);
    const len = dv.getUint32(o + 4, le);
    if (len < 12 || len % 4 !== 0) return fail('bad-block');
    if (len > buf.length - o) return fail('truncated');
    const body = o + 8;
    const end = o + len - 4;
    if (type === 1) {
      if (end - body < 8) return fail('bad-block');
      let perMs = 1000;
      // options: code(2) length(2) value padded to 4; if_tsresol = 9
      let p = body + 8;
      while (end - p >= 4) {
        const code = dv.getUint16(p, le);
        const olen = dv.getUint16(p + 2, le);
        if (code === 0) break;
        if (code === 9 && olen >= 1 && p + 4 < end) {
          const r = dv.getUint8(p + 4);
          // MSB clear: 10^-n s units, set: 2^-n s units (pcapng §4.2 if_tsresol)
          perMs = r & 0x80 ? 2 ** (r & 0x7f) / 1000 : 10 ** ((r & 0x7f) - 3);
        }
        p += 4 + Math.ceil(olen / 4) * 4;
      }
      ifaces.push({ linktype: dv.getUint16(body, le), perMs });
    } else if (type === 6 || type === 2) {
      if (end - body < 20) return fail('bad-block');
      const id = type === 6 ? dv.getUint32(body, le) : dv.getUint16(body, le);
      const iface = ifaces[id];
      if (!iface) return fail('bad-block');
      const ts = dv.getUint32(body + 4, le) * 4294967296 + dv.getUint32(body + 8, le);
      const cap = dv.getUint32(body + 12, le);
      const orig = dv.getUint32(body + 16, le);
      if (cap > end - body - 20) return fail('bad-block');
      packets.push({
        timeMs: ts / iface.perMs,
        linktype: iface.linktype,
        data: buf.subarray(body + 20, body + 20 + cap),
        origLen: orig,
      });
    } else if (type === 3) {
      const iface = ifaces[0];
      if (!iface || end - body < 4) return fail('bad-block');
      const orig = dv.getUint32(body, le);
      const cap = Math.min(orig, end - body - 4);
      packets.push({
        timeMs: 0,
        linktype: iface.linktype,
        data: buf.subarray(body + 4, body + 4 + cap),
        origLen: orig,
      });
    }
    o += len;
  }
  return { format: 'pcapng', packets };
}
