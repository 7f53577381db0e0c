import { describe, expect, it } from 'vitest';
import { runScenario } from '../gen/harness.js';
import type { BenignSpec, ScenarioSpec } from '../gen/traffic.js';
import { parseDetectionConfig } from './config.js';
import { Detector } from './detector.js';
import { TimeDriver } from './driver.js';
import type { CountWindow } from './window.js';
import { CallbackSink } from '../gen/harness.js';
import { Scenario } from '../gen/traffic.js';

const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;
const HOSTS = ['203.0.113.10', '203.0.113.11', '2001:db8::13'];
// Static thresholds far above the traffic: only the learned baselines can alarm after bootstrap.
const config = (mode: 'ewma' | 'p99') => ({
  networks: ['203.0.113.0/24', '2001:db8::/32'],
  thresholds: {
    mode,
    bootstrapSeconds: 120,
    host: { incoming: { pps: 1e6 } },
    prefix: { incoming: { pps: 1e7 } },
  },
  dynamic: { minPps: 500 },
});
const benign = (extra: Partial<BenignSpec>): BenignSpec => ({
  hosts: HOSTS,
  mixes: ['web', 'dns', 'game', 'mixed'],
  ppsPerHost: 2000,
  responseRatio: 0.5,
  burstiness: 0.01,
  diurnalAmplitude: 0.3,
  diurnalPeriodMs: HOUR / 2,
  ...extra,
});
const hour = (b: BenignSpec, attacks: ScenarioSpec['attacks'] = []): ScenarioSpec => ({
  seed: 7,
  startMs: T0,
  durationMs: HOUR,
  stepMs: 1000,
  benign: b,
  attacks,
  output: { kind: 'flows', recordsPerStep: 2 },
});

describe.each(['ewma', 'p99'] as const)('dynamic baselines (%s)', (mode) => {
  it('benign traffic growing 10× over an hour with a diurnal swing and bursts raises no alarm', () => {
    const { events, scenario } = runScenario(config(mode), hour(benign({ growth: 10 })));
    expect(events).toEqual([]);
    expect(scenario.totals.benignPkts).toBeGreaterThan(3 * 2000 * 3600);
  });

  it('a sudden legitimate 2× step raises no alarm', () => {
    const { events } = runScenario(config(mode), hour(benign({ step: { atMs: T0 + HOUR / 2, factor: 2 } })));
    expect(events).toEqual([]);
  });

  it('a SYN flood on top is found against the learnt baseline and named', () => {
    const { events } = runScenario(
      config(mode),
      hour(benign({}), [
        {
          family: 'syn_flood',
          target: '203.0.113.11',
          pps: 8000,
          startMs: T0 + 2000_000,
          durationMs: 60_000,
        },
      ]),
    );
    const s = events.filter((e) => e.kind === 'start');
    expect(s.map((e) => [e.target, e.family])).toEqual([['203.0.113.11/32', 'syn_flood']]);
    expect(s[0]!.reason).toMatch(mode === 'ewma' ? /EWMA baseline/ : /p99 baseline/);
    // Flow records here cover one second each: the attack shows once its first record is in.
    expect(s[0]!.at - (T0 + 2000_000)).toBeLessThanOrEqual(2000);
  });
});

describe('bootstrap and persistence', () => {
  const spec = (durationMs: number, startMs = T0): ScenarioSpec => ({
    seed: 3,
    startMs,
    durationMs,
    stepMs: 500,
    benign: { hosts: ['203.0.113.10'], mixes: ['dns'], ppsPerHost: 2000 },
    output: { kind: 'flows', recordsPerStep: 2 },
  });

  it('falls back to the static thresholds during bootstrap', () => {
    const cfg = {
      ...config('ewma'),
      thresholds: { ...config('ewma').thresholds, host: { incoming: { pps: 1000 } } },
    };
    const { events } = runScenario(cfg, spec(10_000));
    expect(events[0]?.reason).toMatch(/group default host threshold/);
  });

  it('baselines survive a restart through baselinesToJSON / loadBaselines', () => {
    const cfg = parseDetectionConfig({
      ...config('p99'),
      thresholds: { ...config('p99').thresholds, host: { incoming: { pps: 3000 } } },
    });
    const run = (det: Detector, s: ScenarioSpec) => {
      const drv = new TimeDriver(det);
      const sink = new CallbackSink((b) => drv.feed(b, ['r']));
      for (const t of new Scenario(s).steps(sink)) {
        sink.flush();
        drv.advanceTo(t);
      }
      return drv.events;
    };
    const first = new Detector(cfg);
    expect(run(first, spec(200_000))).toEqual([]);
    const blob = JSON.parse(JSON.stringify(first.baselinesToJSON()));
    expect(Object.keys(blob.sets['host.incoming'])).toEqual(['203.0.113.10/32']);
    // A restarted detector with the blob judges 3× traffic by the baseline at once (static alone would say 3000).
    const second = new Detector(cfg);
    expect(second.loadBaselines(blob)).toBeGreaterThan(0);
    // a restored target's row limits (rowgate.ts) are those of a target its traffic inserted
    const rowLimits = (det: Detector) => {
      const hosts = (det as unknown as { w: CountWindow }).w.sets[0]!;
      const id = hosts.table.findWords(4, 0xcb00710a, 0, 0, 0);
      const r = id * hosts.stride + hosts.rowLimOff;
      return [...hosts.sums.subarray(r, r + 3)];
    };
    expect(rowLimits(second)).toEqual(rowLimits(first));
    expect(rowLimits(first)[0]).toBeGreaterThan(0);
    const attack: ScenarioSpec = {
      ...spec(5000, T0 + 200_000),
      benign: { hosts: ['203.0.113.10'], mixes: ['dns'], ppsPerHost: 2000, step: { atMs: 0, factor: 4 } },
    };
    const ev = run(second, attack);
    expect(ev[0]?.reason).toMatch(/p99 baseline/);
    // A fresh detector without the blob only has the static threshold.
    const third = run(new Detector(cfg), attack);
    expect(third[0]?.reason).toMatch(/group default host threshold/);
  });
});
