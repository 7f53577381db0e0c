// Incremental reader of a classic libpcap stream (what `tcpdump -w -` writes: a 24-octet global header, then
// 16-octet record headers each followed by the captured octets; µs or ns magic, either byte order, pcap
// spec draft-ietf-opsawg-pcap §4-5). Chunks in, one callback per record; a record split across chunks is
// joined, nothing else is copied. Pure: no I/O, a typed error instead of a throw.

export type PcapStreamError = 'bad-magic' | 'record-too-large';

export interface PcapRecordSink {
  /** One record: octets [off, off+incl) of `buf` (valid during the call only). */
  (buf: Uint8Array, off: number, incl: number, origLen: number, timeMs: number, linktype: number): void;
}

/** Larger than any snaplen tcpdump accepts (262144): a record claiming more means a corrupt stream. */
const MAX_RECORD = 262_144;

export class PcapStream {
  private pending: Uint8Array = new Uint8Array(0);
  private le = true;
  private nano = false;
  private headerSeen = false;
  linktype = -1;
  records = 0;
  error: PcapStreamError | undefined;

  constructor(private readonly onRecord: PcapRecordSink) {}

  /** Feeds the next chunk; returns false once the stream is unreadable (the error says why). */
  push(chunk: Uint8Array): boolean {
    if (this.error) return false;
    let buf = chunk;
    if (this.pending.length > 0) {
      buf = new Uint8Array(this.pending.length + chunk.length);
      buf.set(this.pending, 0);
      buf.set(chunk, this.pending.length);
    }
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    let o = 0;
    if (!this.headerSeen) {
      if (buf.length < 24) {
        this.pending = buf.slice();
        return true;
      }
      const m = dv.getUint32(0, false);
      if (m === 0xa1b2c3d4 || m === 0xa1b23c4d) this.le = false;
      else if (m === 0xd4c3b2a1 || m === 0x4d3cb2a1) this.le = true;
      else {
        this.error = 'bad-magic';
        return false;
      }
      this.nano = m === 0xa1b23c4d || m === 0x4d3cb2a1;
      // link-layer header type in the low 16 bits (the upper bits carry FCS information)
      this.linktype = dv.getUint32(20, this.le) & 0xffff;
      this.headerSeen = true;
      o = 24;
    }
    while (buf.length - o >= 16) {
      const incl = dv.getUint32(o + 8, this.le);
      if (incl > MAX_RECORD) {
        this.error = 'record-too-large';
        return false;
      }
      if (buf.length - o - 16 < incl) break;
      const sec = dv.getUint32(o, this.le);
      const frac = dv.getUint32(o + 4, this.le);
      const orig = dv.getUint32(o + 12, this.le);
      this.records++;
      this.onRecord(
        buf,
        o + 16,
        incl,
        orig,
        sec * 1000 + (this.nano ? frac / 1e6 : frac / 1e3),
        this.linktype,
      );
      o += 16 + incl;
    }
    // keep the tail (a partial record) for the next chunk; copy so the caller may reuse its buffer
    this.pending = o < buf.length ? buf.slice(o) : new Uint8Array(0);
    return true;
  }
}
