// What the runner's effect modules (reconcile.ts, placement.ts) share with it: the ports, the record of
// which adapter holds which rule, the engine state as it is now, and the way back into the one queue.
import type { AuditRecord } from '../domain/audit.js';
import type { AdapterPool } from './adapter-pool.js';
import type { Clock } from './clock.js';
import type { EngineState } from '../mitigation/engine.js';
import type { Decision, EngineInput } from '../mitigation/types.js';
import type { EngineStore } from './ports.js';

export interface RunnerLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** A decision as it was carried out: the adapter that took it and whether it succeeded. */
export interface DecisionRecord extends Decision {
  readonly adapter?: string;
  readonly ok?: boolean;
  readonly payload?: unknown;
}

export interface ShellContext {
  readonly store: EngineStore;
  readonly pool: AdapterPool;
  readonly clock: Clock;
  readonly log: RunnerLogger;
  /** Rule id → adapter that holds it. */
  readonly placement: Map<string, string>;
  /** The engine state as of now (it changes between awaits). */
  state(): EngineState;
  /** Back into the one queue (adapter results, adoptions, budget refusals). */
  submit(input: EngineInput): void;
  /** Appends to the audit log; a failed append is logged, never thrown. */
  audit(record: AuditRecord): Promise<void>;
  /** Reports a carried-out decision (simulate prints these). */
  decided(d: DecisionRecord): void;
}
