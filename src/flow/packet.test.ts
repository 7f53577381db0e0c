import { describe, expect, it } from 'vitest';
import { icmp, ipv4, ipv6, tcp, udp, ether, concat } from '../../test/flow/traffic.js';
import { w } from '../../test/flow/wire.js';
import { FlowBatch, FRAG_FIRST, FRAG_IS_FRAGMENT, FRAG_LATER } from './batch.js';
import { LINK_ETHERNET, LINK_NULL, LINK_RAW, LINK_SLL, LINK_SLL2, parseFrame } from './packet.js';
import { wordsToIpString } from '../net/address.js';

function parse(frame: Uint8Array, link = LINK_ETHERNET) {
  const b = new FlowBatch(1);
  const i = b.next();
  const dv = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const len = parseFrame(dv, 0, frame.length, link, b, i);
  const fam = b.family[i] === 6 ? 6 : 4;
  return {
    len,
    src: wordsToIpString(b.srcAddr, 0, fam),
    dst: wordsToIpString(b.dstAddr, 0, fam),
    proto: b.proto[i],
    sport: b.srcPort[i],
    dport: b.dstPort[i],
    flags: b.tcpFlags[i],
    frag: b.fragment[i],
    tos: b.tos[i],
  };
}

describe('packet header parser', () => {
  it('IPv4 with options (IHL 7) finds the TCP header after them', () => {
    const p = ipv4('10.0.0.1', '10.0.0.2', 6, tcp(1, 2, 0x29, new Uint8Array(0)), {
      options: new Uint8Array([0x94, 4, 0, 0, 1, 1, 1, 0]),
      tos: 0x10,
    });
    expect(parse(ether(0x0800, p))).toMatchObject({
      len: p.length,
      src: '10.0.0.1',
      dst: '10.0.0.2',
      proto: 6,
      sport: 1,
      dport: 2,
      flags: 0x29,
      tos: 0x10,
      frag: 0,
    });
  });

  it('IPv4 fragments: first (MF, offset 0) has ports, later ones none', () => {
    expect(
      parse(ether(0x0800, ipv4('10.0.0.1', '10.0.0.2', 17, udp(5, 6, new Uint8Array(16)), { mf: true }))),
    ).toMatchObject({ frag: FRAG_IS_FRAGMENT | FRAG_FIRST, sport: 5 });
    expect(
      parse(
        ether(0x0800, ipv4('10.0.0.1', '10.0.0.2', 17, udp(5, 6, new Uint8Array(16)), { fragOffset: 3 })),
      ),
    ).toMatchObject({ frag: FRAG_IS_FRAGMENT | FRAG_LATER, sport: 0, dport: 0 });
  });

  it('ICMP and ICMPv6 type/code land in dstPort; GRE has no ports', () => {
    expect(parse(ether(0x0800, ipv4('10.0.0.1', '10.0.0.2', 1, icmp(8, 0))))).toMatchObject({
      proto: 1,
      sport: 0,
      dport: 0x0800,
    });
    expect(parse(ether(0x86dd, ipv6('2001:db8::1', '2001:db8::2', 58, icmp(135, 0))))).toMatchObject({
      proto: 58,
      dport: 135 << 8,
    });
    expect(
      parse(ether(0x0800, ipv4('10.0.0.1', '10.0.0.2', 47, w().u16(0).u16(0x0800).build()))),
    ).toMatchObject({ proto: 47, sport: 0, dport: 0 });
  });

  it('IPv6 extension chain: hop-by-hop, routing, AH, destination options, then TCP', () => {
    const p = ipv6('2001:db8::1', '2001:db8::2', 6, tcp(7, 8, 0x02, new Uint8Array(0)), [
      [0, new Uint8Array(6)],
      [43, new Uint8Array(22)],
      [60, new Uint8Array(6)],
    ]);
    expect(parse(ether(0x86dd, p))).toMatchObject({
      proto: 6,
      sport: 7,
      dport: 8,
      flags: 2,
      src: '2001:db8::1',
      len: p.length,
    });
    // AH: length in 4-octet units minus 2 (RFC 4302)
    const inner = tcp(9, 10, 0x10, new Uint8Array(0));
    // next header 6, payload length 4 → (4 + 2) * 4 = 24 octets: reserved, SPI, sequence, 12-octet ICV
    const ahHdr = concat(Buffer.from([6, 4, 0, 0]), Buffer.alloc(20));
    const p2 = ipv6('2001:db8::1', '2001:db8::2', 51, concat(ahHdr, inner));
    const r2 = parse(ether(0x86dd, p2));
    expect(r2).toMatchObject({ proto: 6, sport: 9, dport: 10 });
  });

  it('IPv6 fragment header: first fragment keeps ports, later ones are marked', () => {
    const first = ipv6('2001:db8::1', '2001:db8::2', 17, udp(1, 2, new Uint8Array(8)), [
      [44, w().u16(1).u32(9).build()],
    ]);
    expect(parse(ether(0x86dd, first))).toMatchObject({
      frag: FRAG_IS_FRAGMENT | FRAG_FIRST,
      sport: 1,
      proto: 17,
    });
    const later = ipv6('2001:db8::1', '2001:db8::2', 17, new Uint8Array(8), [
      [
        44,
        w()
          .u16(8 << 3)
          .u32(9)
          .build(),
      ],
    ]);
    expect(parse(ether(0x86dd, later))).toMatchObject({
      frag: FRAG_IS_FRAGMENT | FRAG_LATER,
      sport: 0,
      proto: 17,
    });
  });

  it('802.1Q, QinQ 0x88a8 and 0x9100 tags', () => {
    const p = ipv4('10.0.0.1', '10.0.0.2', 17, udp(1, 2, new Uint8Array(0)));
    for (const tags of [
      [[0x8100, 5]],
      [
        [0x88a8, 5],
        [0x8100, 6],
      ],
      [
        [0x9100, 5],
        [0x8100, 6],
      ],
    ] as [number, number][][])
      expect(parse(ether(0x0800, p, tags))).toMatchObject({ proto: 17, sport: 1, dport: 2 });
  });

  it('link types: raw IP, Linux SLL, SLL2, BSD null', () => {
    const p = ipv4('10.0.0.1', '10.0.0.2', 17, udp(1, 2, new Uint8Array(0)));
    const sll = concat(w().u16(0).u16(1).u16(6).bytes(new Uint8Array(8)).u16(0x0800).build(), p);
    const sll2 = concat(w().u16(0x0800).u16(0).u32(1).u16(1).u8(0).u8(6).bytes(new Uint8Array(8)).build(), p);
    const nul = concat(Buffer.from([2, 0, 0, 0]), p);
    for (const [frame, link] of [
      [p, LINK_RAW],
      [sll, LINK_SLL],
      [sll2, LINK_SLL2],
      [nul, LINK_NULL],
    ] as const)
      expect(parse(frame, link)).toMatchObject({ src: '10.0.0.1', sport: 1, dport: 2 });
  });

  it('truncated or non-IP frames return -1 and never read out of bounds', () => {
    const p = ether(0x0800, ipv4('10.0.0.1', '10.0.0.2', 6, tcp(1, 2, 2, new Uint8Array(0))));
    for (let n = 0; n < 34; n++) expect(parse(p.subarray(0, n)).len).toBe(-1);
    // IP header complete, TCP cut: still a record, ports unknown
    expect(parse(p.subarray(0, 40))).toMatchObject({ len: 40, sport: 0 });
    expect(parse(ether(0x0806, new Uint8Array(28))).len).toBe(-1);
  });
});
