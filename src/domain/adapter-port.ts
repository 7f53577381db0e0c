// The one adapter port: every mitigation target (native BGP, ExaBGP, GoBGP, BIRD, FRR, scrubbing APIs,
// webhook, local nftables, dry-run) implements this. Adapters render the Rule model; they never change it.
import type { Intent, Rule } from './rule.js';

export interface AdapterCapabilities {
  readonly families: readonly (4 | 6)[];
  readonly intents: readonly Intent[];
  /** Can restrict an announcement to named peers (Rule.peers: selective blackholing). */
  readonly selectivePeers?: boolean;
  /** (intent, family) pairs this instance cannot carry as configured, with why (e.g. no discard next hop). */
  readonly gaps?: readonly { readonly intent: Intent; readonly family: 4 | 6; readonly reason: string }[];
  /**
   * Routes are owned per rule id: withdrawing one rule never removes a route another rule it holds
   * shares (the native speaker's Adj-RIB-Out). Otherwise a withdraw removes the route itself.
   */
  readonly routesByRule?: boolean;
}

/** Outcome of one announce/withdraw: always carries the full payload sent (or that would be sent), for the audit. */
export interface AdapterResult {
  readonly ok: boolean;
  readonly payload: unknown;
  readonly error?: string;
  /** true when the failure is worth retrying (timeouts, 5xx, 429, session down). */
  readonly retryable?: boolean;
}

export type HealthStatus = 'up' | 'degraded' | 'down';

export interface AdapterHealth {
  readonly status: HealthStatus;
  readonly detail: string;
  /** BGP sessions where the target has them: peer → state. */
  readonly sessions?: Readonly<Record<string, string>>;
  readonly checkedAt: number;
}

/** A rule as the target currently holds it, for reconciliation. */
export interface HeldRule {
  readonly ruleId?: string;
  readonly target: string;
  readonly description: string;
}

export interface Adapter {
  readonly name: string;
  readonly kind: string;
  readonly capabilities: AdapterCapabilities;
  announce(rule: Rule): Promise<AdapterResult>;
  withdraw(rule: Rule): Promise<AdapterResult>;
  /**
   * What announce/withdraw would send for the rule, rendered without I/O and without sending (the dry-run
   * wrapper, src/adapters/dry-run.ts, shows it). Adapters that render a target-specific payload have it.
   */
  preview?(rule: Rule, op: 'announce' | 'withdraw'): AdapterResult;
  /** What the target currently holds that this adapter put there. */
  list(): Promise<readonly HeldRule[]>;
  /** Active connectivity test. */
  test(): Promise<AdapterHealth>;
  /** Last known health without I/O. */
  health(): AdapterHealth;
  close(): Promise<void>;
}
