import { describe, expect, it } from 'vitest';
import { Harness } from '../../test/flow/decode-helper.js';
import { concat, ether, ipv4, ipv6, tcp, udp } from '../../test/flow/traffic.js';
import {
  counterSample,
  expandedFlowSample,
  extendedGateway,
  extendedSwitch,
  flowSample,
  genericIfCounters,
  rawHeader,
  sampledIpv4,
  sampledIpv6,
  sflow,
  w,
  xdr,
} from '../../test/flow/wire.js';

const NOW = 1_800_000_000_123;
const synFrame = ether(
  0x0800,
  ipv4('198.51.100.9', '203.0.113.5', 6, tcp(40000, 80, 0x02, new Uint8Array(0))),
);

describe('sFlow v5', () => {
  it('decodes a flow sample with a raw Ethernet header (IPv4 agent), sampling rate and interfaces', () => {
    const h = new Harness();
    const d = sflow({ agent: '192.0.2.10', seq: 1 }, [
      flowSample({ rate: 2048, pool: 4096, input: 3, output: 5 }, [rawHeader(1, 64, synFrame)]),
    ]);
    expect(h.feed(d, NOW)).toBeUndefined();
    expect(h.rows()).toEqual([
      expect.objectContaining({
        format: 'sflow5',
        src: '198.51.100.9',
        dst: '203.0.113.5',
        proto: 6,
        sport: 40000,
        dport: 80,
        tcpFlags: 2,
        packets: 1,
        bytes: 40, // the IP length (20 + 20), not the 64-byte frame the agent reports
        samplingRate: 2048,
        inIf: 3,
        outIf: 5,
        startMs: NOW,
        endMs: NOW,
      }),
    ]);
  });

  it('IPv6 agent, expanded flow sample, QinQ (0x88a8 + 0x8100) and an IPv6 extension header chain', () => {
    const h = new Harness();
    const hbh: [number, Uint8Array] = [0, new Uint8Array(6)];
    const dst: [number, Uint8Array] = [60, new Uint8Array(14)];
    const pkt = ipv6('2001:db8::1', '2001:db8::5', 17, udp(53, 33000, new Uint8Array(20)), [hbh, dst]);
    const frame = ether(0x86dd, pkt, [
      [0x88a8, 100],
      [0x8100, 200],
    ]);
    const d = sflow({ agent: '2001:db8::a', subAgent: 3, seq: 9 }, [
      expandedFlowSample({ rate: 100, sourceType: 0, sourceIndex: 70000, input: 70000, output: 70001 }, [
        rawHeader(1, frame.length + 4, frame),
      ]),
    ]);
    expect(h.feed(d, NOW)).toBeUndefined();
    expect(h.rows()[0]).toMatchObject({
      src: '2001:db8::1',
      dst: '2001:db8::5',
      proto: 17,
      sport: 53,
      dport: 33000,
      samplingRate: 100,
      inIf: 70000,
      outIf: 70001,
      bytes: pkt.length, // the IPv6 packet (payload length + 40), without tags and FCS
    });
  });

  it('IPv4 and IPv6 headers without link layer (header protocols 11 and 12), fragments', () => {
    const h = new Harness();
    const first = ipv4('10.0.0.1', '10.0.0.2', 17, udp(123, 456, new Uint8Array(100)), { mf: true });
    const later = ipv4('10.0.0.1', '10.0.0.2', 17, new Uint8Array(100), { fragOffset: 14 });
    const frag6: [number, Uint8Array] = [
      44,
      w()
        .u16((100 << 3) | 0)
        .u32(7)
        .build(),
    ];
    const later6 = ipv6('2001:db8::1', '2001:db8::2', 17, new Uint8Array(64), [frag6]);
    h.feed(
      sflow({ agent: '192.0.2.10', seq: 1 }, [
        flowSample({ rate: 1 }, [rawHeader(11, 128, first)]),
        flowSample({ rate: 1 }, [rawHeader(11, 128, later)]),
        flowSample({ rate: 1 }, [rawHeader(12, 112, later6)]),
      ]),
      NOW,
    );
    expect(h.rows().map((r) => [r.fragment, r.proto, r.sport, r.dport])).toEqual([
      [1 | 2, 17, 123, 456],
      [1 | 4, 17, 0, 0],
      [1 | 4, 17, 0, 0],
    ]);
  });

  it('sampled IPv4 / IPv6 records (types 3, 4) and extended records skipped by length', () => {
    const h = new Harness();
    const ext = xdr(1001, w().u32(10).u32(0).u32(20).u32(0).build()); // extended switch
    const unknown = xdr((4300 << 12) | 7, Buffer.alloc(12, 0xff)); // enterprise 4300 record
    h.feed(
      sflow({ agent: '192.0.2.10', seq: 1 }, [
        flowSample({ rate: 10 }, [
          ext,
          unknown,
          sampledIpv4({
            length: 1500,
            proto: 6,
            src: '10.1.1.1',
            dst: '10.2.2.2',
            sport: 1,
            dport: 2,
            flags: 0x18,
            tos: 4,
          }),
        ]),
        flowSample({ rate: 10 }, [
          sampledIpv6({
            length: 90,
            proto: 58,
            src: '2001:db8::7',
            dst: '2001:db8::8',
            sport: 0,
            dport: 0x8000,
            flags: 0,
            priority: 0,
          }),
        ]),
      ]),
      NOW,
    );
    expect(
      h.rows().map((r) => [r.src, r.dst, r.proto, r.sport, r.dport, r.tcpFlags, r.tos, r.bytes]),
    ).toEqual([
      ['10.1.1.1', '10.2.2.2', 6, 1, 2, 0x18, 4, 1500],
      ['2001:db8::7', '2001:db8::8', 58, 0, 0x8000, 0, 0, 90],
    ]);
    expect(h.errorTotal()).toBe(0);
  });

  it('keeps generic interface counters, drops and sequence gaps as exporter stats; unknown samples skipped', () => {
    const h = new Harness();
    h.feed(
      sflow({ agent: '192.0.2.10', seq: 1 }, [
        counterSample(1, 5, [genericIfCounters(5, 1e12, 2e12)]),
        xdr(99, Buffer.alloc(8)),
        flowSample({ rate: 1, drops: 3 }, [rawHeader(1, 64, synFrame)]),
      ]),
      NOW,
    );
    h.feed(
      sflow({ agent: '192.0.2.10', seq: 4 }, [
        flowSample({ rate: 1, drops: 10 }, [rawHeader(1, 64, synFrame)]),
      ]),
      NOW,
    );
    const c = h.exp.interfaces.get(5)!;
    expect(c).toMatchObject({
      ifIndex: 5,
      ifSpeed: 10_000_000_000,
      ifInOctets: 1e12,
      ifOutOctets: 2e12,
      ifStatus: 3,
      ifInUcastPkts: 1,
      ifOutErrors: 15,
      updatedMs: NOW,
    });
    expect(h.exp.sflowDrops).toBe(10);
    expect(h.exp.lostDatagrams).toBe(2);
    expect(h.rows()).toHaveLength(2);
  });

  it('extended switch and gateway records fill vlan and source / destination AS', () => {
    const h = new Harness();
    h.feed(
      sflow({ agent: '192.0.2.10', seq: 1 }, [
        flowSample({ rate: 1 }, [
          extendedSwitch(42, 43),
          extendedGateway({ as: 65000, srcAs: 64500, peerAs: 64501, path: [64501, 64502, 64503] }),
          rawHeader(1, 64, synFrame),
        ]),
        flowSample({ rate: 1 }, [
          rawHeader(
            1,
            68,
            ether(0x0800, ipv4('10.0.0.1', '10.0.0.2', 17, udp(1, 2, new Uint8Array(0))), [
              [0x88a8, 7],
              [0x8100, 8],
            ]),
          ),
        ]),
      ]),
    );
    expect(h.rows().map((r) => [r.vlan, r.srcAs, r.dstAs])).toEqual([
      [42, 64500, 64503],
      [7, 0, 0],
    ]);
    expect(h.errorTotal()).toBe(0);
  });

  it('a sample without IP content (ARP) is no record and no error', () => {
    const h = new Harness();
    const arp = ether(0x0806, new Uint8Array(28));
    expect(
      h.feed(sflow({ agent: '192.0.2.10', seq: 1 }, [flowSample({ rate: 1 }, [rawHeader(1, 64, arp)])])),
    ).toBeUndefined();
    expect(h.rows()).toHaveLength(0);
  });

  it.each([
    ['bad agent type', concat(w().u32(5).u32(7).build(), Buffer.alloc(40)), 'bad-address'],
    ['short', w().u32(5).u32(1).build(), 'truncated'],
    [
      'sample count beyond data',
      w().u32(5).u32(1).u32(0).u32(0).u32(0).u32(0).u32(1000).build(),
      'bad-count',
    ],
    [
      'sample length beyond data',
      concat(
        sflow({ agent: '10.0.0.1', seq: 1 }, []).subarray(0, 24),
        w().u32(1).build(),
        w().u32(1).u32(500).build(),
      ),
      'truncated',
    ],
    [
      'record count beyond sample',
      sflow({ agent: '10.0.0.1', seq: 1 }, [
        xdr(1, w().u32(1).u32(1).u32(1).u32(0).u32(0).u32(0).u32(0).u32(50).build()),
      ]),
      'bad-sample',
    ],
    [
      'header length beyond record',
      sflow({ agent: '10.0.0.1', seq: 1 }, [
        flowSample({ rate: 1 }, [xdr(1, w().u32(1).u32(64).u32(0).u32(400).build())]),
      ]),
      'bad-sample',
    ],
  ] as const)('%s → %s', (_n, buf, kind) => {
    const h = new Harness();
    expect(h.feed(buf)).toBe(kind);
    expect(h.exp.errors[kind]).toBe(1);
    expect(h.rows()).toHaveLength(0);
  });
});
