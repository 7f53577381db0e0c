// The mitigation engine's imperative shell: the one serialised queue that feeds the pure core
// (src/mitigation/) and performs its actions — adapter calls with scoring and failover, store writes,
// the audit — plus the virtual-clock scenario driver behind `floodgate simulate`.
export {
  MitigationRunner,
  type RunnerOptions,
  type RunnerLogger,
  type RunnerStats,
  type DecisionRecord,
} from './runner.js';
export { type Clock, systemClock, VirtualClock } from './clock.js';
export type { EngineStore } from './ports.js';
export { simulate, scenarioSchema, formatDecision, type Scenario, type SimDecision } from './scenario.js';
