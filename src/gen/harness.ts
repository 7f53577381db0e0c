// Runs a generated scenario through a Detector in scenario time and collects the AttackEvents:
// the shared harness of detection tests and benchmarks.

import type { AttackEvent } from '../domain/attack.js';
import { FlowBatch } from '../flow/batch.js';
import type { BatchSink } from '../flow/sink.js';
import { type DetectionConfigInput, parseDetectionConfig } from '../detect/config.js';
import { Detector } from '../detect/detector.js';
import { TimeDriver } from '../detect/driver.js';
import { Scenario, type ScenarioSpec } from './traffic.js';

/** A sink that hands each full batch to a callback and reuses one batch. */
export class CallbackSink implements BatchSink {
  batch: FlowBatch;
  constructor(
    private readonly onBatch: (b: FlowBatch) => void,
    capacity = 4096,
  ) {
    this.batch = new FlowBatch(capacity);
  }
  rotate(): void {
    this.onBatch(this.batch);
    this.batch.reset();
  }
  flush(): void {
    if (this.batch.length > 0) this.rotate();
  }
}

export interface RunResult {
  readonly events: AttackEvent[];
  readonly detector: Detector;
  readonly scenario: Scenario;
}

export function runScenario(
  config: DetectionConfigInput,
  spec: ScenarioSpec,
  opts: { drainMs?: number; exporterNames?: readonly string[] } = {},
): RunResult {
  const detector = new Detector(parseDetectionConfig(config));
  const driver = new TimeDriver(detector);
  const names = opts.exporterNames ?? ['gen'];
  const sink = new CallbackSink((b) => driver.feed(b, names));
  const scenario = new Scenario(spec);
  for (const t of scenario.steps(sink)) {
    sink.flush();
    driver.advanceTo(t);
  }
  driver.drain(opts.drainMs ?? 60_000);
  return { events: driver.events, detector, scenario };
}
