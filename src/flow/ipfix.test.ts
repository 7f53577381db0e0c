import { describe, expect, it } from 'vitest';
import { Harness } from '../../test/flow/decode-helper.js';
import { ipfix, ipfixOptionsTemplate, ipfixTemplate, set, w, type Spec } from '../../test/flow/wire.js';
import { FRAG_FIRST, FRAG_IS_FRAGMENT, FRAG_LATER } from './batch.js';

const EXPORT = 1_800_000_000;
const hdr = (seq = 0, domain = 7) => ({ exportSecs: EXPORT, seq, domain });

// template 300: IPv6 flow with an enterprise field and a variable-length field between known ones
const T300: Spec[] = [
  [27, 16], // sourceIPv6Address
  [28, 16], // destinationIPv6Address
  [1234, 4, 9], // enterprise 9 (Cisco) element: skipped by its length
  [4, 1], // protocolIdentifier
  [82, 65535], // interfaceName, variable length
  [7, 2],
  [11, 2],
  [6, 2], // tcpControlBits, 2 octets (RFC 7125)
  [1, 8], // octetDeltaCount
  [2, 4], // packetDeltaCount (reduced size)
  [152, 8], // flowStartMilliseconds
  [153, 8], // flowEndMilliseconds
  [302, 2], // selectorId
];

function rec300(o: { name: string | Buffer; bytes?: number; sel?: number }): Buffer {
  const name = typeof o.name === 'string' ? Buffer.from(o.name) : o.name;
  const b = w().ip('2001:db8::1').ip('2001:db8::5').u32(0xdeadbeef).u8(6);
  if (name.length < 255) b.u8(name.length);
  else b.u8(255).u16(name.length);
  return b
    .bytes(name)
    .u16(443)
    .u16(51000)
    .u16(0x0012)
    .u64(o.bytes ?? 123456)
    .u32(99)
    .u64(1_799_999_990_000)
    .u64(1_799_999_999_500)
    .u16(o.sel ?? 0)
    .build();
}

