// Minimal classic pcap writer (libpcap format, microsecond timestamps): used by tests to build captures of
// generated traffic and of received export datagrams, and by tools that save what a collector saw.

export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW = 101;

export interface PcapPacket {
  timeMs: number;
  data: Uint8Array;
}

/** Serialises packets as a little-endian pcap file (magic 0xa1b2c3d4, version 2.4, snaplen 262144). */
export function writePcap(packets: readonly PcapPacket[], linktype = LINKTYPE_ETHERNET): Buffer {
  let size = 24;
  for (const p of packets) size += 16 + p.data.length;
  const out = Buffer.alloc(size);
  out.writeUInt32LE(0xa1b2c3d4, 0);
  out.writeUInt16LE(2, 4);
  out.writeUInt16LE(4, 6);
  out.writeUInt32LE(262144, 16);
  out.writeUInt32LE(linktype, 20);
  let o = 24;
  for (const p of packets) {
    const sec = Math.floor(p.timeMs / 1000);
    const usec = Math.round((p.timeMs - sec * 1000) * 1000);
    out.writeUInt32LE(sec, o);
    out.writeUInt32LE(usec, o + 4);
    out.writeUInt32LE(p.data.length, o + 8);
    out.writeUInt32LE(p.data.length, o + 12);
    out.set(p.data, o + 16);
    o += 16 + p.data.length;
  }
  return out;
}
