// Detection: FlowBatch records in, AttackEvents out (see detector.ts). The app owns the clock:
// it calls detector.ingest(batch, exporterNames) from the collector and detector.tick(Date.now())
// every `tick` ms; replay and tests drive it in record time with TimeDriver.
export * from './config.js';
export { Detector, LEVELS } from './detector.js';
export type { BaselineBlob, DetectorOptions, DetectorStats, Level } from './detector.js';
export { TimeDriver } from './driver.js';
export { classify } from './classify.js';
export type { Classification } from './classify.js';
