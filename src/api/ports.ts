// What the HTTP API needs from the rest of the application: small ports, wired in src/app.
import type { AuditRecord } from '../domain/audit.js';
import type { Rule } from '../domain/rule.js';
import type { TenantMap } from '../domain/tenants.js';
import type { MitigationConfig } from '../mitigation/config.js';
import type { MetricsEndpoint } from '../export/metrics-route.js';
import type { ForensicsPorts } from '../forensics/service.js';
import type { AgentHub } from '../agent/hub.js';
import type { AgentRegistry } from '../agent/registry.js';
import type { ManualResult, ManualRuleRequest } from '../mitigation/types.js';
import type { NotifyPort } from '../notify/index.js';
import type {
  AttackQuery,
  AttackRecord,
  AuditQuery,
  AuditVerification,
  RuleQuery,
  TokenRepository,
} from '../domain/store-port.js';

export type { ManualResult, ManualRuleRequest } from '../mitigation/types.js';

export interface RuleService {
  list(query: RuleQuery): Promise<Rule[]>;
  get(id: string): Promise<Rule | undefined>;
  add(request: ManualRuleRequest, actor: string): Promise<ManualResult>;
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
  readonly audit: {
    query(query: AuditQuery): Promise<AuditRecord[]>;
    append(record: AuditRecord): Promise<number>;
    verify(): Promise<AuditVerification>;
  };
  readonly tokens: TokenRepository;
  /** The current tenant → networks map (changes on config reload). */
  tenants(): TenantMap;
  /** The current mitigation config: policies, guards, whitelists, tenants. */
  mitigation(): MitigationConfig;
  /** Health of the parts: store, listeners, adapters, BGP sessions. */
  health(): Promise<{ ok: boolean; checks: Record<string, unknown> }>;
  reloadConfig(): Promise<ReloadOutcome>;
  /** Flow exporter statistics (JSON-able). */
  exporters(): unknown;
  /** BGP peers and Adj-RIB-Out when the native speaker runs. */
  bgpPeers?(): unknown;
  bgpAdjRibOut?(peer: string): unknown;
  /** Incidents, dead letters, maintenance and public status pages, when notifications run. */
  readonly notify?: NotifyPort;
  /** Prometheus exposition for GET /metrics. */
  readonly metrics?: MetricsEndpoint;
  /** RPKI data and route origin validation when rpki sources are configured. */
  readonly rpki?: {
    status(): unknown;
    /** Undefined when the prefix does not parse. */
    validate(prefix: string, originAs?: number): unknown;
  };
  /** Attack captures (pcapng), when forensics is enabled. */
  readonly forensics?: ForensicsPorts;
  /** Host agents (enrolment, reports), when agents.enabled. */
  readonly agents?: AgentsPort;
}

export interface AgentsPort {
  readonly registry: Pick<AgentRegistry, 'list' | 'get' | 'create' | 'revoke' | 'findActiveByKeyHash'>;
  readonly hub: Pick<AgentHub, 'report' | 'statusOf' | 'forget'>;
}