describe('IPFIX', () => {
  it('decodes IPv6 records with enterprise and variable-length fields (both length forms)', () => {
    const h = new Harness();
    const data = set(
      300,
      Buffer.concat([rec300({ name: 'eth0' }), rec300({ name: Buffer.alloc(300, 0x61), bytes: 7 })]),
    );
    expect(h.feed(ipfix(hdr(), [set(2, ipfixTemplate(300, T300)), data]))).toBeUndefined();
    const rows = h.rows();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      format: 'ipfix',
      src: '2001:db8::1',
      dst: '2001:db8::5',
      proto: 6,
      sport: 443,
      dport: 51000,
      tcpFlags: 0x12,
      bytes: 123456,
      packets: 99,
      startMs: 1_799_999_990_000,
      endMs: 1_799_999_999_500,
    });
    expect(rows[1]).toMatchObject({ bytes: 7, sport: 443 });
    expect(h.errorTotal()).toBe(0);
    expect(h.exp.templates.size).toBe(1);
  });

  it('takes sampling from options data (selectorId scope + samplingPacketInterval/Space) per selector', () => {
    const h = new Harness();
    const opt = ipfixOptionsTemplate(400, 1, [
      [302, 2],
      [305, 4],
      [306, 4],
    ]);
    const optData = set(400, w().u16(5).u32(1).u32(999).u16(6).u32(1).u32(99).build());
    h.feed(
      ipfix(hdr(), [
        set(3, opt),
        optData,
        set(2, ipfixTemplate(300, T300)),
        set(
          300,
          Buffer.concat([
            rec300({ name: 'a', sel: 5 }),
            rec300({ name: 'a', sel: 6 }),
            rec300({ name: 'a', sel: 8 }),
          ]),
        ),
      ]),
    );
    // selector 8 was never announced: the latest announced selector's rate applies
    expect(h.rows().map((r) => r.samplingRate)).toEqual([1000, 100, 100]);
    expect(h.exp.sampling.absurd).toBe(0);
  });

  it('flags absurd and changing sampling rates (samplingInterval 34, samplerRandomInterval 50)', () => {
    const h = new Harness();
    const opt = ipfixOptionsTemplate(401, 1, [
      [48, 1],
      [34, 4],
    ]);
    const opt2 = ipfixOptionsTemplate(402, 1, [
      [48, 1],
      [50, 4],
    ]);
    h.feed(
      ipfix(hdr(), [
        set(3, Buffer.concat([opt, opt2])),
        set(401, w().u8(1).u32(100).build()),
        set(402, w().u8(2).u32(0).build()),
      ]),
    );
    h.feed(ipfix(hdr(2), [set(401, w().u8(1).u32(5_000_000).build())]));
    expect(h.exp.sampling.absurd).toBe(2);
    expect(h.exp.sampling.changes).toBe(1);
    expect(h.exp.sampling.bySampler.get(1)).toBe(5_000_000);
  });

  it('buffers data sets that arrive before their template and decodes them when it comes', () => {
    const h = new Harness();
    const data = set(300, rec300({ name: 'x' }));
    expect(h.feed(ipfix(hdr(0), [data]))).toBe('unknown-template');
    expect(h.rows()).toHaveLength(0);
    expect(h.exp.pending).toHaveLength(1);
    h.feed(ipfix(hdr(1), [set(2, ipfixTemplate(300, T300))]));
    expect(h.rows()).toHaveLength(1);
    expect(h.exp.pending).toHaveLength(0);
    expect(h.exp.pendingDecoded).toBe(1);
    expect(h.exp.errors['unknown-template']).toBe(1);
  });

  it('bounds the pending queue and counts overflow', () => {
    const h = new Harness();
    for (let k = 0; k < 40; k++) h.feed(ipfix(hdr(0), [set(300 + k, rec300({ name: 'x' }))]));
    expect(h.exp.pending.length).toBe(32);
    expect(h.exp.errors['pending-overflow']).toBe(8);
  });

  it('keeps templates per observation domain and withdraws one or all (set 2 / 3, field count 0)', () => {
    const h = new Harness();
    h.feed(
      ipfix(hdr(0, 1), [
        set(2, Buffer.concat([ipfixTemplate(300, T300), ipfixTemplate(301, T300)])),
        set(
          3,
          ipfixOptionsTemplate(400, 1, [
            [302, 2],
            [305, 4],
          ]),
        ),
      ]),
    );
    h.feed(ipfix(hdr(0, 2), [set(2, ipfixTemplate(300, T300))]));
    expect(h.exp.templates.size).toBe(4);
    h.feed(ipfix(hdr(0, 1), [set(2, w().u16(301).u16(0).build())]));
    expect(h.exp.templates.get(1, 301)).toBeUndefined();
    expect(h.exp.templates.get(1, 300)).toBeDefined();
    h.feed(ipfix(hdr(0, 1), [set(2, w().u16(2).u16(0).build())]));
    expect(h.exp.templates.get(1, 300)).toBeUndefined();
    expect(h.exp.templates.get(1, 400)).toBeDefined(); // options templates survive "withdraw all templates"
    expect(h.exp.templates.get(2, 300)).toBeDefined(); // other domain untouched
    h.feed(ipfix(hdr(0, 1), [set(3, w().u16(3).u16(0).build())]));
    expect(h.exp.templates.get(1, 400)).toBeUndefined();
    // data for a withdrawn template is unknown again
    expect(h.feed(ipfix(hdr(0, 1), [set(300, rec300({ name: 'x' }))]))).toBe('unknown-template');
  });

  it('converts flowStart/EndSysUpTime against systemInitTimeMilliseconds, seconds, NTP µs and deltas', () => {
    const h = new Harness();
    const init = 1_799_000_000_000;
    const opt = ipfixOptionsTemplate(400, 1, [
      [143, 4],
      [160, 8],
    ]);
    const t = ipfixTemplate(310, [
      [8, 4],
      [12, 4],
      [22, 4],
      [21, 4],
    ]);
    const t2 = ipfixTemplate(311, [
      [8, 4],
      [150, 4],
      [151, 4],
    ]);
    const t3 = ipfixTemplate(312, [
      [8, 4],
      [154, 8],
      [159, 4],
    ]);
    const ntp = (ms: number) =>
      w()
        .u32(Math.floor(ms / 1000) + 2208988800)
        .u32(((ms % 1000) / 1000) * 4294967296)
        .build();
    h.feed(
      ipfix(hdr(), [
        set(3, opt),
        set(400, w().u32(1).u64(init).build()),
        set(2, Buffer.concat([t, t2, t3])),
        set(310, w().ip('10.0.0.1').ip('10.0.0.2').u32(5000).u32(65000).build()),
        set(
          311,
          w()
            .ip('10.0.0.1')
            .u32(EXPORT - 60)
            .u32(EXPORT - 1)
            .build(),
        ),
        set(312, w().ip('10.0.0.1').bytes(ntp(1_799_999_000_500)).u32(250_000).build()),
      ]),
    );
    const rows = h.rows();
    expect(rows.map((r) => [r.startMs, r.endMs])).toEqual([
      [init + 5000, init + 65000],
      [(EXPORT - 60) * 1000, (EXPORT - 1) * 1000],
      [1_799_999_000_500, EXPORT * 1000 - 250],
    ]);
  });

  it('maps fragmentFlags/fragmentOffset and ICMP type/code', () => {
    const h = new Harness();
    const t = ipfixTemplate(320, [
      [8, 4],
      [12, 4],
      [4, 1],
      [197, 1],
      [88, 2],
      [176, 1],
      [177, 1],
    ]);
    h.feed(
      ipfix(hdr(), [
        set(2, t),
        set(
          320,
          Buffer.concat([
            w().ip('10.0.0.1').ip('10.0.0.2').u8(17).u8(0x20).u16(0).u8(0).u8(0).build(),
            w().ip('10.0.0.1').ip('10.0.0.2').u8(17).u8(0).u16(185).u8(0).u8(0).build(),
            w().ip('10.0.0.1').ip('10.0.0.2').u8(1).u8(0).u16(0).u8(3).u8(4).build(),
          ]),
        ),
      ]),
    );
    expect(h.rows().map((r) => [r.fragment, r.proto, r.dport])).toEqual([
      [FRAG_IS_FRAGMENT | FRAG_FIRST, 17, 0],
      [FRAG_IS_FRAGMENT | FRAG_LATER, 17, 0],
      [0, 1, 0x0304],
    ]);
  });

  it('counts lost records from the sequence number (records before this message, RFC 7011 §3.1)', () => {
    const h = new Harness();
    const t = ipfixTemplate(330, [[8, 4]]);
    const d = (n: number) => set(330, Buffer.alloc(4 * n, 1));
    h.feed(ipfix(hdr(0), [set(2, t), d(3)]));
    h.feed(ipfix(hdr(3), [d(2)]));
    h.feed(ipfix(hdr(9), [d(1)])); // 4 lost
    expect(h.exp.lostRecords).toBe(4);
    expect(h.exp.sequenceGaps).toBe(1);
  });

  it.each([
    ['short header', Buffer.from([0, 10, 0, 16, 0, 0]), 'truncated'],
    ['length beyond datagram', w().u16(10).u16(100).u32(0).u32(0).u32(0).build(), 'truncated'],
    ['length below header', w().u16(10).u16(8).u32(0).u32(0).u32(0).build(), 'bad-length'],
    ['set length 2', ipfix(hdr(), [w().u16(2).u16(2).build()]), 'bad-length'],
    ['template id < 256', ipfix(hdr(), [set(2, ipfixTemplate(200, [[8, 4]]))]), 'bad-template'],
    ['options scope count 0', ipfix(hdr(), [set(3, ipfixOptionsTemplate(400, 0, [[8, 4]]))]), 'bad-template'],
    [
      'template cut inside a field',
      ipfix(hdr(), [
        set(
          2,
          ipfixTemplate(300, [
            [8, 4],
            [12, 4],
          ]).subarray(0, 10),
          false,
        ),
      ]),
      'truncated',
    ],
    ['all-zero-length template', ipfix(hdr(), [set(2, ipfixTemplate(300, [[8, 0]]))]), 'bad-template'],
  ] as const)('%s → %s', (_n, buf, kind) => {
    const h = new Harness();
    expect(h.feed(buf)).toBe(kind);
    expect(h.exp.errors[kind]).toBeGreaterThanOrEqual(1);
  });

  it('a variable-length field running past the set is truncated, earlier records kept', () => {
    const h = new Harness();
    const good = rec300({ name: 'ok' });
    const bad = w()
      .bytes(rec300({ name: 'ok' }).subarray(0, 37))
      .u8(200)
      .bytes(Buffer.alloc(60))
      .build();
    expect(
      h.feed(ipfix(hdr(), [set(2, ipfixTemplate(300, T300)), set(300, Buffer.concat([good, bad]), false)])),
    ).toBe('truncated');
    expect(h.rows()).toHaveLength(1);
    expect(h.exp.records).toBe(1);
  });
});
