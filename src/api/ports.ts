// What the HTTP API needs from the rest of the application: small ports, wired in src/app.
import type { AuditRecord } from '../domain/audit.js';
import type { Rule } from '../domain/rule.js';
import type { AttackQuery, AttackRecord, AuditQuery, RuleQuery } from '../store/types.js';

/** A manual rule request as the API and CLI accept it; the engine applies every guard to it. */
export interface ManualRuleRequest {
  readonly target: string;
  readonly intent: Rule['intent'];
  readonly tenant?: string;
  readonly protocol?: number;
  readonly port?: number;
  readonly sourcePort?: number;
  readonly rateBps?: number;
  readonly ttlSeconds?: number;
  readonly level?: Rule['level'];
  readonly reason?: string;
}

export type ManualRuleOutcome =
  | { readonly ok: true; readonly rule: Rule; readonly queued: boolean }
  | { readonly ok: false; readonly code: 'rejected_by_guard' | 'rate_limited' | 'invalid_request'; readonly reason: string };

export interface RuleService {
  list(query: RuleQuery): Promise<Rule[]>;
  get(id: string): Promise<Rule | undefined>;
  add(request: ManualRuleRequest, actor: string): Promise<ManualRuleOutcome>;
  withdraw(id: string, actor: string, reason: string): Promise<Rule | undefined>;
}

export interface ReloadOutcome {
  readonly ok: boolean;
  readonly applied: readonly string[];
  readonly restartRequired: readonly string[];
  readonly error?: string;
}

export interface ApiPorts {
  readonly version: string;
  readonly startedAt: number;
  readonly rules: RuleService;
  readonly attacks: { list(query: AttackQuery): Promise<AttackRecord[]> };
  readonly audit: { query(query: AuditQuery): Promise<AuditRecord[]> };
  /** Health of the parts: store, listeners, adapters, BGP sessions. */
  health(): Promise<{ ok: boolean; checks: Record<string, unknown> }>;
  reloadConfig(): Promise<ReloadOutcome>;
  /** Flow exporter statistics (JSON-able). */
  exporters(): unknown;
  /** BGP peers and Adj-RIB-Out when the native speaker runs. */
  bgpPeers?(): unknown;
  bgpAdjRibOut?(peer: string): unknown;
}
