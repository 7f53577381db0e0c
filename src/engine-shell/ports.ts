// What the engine's shell needs from the outside, declared here by its consumer: the repositories it
// writes (rules, audit), the cross-process lock and the cluster budget (src/domain/store-port.ts), and
// adapters (src/domain/adapter-port.ts). src/app/ plugs the implementations in.
import type { Store } from '../domain/store-port.js';

export type { Adapter, AdapterResult, HealthStatus } from '../domain/adapter-port.js';

/** The part of a Store the runner uses; any full Store (SQLite, PostgreSQL, in-memory) is one. */
export type EngineStore = Pick<Store, 'rules' | 'audit' | 'locks' | 'budget'>;
