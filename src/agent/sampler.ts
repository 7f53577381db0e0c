// 1-in-N packet sampling of a capture stream into detection records and a ring of recent headers. The
// skip between samples is random with mean N (as sFlow agents do, sflow_version_5.txt §4.2: a count-based
// 1-in-N would alias with periodic traffic); each sample becomes one FlowBatch record with samplingRate N
// (the detector scales it back), parsed by the same header parser as sFlow raw headers and pcap replay.
// Pure: the random source and the batch hand-off are injected.
import { FlowBatch, FORMAT_CODE } from '../flow/batch.js';
import { parseFrame } from '../flow/packet.js';
import { wordsToIpString } from '../net/index.js';

/** One sampled packet's first octets (at most the snaplen), for the controller's attack captures. */
export interface HeaderSample {
  readonly at: number;
  /** pcap LINKTYPE of `data`. */
  readonly link: number;
  readonly data: Uint8Array;
  readonly origLen: number;
  /** Destination address text (IPv4 dotted, IPv6 RFC 5952). */
  readonly dst: string;
}

export interface SamplerStats {
  /** Packets seen on the capture. */
  seen: number;
  /** Packets sampled. */
  sampled: number;
  /** Sampled packets that are not IPv4/IPv6 (ARP, LLDP, …) or too short to parse. */
  notIp: number;
}

export class PacketSampler {
  private skip: number;
  readonly stats: SamplerStats = { seen: 0, sampled: 0, notIp: 0 };
  private readonly ring: (HeaderSample | undefined)[];
  private head = 0;
  batch: FlowBatch;

  constructor(
    readonly rate: number,
    ringSize: number,
    /** Hands a full batch on (the caller ingests it into the detector); must leave `batch` empty. */
    private readonly flush: (b: FlowBatch) => void,
    private readonly random: () => number = Math.random,
    batchSize = 1024,
  ) {
    if (!Number.isInteger(rate) || rate < 1) throw new RangeError(`sampling rate must be ≥ 1, got ${rate}`);
    this.ring = new Array<HeaderSample | undefined>(Math.max(1, ringSize));
    this.batch = new FlowBatch(batchSize);
    this.skip = this.nextSkip();
  }

  /** Uniform in [1, 2N-1]: mean N. */
  private nextSkip(): number {
    return this.rate === 1 ? 1 : 1 + Math.floor(this.random() * (2 * this.rate - 1));
  }

  /** One captured packet (octets [off, off+incl) of buf, valid during the call). */
  readonly record = (
    buf: Uint8Array,
    off: number,
    incl: number,
    origLen: number,
    timeMs: number,
    linktype: number,
  ): void => {
    this.stats.seen++;
    if (--this.skip > 0) return;
    this.skip = this.nextSkip();
    this.stats.sampled++;
    const b = this.batch;
    const i = b.next();
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const ipLen = parseFrame(dv, off, off + incl, linktype, b, i);
    if (ipLen < 0) {
      b.length--;
      this.stats.notIp++;
      return;
    }
    b.packets[i] = 1;
    b.bytes[i] = ipLen > 0 ? ipLen : origLen;
    b.samplingRate[i] = this.rate;
    b.startMs[i] = b.endMs[i] = timeMs;
    b.exporter[i] = 0;
    b.format[i] = FORMAT_CODE.pcap;
    const dst = wordsToIpString(b.dstAddr, i * 4, b.family[i] === 6 ? 6 : 4);
    this.ring[this.head] = { at: timeMs, link: linktype, data: buf.slice(off, off + incl), origLen, dst };
    this.head = (this.head + 1) % this.ring.length;
    if (b.full) this.flushNow();
  };

  /** Hands the records gathered so far to the detector. */
  flushNow(): void {
    if (this.batch.length === 0) return;
    this.flush(this.batch);
    this.batch.reset();
  }

  /** Ring samples whose destination `match`es, newer than `since` (oldest first), the newest `max`. */
  samplesFor(match: (dst: string) => boolean, since: number, max: number): HeaderSample[] {
    const out: HeaderSample[] = [];
    const n = this.ring.length;
    for (let k = 0; k < n; k++) {
      const s = this.ring[(this.head + k) % n];
      if (s && s.at > since && match(s.dst)) out.push(s);
    }
    return out.length > max ? out.slice(out.length - max) : out;
  }
}
