import { describe, expect, it } from 'vitest';
import { Harness } from '../../test/flow/decode-helper.js';
import { nf5, type Nf5Rec } from '../../test/flow/wire.js';
import { uptimeToEpochMs } from './netflow5.js';

const rec = (o: Partial<Nf5Rec> = {}): Nf5Rec => ({
  src: '198.51.100.7',
  dst: '203.0.113.5',
  pkts: 10,
  bytes: 4000,
  first: 1000,
  last: 9000,
  sport: 1234,
  dport: 80,
  flags: 0x12,
  proto: 6,
  tos: 0xb8,
  inIf: 3,
  outIf: 7,
  srcAs: 64500,
  dstAs: 65001,
  ...o,
});

describe('NetFlow v5', () => {
  it('decodes every field of a record and spreads it over first..last switched', () => {
    const h = new Harness();
    expect(
      h.feed(nf5({ uptime: 10_000, secs: 1_800_000_000, nsecs: 250_000_000, seq: 0 }, [rec()])),
    ).toBeUndefined();
    const [r] = h.rows();
    expect(r).toMatchObject({
      format: 'netflow5',
      src: '198.51.100.7',
      dst: '203.0.113.5',
      proto: 6,
      sport: 1234,
      dport: 80,
      tcpFlags: 0x12,
      packets: 10,
      bytes: 4000,
      tos: 0xb8,
      inIf: 3,
      outIf: 7,
      srcAs: 64500,
      dstAs: 65001,
      samplingRate: 1,
    });
    // export 1_800_000_000.250 s, uptime 10 s: first at uptime 1 s = 9 s before export
    expect(r!.startMs).toBe(1_800_000_000_250 - 9000);
    expect(r!.endMs).toBe(1_800_000_000_250 - 1000);
  });

  it('keeps the ICMP type/code the exporter put in the destination port', () => {
    const h = new Harness();
    h.feed(
      nf5({ uptime: 10, secs: 1, seq: 0 }, [rec({ proto: 1, sport: 0, dport: (3 << 8) | 1, flags: 0 })]),
    );
    expect(h.rows()[0]).toMatchObject({ proto: 1, sport: 0, dport: 0x0301 });
  });

  it('handles the 49.7-day sysUptime wrap and records stamped after the header', () => {
    // uptime wrapped to 500 ms; the flow started 1000 ms before the wrap
    expect(uptimeToEpochMs(1_000_000, 500, 2 ** 32 - 1000)).toBe(1_000_000 - 1500);
    expect(uptimeToEpochMs(1_000_000, 500, 700)).toBe(1_000_200);
  });

  it('applies the header sampling interval (low 14 bits) and flags a change', () => {
    const h = new Harness();
    h.feed(nf5({ uptime: 10, secs: 1, seq: 0, sampling: (1 << 14) | 100 }, [rec()]));
    h.feed(nf5({ uptime: 10, secs: 1, seq: 1, sampling: (1 << 14) | 200 }, [rec()]));
    expect(h.rows().map((r) => r.samplingRate)).toEqual([100, 200]);
    expect(h.exp.sampling.changes).toBe(1);
  });

  it('uses a configured override when the exporter sends no interval, and a forced one always', () => {
    const h = new Harness();
    h.exp.sampling.setOverride({ rate: 512 });
    h.feed(nf5({ uptime: 10, secs: 1, seq: 0 }, [rec()]));
    h.exp.sampling.setOverride({ rate: 64, force: true });
    h.feed(nf5({ uptime: 10, secs: 1, seq: 1, sampling: 100 }, [rec()]));
    expect(h.rows().map((r) => r.samplingRate)).toEqual([512, 64]);
  });

  it('counts lost flows from the flow sequence (per engine) and tolerates a restart', () => {
    const h = new Harness();
    h.feed(nf5({ uptime: 10, secs: 1, seq: 100 }, [rec(), rec()]));
    h.feed(nf5({ uptime: 10, secs: 1, seq: 102 }, [rec()]));
    h.feed(nf5({ uptime: 10, secs: 1, seq: 110 }, [rec()])); // 7 flows lost
    h.feed(nf5({ uptime: 10, secs: 1, seq: 0, engine: 1 }, [rec()])); // other engine: own counter
    h.feed(nf5({ uptime: 10, secs: 1, seq: 5 }, [rec()])); // restart: behind
    expect(h.exp.sequenceGaps).toBe(1);
    expect(h.exp.lostRecords).toBe(7);
    expect(h.exp.sequenceResets).toBe(1);
  });

  it.each([
    ['truncated header', nf5({ uptime: 1, secs: 1, seq: 0 }, [rec()]).subarray(0, 20), 'truncated'],
    [
      'truncated record',
      nf5({ uptime: 1, secs: 1, seq: 0 }, [rec(), rec()]).subarray(0, 24 + 60),
      'truncated',
    ],
    ['count 0', nf5({ uptime: 1, secs: 1, seq: 0 }, []), 'bad-count'],
    ['count 31', Buffer.concat([Buffer.from([0, 5, 0, 31]), Buffer.alloc(20 + 31 * 48)]), 'bad-count'],
  ] as const)('%s → %s, counted, nothing written', (_name, buf, kind) => {
    const h = new Harness();
    expect(h.feed(buf)).toBe(kind);
    expect(h.exp.errors[kind]).toBe(1);
    expect(h.rows()).toHaveLength(0);
  });

  it('unknown content is counted as unknown-format', () => {
    const h = new Harness();
    expect(h.feed(Buffer.from('garbage!'))).toBe('unknown-format');
    expect(h.exp.errors['unknown-format']).toBe(1);
  });
});
