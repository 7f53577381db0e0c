// Audit records of the runner: every announce / withdraw with the adapter that took it and the full
// payload it sent (ARCHITECTURE.md, Audit). A failed append is logged and never stops the engine.
import type { AuditRecord } from '../domain/audit.js';
import type { Decision } from '../mitigation/types.js';
import type { RunnerLogger } from './context.js';
import type { EngineStore } from './ports.js';

/** The payload of a decision's own record (no adapter call): what the engine decided with. */
export function decisionExtra(d: Decision): unknown {
  return {
    ...(d.intent !== undefined ? { intent: d.intent } : {}),
    ...(d.level !== undefined ? { level: d.level } : {}),
    ...(d.confidence !== undefined ? { confidence: d.confidence } : {}),
  };
}

export function toAudit(
  d: Decision,
  adapter: string | undefined,
  payload: unknown,
  error?: string,
): AuditRecord {
  return {
    at: d.at,
    actor: d.actor,
    action: d.action,
    tenant: d.tenant,
    target: d.target,
    ...(d.ruleId !== undefined ? { ruleId: d.ruleId } : {}),
    ...(d.attackId !== undefined ? { attackId: d.attackId } : {}),
    ...(adapter !== undefined ? { adapter } : {}),
    dryRun: d.dryRun,
    reason: error !== undefined ? `${d.reason} — FAILED: ${error}` : d.reason,
    ...(payload !== undefined ? { payload } : {}),
  };
}

export async function appendAudit(store: EngineStore, log: RunnerLogger, record: AuditRecord): Promise<void> {
  try {
    await store.audit.append(record);
  } catch (e) {
    log.error(
      { err: String(e), action: record.action, target: record.target },
      'mitigation: audit append failed',
    );
  }
}
