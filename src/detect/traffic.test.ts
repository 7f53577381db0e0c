// Detector.traffic: the read-only view the dashboard charts (current window rate and learned normal).
import { describe, expect, it } from 'vitest';
import { FlowBatch } from '../flow/batch.js';
import { parseDetectionConfig } from './config.js';
import { Detector } from './detector.js';

const T0 = 1_700_000_000_000;

/** 1000 packets of 500 bytes per second to 203.0.113.10 for `seconds`, ticking once a second. */
function steady(mode: 'static' | 'ewma', seconds: number): Detector {
  const d = new Detector(
    parseDetectionConfig({
      networks: ['203.0.113.0/24'],
      thresholds: { mode, bootstrapSeconds: 10, host: { incoming: { pps: 1e6 } } },
    }),
  );
  const b = new FlowBatch(4);
  for (let s = 0; s < seconds; s++) {
    b.reset();
    const i = b.next();
    b.family[i] = 4;
    b.srcAddr[i * 4] = ((198 << 24) | (51 << 16) | (100 << 8) | 7) >>> 0;
    b.dstAddr[i * 4] = ((203 << 24) | (0 << 16) | (113 << 8) | 10) >>> 0;
    b.proto[i] = 17;
    b.srcPort[i] = 5000;
    b.dstPort[i] = 53;
    b.packets[i] = 1000;
    b.bytes[i] = 500_000;
    b.startMs[i] = T0 + s * 1000;
    b.endMs[i] = T0 + s * 1000 + 999;
    d.ingest(b, ['test']);
    d.tick(T0 + (s + 1) * 1000);
  }
  return d;
}

describe('Detector.traffic', () => {
  it('gives a host its window rate and the EWMA it learned', () => {
    const t = steady('ewma', 60)!.traffic('203.0.113.10/32')!;
    expect(t).toMatchObject({
      target: '203.0.113.10/32',
      level: 'host',
      direction: 'incoming',
      mode: 'ewma',
    });
    expect(t.pps).toBeGreaterThan(900);
    expect(t.pps).toBeLessThan(1100);
    expect(t.bps).toBeCloseTo(t.pps * 500 * 8, -3);
    expect(t.baselinePps).toBeGreaterThan(0);
    expect(t.baselinePps).toBeLessThanOrEqual(1100);
    expect(t.baselineBps).toBeGreaterThan(0);
  });

  it('reads the /24 total at prefix level and a bare address as the host', () => {
    const d = steady('ewma', 5);
    expect(d.traffic('203.0.113.0/24')).toMatchObject({ target: '203.0.113.0/24', level: 'prefix' });
    expect(d.traffic('203.0.113.10')).toMatchObject({ target: '203.0.113.10/32', level: 'host' });
  });

  it('has no baseline for a static group, and nothing for untracked or invalid targets', () => {
    const d = steady('static', 5);
    const t = d.traffic('203.0.113.10/32')!;
    expect(t.mode).toBe('static');
    expect(t.baselinePps).toBeUndefined();
    expect(d.traffic('203.0.113.99/32')).toBeUndefined();
    expect(d.traffic('203.0.113.10/32', 'outgoing')).toBeUndefined();
    expect(d.traffic('not an address')).toBeUndefined();
  });
});
