// Detector.topTalkers: the N busiest hosts of one direction by current window packet rate.
import { describe, expect, it } from 'vitest';
import { FlowBatch } from '../flow/batch.js';
import { parseDetectionConfig } from './config.js';
import { Detector } from './detector.js';

const T0 = 1_700_000_000_000;

function batch(perHost: Record<number, number>, now: number): FlowBatch {
  const b = new FlowBatch(4096);
  for (const [host, packets] of Object.entries(perHost)) {
    const i = b.next();
    b.family[i] = 4;
    b.srcAddr[i * 4] = ((198 << 24) | (51 << 16) | (100 << 8) | 1) >>> 0;
    b.dstAddr[i * 4] = ((203 << 24) | (0 << 16) | (113 << 8) | Number(host)) >>> 0;
    b.proto[i] = 17;
    b.packets[i] = packets;
    b.bytes[i] = packets * 100;
    b.samplingRate[i] = 1;
    b.startMs[i] = b.endMs[i] = now;
  }
  return b;
}

describe('Detector.topTalkers', () => {
  it('ranks hosts by packet rate, bounded to n, with bit rates', () => {
    const det = new Detector(
      parseDetectionConfig({
        networks: ['203.0.113.0/24'],
        thresholds: { host: { incoming: { pps: 1e12 } } },
      }),
    );
    det.tick(T0);
    det.ingest(batch({ 1: 100, 2: 5000, 3: 700, 4: 2000 }, T0 + 10), ['t']);
    det.tick(T0 + 100);
    const top = det.topTalkers(3);
    expect(top.map((t) => t.target)).toEqual(['203.0.113.2/32', '203.0.113.4/32', '203.0.113.3/32']);
    expect(top[0]!.bps / top[0]!.pps).toBeCloseTo(800); // 100-byte packets
    expect(top[0]!.pps).toBeGreaterThan(top[1]!.pps);
    expect(det.topTalkers(0)).toEqual([]);
    expect(det.topTalkers(3, 'outgoing')).toEqual([]);
  });
});
