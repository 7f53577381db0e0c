// floodgate mitigation engine: the pure core (engine.ts and one file per stage) and its config section.
// The imperative shell that drives it (runner, adapter pool, scenario simulator) is src/engine-shell/.
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
export { renderRule, sameRoute } from './intents.js';
export { compileGuards, validateRule, type GuardCode } from './guards.js';
export { confidence } from './confidence.js';
