import { describe, expect, it } from 'vitest';
import { Harness } from '../../test/flow/decode-helper.js';
import { nf9, set, v9OptionsTemplate, v9Template, w, type Spec } from '../../test/flow/wire.js';

const SECS = 1_800_000_000;
const T: Spec[] = [
  [8, 4],
  [12, 4],
  [22, 4], // FIRST_SWITCHED
  [21, 4], // LAST_SWITCHED
  [1, 4],
  [2, 4],
  [7, 2],
  [11, 2],
  [4, 1],
  [6, 1],
  [5, 1],
  [10, 2],
  [14, 2],
  [48, 1], // FLOW_SAMPLER_ID
  [16, 4], // SRC_AS
  [17, 2], // DST_AS
  [58, 2], // SRC_VLAN
];
const rec = (first: number, last: number, sampler = 0, dst = '203.0.113.5') =>
  w()
    .ip('198.51.100.1')
    .ip(dst)
    .u32(first)
    .u32(last)
    .u32(1500)
    .u32(3)
    .u16(5353)
    .u16(53)
    .u8(17)
    .u8(0)
    .u8(0x20)
    .u16(4)
    .u16(9)
    .u8(sampler)
    .u32(4200000000)
    .u16(65001)
    .u16(0x1064)
    .build();

describe('NetFlow v9', () => {
  it('decodes records and converts FIRST/LAST_SWITCHED (sysUptime ms) to epoch ms', () => {
    const h = new Harness();
    expect(
      h.feed(
        nf9({ uptime: 60_000, secs: SECS, seq: 0, sourceId: 1 }, [
          set(0, v9Template(256, T)),
          set(256, rec(10_000, 59_000)),
        ]),
      ),
    ).toBeUndefined();
    expect(h.rows()[0]).toMatchObject({
      format: 'netflow9',
      src: '198.51.100.1',
      dst: '203.0.113.5',
      proto: 17,
      sport: 5353,
      dport: 53,
      bytes: 1500,
      packets: 3,
      tos: 0x20,
      inIf: 4,
      outIf: 9,
      srcAs: 4200000000,
      dstAs: 65001,
      vlan: 0x064,
      startMs: SECS * 1000 - 50_000,
      endMs: SECS * 1000 - 1000,
    });
  });

  it('a long-lived flow across the uptime wrap keeps its real interval', () => {
    const h = new Harness();
    h.feed(
      nf9({ uptime: 1000, secs: SECS, seq: 0, sourceId: 1 }, [
        set(0, v9Template(256, T)),
        set(256, rec(2 ** 32 - 299_000, 500)),
      ]),
    );
    const r = h.rows()[0]!;
    expect(r.endMs - r.startMs).toBe(299_500);
    expect(r.endMs).toBe(SECS * 1000 - 500);
  });

  it('applies SAMPLING_INTERVAL from options data (system scope) and per FLOW_SAMPLER_ID', () => {
    const h = new Harness();
    const opt = v9OptionsTemplate(
      257,
      [[1, 4]],
      [
        [34, 4],
        [35, 1],
      ],
    );
    const opt2 = v9OptionsTemplate(
      258,
      [[1, 4]],
      [
        [48, 1],
        [49, 1],
        [50, 4],
      ],
    );
    h.feed(
      nf9({ uptime: 1000, secs: SECS, seq: 0, sourceId: 1 }, [
        set(1, opt),
        set(1, opt2),
        set(257, w().u32(0).u32(1000).u8(2).build()),
        set(258, w().u32(0).u8(7).u8(2).u32(64).build()),
        set(0, v9Template(256, T)),
        set(256, Buffer.concat([rec(1, 2, 0), rec(1, 2, 7)])),
      ]),
    );
    expect(h.rows().map((r) => r.samplingRate)).toEqual([1000, 64]);
  });

  it('keeps templates per source id and queues data that comes first', () => {
    const h = new Harness();
    h.feed(nf9({ uptime: 1000, secs: SECS, seq: 0, sourceId: 1 }, [set(0, v9Template(256, T))]));
    expect(h.feed(nf9({ uptime: 1000, secs: SECS, seq: 0, sourceId: 2 }, [set(256, rec(1, 2))]))).toBe(
      'unknown-template',
    );
    expect(h.rows()).toHaveLength(0);
    h.feed(nf9({ uptime: 1000, secs: SECS, seq: 1, sourceId: 2 }, [set(0, v9Template(256, T))]));
    expect(h.rows()).toHaveLength(1);
    expect(h.exp.pendingDecoded).toBe(1);
  });

  it('skips reserved set ids and trailing padding; counts lost export packets per source id', () => {
    const h = new Harness();
    const tail = Buffer.from([0, 0]);
    h.feed(
      Buffer.concat([
        nf9({ uptime: 1, secs: SECS, seq: 10, sourceId: 3 }, [
          set(0, v9Template(256, T)),
          set(77, Buffer.alloc(8)),
          set(256, rec(1, 1)),
        ]),
        tail,
      ]),
    );
    h.feed(nf9({ uptime: 1, secs: SECS, seq: 11, sourceId: 3 }, [set(256, rec(1, 1))]));
    h.feed(nf9({ uptime: 1, secs: SECS, seq: 15, sourceId: 3 }, [set(256, rec(1, 1))]));
    expect(h.rows()).toHaveLength(3);
    expect(h.errorTotal()).toBe(0);
    expect(h.exp.lostDatagrams).toBe(3);
  });

  it.each([
    ['short header', Buffer.from([0, 9, 0, 1, 0, 0, 0, 0]), 'truncated'],
    [
      'set beyond datagram',
      Buffer.concat([nf9({ uptime: 1, secs: 1, seq: 0, sourceId: 0 }, []), Buffer.from([0, 0, 0, 40, 1, 0])]),
      'truncated',
    ],
    [
      'template id 5',
      nf9({ uptime: 1, secs: 1, seq: 0, sourceId: 0 }, [set(0, v9Template(5, T))]),
      'bad-template',
    ],
    [
      'options scope length not /4',
      nf9({ uptime: 1, secs: 1, seq: 0, sourceId: 0 }, [set(1, w().u16(300).u16(3).u16(4).u32(0).build())]),
      'bad-template',
    ],
  ] as const)('%s → %s', (_n, buf, kind) => {
    const h = new Harness();
    expect(h.feed(buf)).toBe(kind);
    expect(h.exp.errors[kind]).toBe(1);
  });
});
