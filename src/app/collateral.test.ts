// The app's collateral report: an attack's first tick reports that target only (before its event is
// submitted), and the periodic report of every target reads the window a bucket per event-loop turn.
import { describe, expect, it } from 'vitest';
import type { Config } from '../config/schema.js';
import { parseDetectionConfig } from '../detect/config.js';
import { Detector } from '../detect/detector.js';
import { TimeDriver } from '../detect/driver.js';
import type { AttackEvent } from '../domain/attack.js';
import { sampleRule } from '../domain/sample-rule.js';
import type { MitigationRunner } from '../engine-shell/runner.js';
import { FlowBatch, FORMAT_CODE } from '../flow/batch.js';
import { CollateralReport } from './collateral.js';
import type { Logger } from './logger.js';

const T0 = 1_700_000_000_000;
const ON: Config['detection']['collateral'] = { enabled: true, intervalMs: 1000 };

/** 2 s of a UDP flood on .10 and benign traffic to .20 (which has a rule standing). */
function detectorWithTraffic(): { det: Detector; events: AttackEvent[] } {
  const det = new Detector(
    parseDetectionConfig({
      networks: ['203.0.113.0/24'],
      thresholds: { host: { incoming: { pps: 10_000 } }, prefix: { incoming: { pps: 1e9 } } },
    }),
  );
  const drv = new TimeDriver(det);
  for (let t = 0; t < 2000; t += 100) {
    const b = new FlowBatch(64);
    for (let k = 0; k < 20; k++) {
      const i = b.next();
      b.family[i] = 4;
      b.dstAddr[i * 4] = ((203 << 24) | (113 << 8) | (k < 16 ? 10 : 20)) >>> 0;
      b.srcAddr[i * 4] = ((198 << 24) | (51 << 16) | (100 << 8) | k) >>> 0;
      b.proto[i] = 17;
      b.srcPort[i] = 123;
      b.dstPort[i] = 40000;
      b.packets[i] = k < 16 ? 400 : 10;
      b.bytes[i] = b.packets[i]! * 500;
      b.startMs[i] = b.endMs[i] = T0 + t;
      b.format[i] = FORMAT_CODE.sflow5;
    }
    drv.feed(b, ['r']);
    drv.advanceTo(T0 + t + 100);
  }
  return { det, events: drv.events };
}

function fakeRunner(): { runner: MitigationRunner; reports: string[] } {
  const reports: string[] = [];
  const rule = sampleRule('r1', { target: '203.0.113.20/32', intent: 'drop', state: 'announced' });
  const runner = {
    listRules: () => ({ active: [rule], queued: [] }),
    reportLegitTraffic: (target: string) => reports.push(target),
  } as unknown as MitigationRunner;
  return { runner, reports };
}

const quiet = { debug: () => undefined, error: () => undefined } as unknown as Logger;

describe('collateral report', () => {
  it("an attack's first tick reports that target only", () => {
    const { det, events } = detectorWithTraffic();
    const start = events.find((e) => e.kind === 'start')!;
    expect(start.target).toBe('203.0.113.10/32');
    const { runner, reports } = fakeRunner();
    new CollateralReport().starts(ON, det, runner, quiet, [start]);
    expect(reports).toEqual(['203.0.113.10/32']);
    new CollateralReport().starts(
      ON,
      det,
      runner,
      quiet,
      events.filter((e) => e.kind !== 'start'),
    );
    expect(reports).toEqual(['203.0.113.10/32']);
  });

  it('the periodic report reads a bucket per turn, then reports every target once', async () => {
    const { det } = detectorWithTraffic();
    const { runner, reports } = fakeRunner();
    const c = new CollateralReport();
    c.due(ON, det, runner, quiet, T0 + 2000);
    expect(reports).toEqual([]); // not within the tick
    c.due(ON, det, runner, quiet, T0 + 3500); // a pass is in flight: no second one
    for (let i = 0; i < 50 && reports.length === 0; i++) await new Promise((r) => setImmediate(r));
    expect(reports.sort()).toEqual(['203.0.113.10/32', '203.0.113.20/32']);
    for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
    expect(reports).toHaveLength(2);
  });

  it('reports nothing once stopped', async () => {
    const { det } = detectorWithTraffic();
    const { runner, reports } = fakeRunner();
    const c = new CollateralReport();
    c.due(ON, det, runner, quiet, T0 + 2000);
    c.stop();
    for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
    expect(reports).toEqual([]);
  });
});
