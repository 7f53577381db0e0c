import { describe, expect, it } from 'vitest';
import { ether, ipv4, ipv6, tcp, udp } from '../../test/flow/traffic.js';
import { nf5, w } from '../../test/flow/wire.js';
import { decodeCapture } from './capture.js';
import { writePcap, LINKTYPE_RAW } from './pcap-writer.js';
import { readCapture } from './pcap.js';

const f1 = ether(0x0800, ipv4('10.0.0.1', '10.0.0.2', 6, tcp(1, 2, 2, new Uint8Array(0))));
const f2 = ether(0x86dd, ipv6('2001:db8::1', '2001:db8::2', 17, udp(3, 4, new Uint8Array(10))));

function pcapBE(nano: boolean): Buffer {
  const b = w()
    .u32(nano ? 0xa1b23c4d : 0xa1b2c3d4)
    .u16(2)
    .u16(4)
    .u32(0)
    .u32(0)
    .u32(65535)
    .u32(1);
  b.u32(1000)
    .u32(nano ? 500_000_000 : 500_000)
    .u32(f1.length)
    .u32(f1.length)
    .bytes(f1);
  return b.build();
}

/** pcapng: SHB, IDB (Ethernet, if_tsresol 10^-9 when nano), EPB, SPB; little-endian. */
function pcapng(nano: boolean): Buffer {
  const le = (n: number, v: number) => {
    const b = Buffer.alloc(n);
    if (n === 2) b.writeUInt16LE(v);
    else b.writeUInt32LE(v);
    return b;
  };
  const block = (type: number, body: Buffer) => {
    const pad = Buffer.alloc((4 - (body.length % 4)) % 4);
    const len = 12 + body.length + pad.length;
    return Buffer.concat([le(4, type), le(4, len), body, pad, le(4, len)]);
  };
  const shb = block(
    0x0a0d0d0a,
    Buffer.concat([le(4, 0x1a2b3c4d), le(2, 1), le(2, 0), Buffer.alloc(8, 0xff)]),
  );
  const opts = nano
    ? Buffer.concat([le(2, 9), le(2, 1), Buffer.from([9, 0, 0, 0]), le(2, 0), le(2, 0)])
    : Buffer.alloc(0);
  const idb = block(1, Buffer.concat([le(2, 1), le(2, 0), le(4, 65535), opts]));
  const ts = nano ? 1_000_500_000_000 : 1_000_500_000;
  const epb = block(
    6,
    Buffer.concat([
      le(4, 0),
      le(4, Math.floor(ts / 2 ** 32)),
      le(4, ts % 2 ** 32),
      le(4, f1.length),
      le(4, f1.length + 4),
      f1,
    ]),
  );
  const spb = block(3, Buffer.concat([le(4, f2.length), f2]));
  return Buffer.concat([shb, idb, epb, spb]);
}

describe('capture readers', () => {
  it('pcap little-endian (writer round trip), big-endian µs and ns', () => {
    const le = readCapture(writePcap([{ timeMs: 1000.5, data: f1 }]));
    expect(le.format).toBe('pcap');
    expect(le.packets[0]).toMatchObject({ timeMs: 1000.5, linktype: 1, origLen: f1.length });
    for (const nano of [false, true]) {
      const r = readCapture(pcapBE(nano));
      expect(r.error).toBeUndefined();
      expect(r.packets[0]!.timeMs).toBe(1_000_500);
      expect(Buffer.from(r.packets[0]!.data)).toEqual(Buffer.from(f1));
    }
  });

  it('pcapng EPB with if_tsresol and SPB', () => {
    for (const nano of [false, true]) {
      const r = readCapture(pcapng(nano));
      expect(r.format).toBe('pcapng');
      expect(r.error).toBeUndefined();
      expect(r.packets).toHaveLength(2);
      expect(r.packets[0]).toMatchObject({ timeMs: 1_000_500, origLen: f1.length + 4 });
      expect(r.packets[1]!.data.length).toBe(f2.length);
    }
  });

  it('truncation and bad magic are typed errors, earlier packets kept', () => {
    const p = writePcap([
      { timeMs: 1, data: f1 },
      { timeMs: 2, data: f2 },
    ]);
    const r = readCapture(p.subarray(0, p.length - 3));
    expect(r.error).toBe('truncated');
    expect(r.packets).toHaveLength(1);
    expect(readCapture(Buffer.from('not a capture')).error).toBe('bad-magic');
    expect(readCapture(pcapng(false).subarray(0, 40)).error).toBe('truncated');
  });

  it('a raw-traffic capture becomes one pcap record per packet', () => {
    const r = decodeCapture(
      writePcap([
        { timeMs: 5, data: f1 },
        { timeMs: 6, data: f2 },
        { timeMs: 7, data: ether(0x0806, new Uint8Array(28)) },
      ]),
    );
    expect(r.mode).toBe('raw');
    expect(r.sink.count).toBe(2);
    expect(r.skipped).toBe(1);
    const b = r.sink.batch;
    expect([b.format[0], b.bytes[0], b.startMs[1], b.proto[1], b.srcPort[1]]).toEqual([
      4,
      f1.length - 14, // the IP length, without the Ethernet header
      6,
      17,
      3,
    ]);
    const frames = decodeCapture(writePcap([{ timeMs: 5, data: f1 }]), { packetLength: 'frame' });
    expect(frames.sink.batch.bytes[0]).toBe(f1.length);
  });

  it('export datagrams are recognised by content on any port and in raw-IP captures', () => {
    const d = nf5({ uptime: 1, secs: 1, seq: 0 }, [
      { src: '1.1.1.1', dst: '2.2.2.2', pkts: 1, bytes: 2, first: 1, last: 1, sport: 3, dport: 4, proto: 17 },
    ]);
    const r = decodeCapture(
      writePcap([{ timeMs: 1, data: ipv4('192.0.2.77', '192.0.2.1', 17, udp(999, 31337, d)) }], LINKTYPE_RAW),
    );
    expect(r.mode).toBe('export');
    expect(r.exporters[0]!.address).toBe('192.0.2.77');
    expect(r.sink.count).toBe(1);
  });
});
