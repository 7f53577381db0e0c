// Append-only audit record: every decision, announce and withdraw with its full adapter payload.

/** Every audit action, in the order the API and the dashboard list them. */
export const AUDIT_ACTIONS = [
  'alert',
  'announce',
  'escalate',
  'de-escalate',
  'withdraw',
  'reject',
  'queue',
  'rollback',
  'refresh',
  'retry',
  'config',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditRecord {
  /** Assigned by the store (monotonic). */
  readonly id?: number;
  readonly at: number;
  /** Who caused it: "engine", "api:<user>", "cli", "config". */
  readonly actor: string;
  readonly action: AuditAction;
  readonly tenant: string;
  readonly target?: string;
  readonly ruleId?: string;
  readonly attackId?: string;
  /** Adapter that carried it ("dry-run" when nothing was sent). */
  readonly adapter?: string;
  readonly dryRun: boolean;
  readonly reason: string;
  /** The full would-be or actual adapter payload (JSON-serialisable). */
  readonly payload?: unknown;
}
