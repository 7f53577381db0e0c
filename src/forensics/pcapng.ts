// pcapng writer (draft-ietf-opsawg-pcapng §4.1 SHB, §4.2 IDB, §4.3 EPB; options §3.5), little-endian,
// microsecond timestamps (if_tsresol default). Pure: packets in, one Buffer out. Comments (opt_comment, code 1)
// carry what a reader needs to interpret sampled data: the exporter and its 1-in-N sampling rate.

export interface NgInterface {
  /** pcap LINKTYPE. */
  readonly link: number;
  /** if_name (option 2). */
  readonly name: string;
  /** if_description (option 3). */
  readonly description?: string;
  /** opt_comment on the IDB. */
  readonly comment?: string;
  readonly snaplen?: number;
}

export interface NgPacket {
  /** Index into the interfaces array. */
  readonly iface: number;
  readonly timeMs: number;
  readonly data: Uint8Array;
  /** Original length on the wire (≥ data.length; raised to it if smaller). */
  readonly origLen: number;
  readonly comment?: string;
}

export interface NgCapture {
  /** opt_comment(s) on the Section Header Block. */
  readonly comments: readonly string[];
  /** shb_userappl (option 4). */
  readonly application: string;
  readonly interfaces: readonly NgInterface[];
  readonly packets: readonly NgPacket[];
}

const pad4 = (n: number) => (n + 3) & ~3;

type Opt = [code: number, value: Uint8Array];
const text = (code: number, s: string): Opt => [code, Buffer.from(s, 'utf8')];

function optionsLength(opts: readonly Opt[]): number {
  if (opts.length === 0) return 0;
  let n = 4; // opt_endofopt
  for (const [, v] of opts) n += 4 + pad4(v.length);
  return n;
}

function writeOptions(out: Buffer, o: number, opts: readonly Opt[]): number {
  if (opts.length === 0) return o;
  for (const [code, v] of opts) {
    out.writeUInt16LE(code, o);
    out.writeUInt16LE(v.length, o + 2);
    out.set(v, o + 4);
    o += 4 + pad4(v.length);
  }
  return o + 4; // opt_endofopt: code 0, length 0 (buffer is zero-filled)
}

/** Serialises one section: SHB, one IDB per interface, one EPB per packet. */
export function writePcapng(cap: NgCapture): Buffer {
  const shbOpts: Opt[] = [...cap.comments.map((c) => text(1, c)), text(4, cap.application)];
  const idbOpts = cap.interfaces.map((i) => {
    const o: Opt[] = [text(2, i.name)];
    if (i.description !== undefined) o.push(text(3, i.description));
    if (i.comment !== undefined) o.push(text(1, i.comment));
    return o;
  });
  const epbOpts = cap.packets.map((p) => (p.comment !== undefined ? [text(1, p.comment)] : []));
  let size = 28 + optionsLength(shbOpts);
  for (const o of idbOpts) size += 20 + optionsLength(o);
  cap.packets.forEach((p, k) => (size += 32 + pad4(p.data.length) + optionsLength(epbOpts[k]!)));
  const out = Buffer.alloc(size);
  let o = 0;
  const block = (type: number, body: number, fill: (at: number) => number) => {
    const start = o;
    out.writeUInt32LE(type, o);
    const end = fill(o + 8);
    const total = end + 4 - start;
    if (total !== body) throw new Error(`pcapng: block length ${total} != ${body}`);
    out.writeUInt32LE(total, start + 4);
    out.writeUInt32LE(total, end);
    o = end + 4;
  };
  block(0x0a0d0d0a, 28 + optionsLength(shbOpts), (at) => {
    out.writeUInt32LE(0x1a2b3c4d, at); // byte-order magic
    out.writeUInt16LE(1, at + 4);
    out.writeUInt16LE(0, at + 6);
    out.writeBigInt64LE(-1n, at + 8); // section length not specified
    return writeOptions(out, at + 16, shbOpts);
  });
  cap.interfaces.forEach((i, k) =>
    block(1, 20 + optionsLength(idbOpts[k]!), (at) => {
      out.writeUInt16LE(i.link, at);
      out.writeUInt32LE(i.snaplen ?? 0, at + 4);
      return writeOptions(out, at + 8, idbOpts[k]!);
    }),
  );
  cap.packets.forEach((p, k) =>
    block(6, 32 + pad4(p.data.length) + optionsLength(epbOpts[k]!), (at) => {
      const us = BigInt(Math.round(p.timeMs * 1000));
      out.writeUInt32LE(p.iface, at);
      out.writeUInt32LE(Number(us >> 32n), at + 4);
      out.writeUInt32LE(Number(us & 0xffffffffn), at + 8);
      out.writeUInt32LE(p.data.length, at + 12);
      out.writeUInt32LE(Math.max(p.origLen, p.data.length), at + 16);
      out.set(p.data, at + 20);
      return writeOptions(out, at + 20 + pad4(p.data.length), epbOpts[k]!);
    }),
  );
  return out;
}
