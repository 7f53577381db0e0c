// floodgate mitigation engine: the pure core (engine.ts and one file per stage), its I/O shell
// (runner.ts), the config section, the in-memory store double and the scenario simulator.
export * from './types.js';
export * from './config.js';
export {
  createEngine,
  step,
  nextDeadline,
  activeRules,
  queuedRules,
  type EngineState,
  type EngineOptions,
} from './engine.js';
export {
  MitigationRunner,
  type RunnerOptions,
  type RunnerLogger,
  type RunnerStats,
  type DecisionRecord,
} from './runner.js';
export { type Clock, systemClock, VirtualClock } from './clock.js';
export { MemoryStore } from './memory-store.js';
export { INTENT_KIND, renderRule, sameRoute } from './intents.js';
export { compileGuards, validateRule, type GuardCode } from './guards.js';
export { confidence } from './confidence.js';
export { simulate, scenarioSchema, formatDecision, type Scenario, type SimDecision } from './scenario.js';
