// Inputs, outputs and decisions of the pure mitigation core (engine.ts). The shell (runner.ts) turns
// outside happenings into EngineInput and carries out EngineAction; nothing else touches engine state.
import type { RefusalCode } from '../domain/errors.js';
import type { AttackEvent } from '../domain/attack.js';
import type { AuditAction } from '../domain/audit.js';
import type { EscalationLevel, Intent, Rule } from '../domain/rule.js';
import type { MitigationConfig } from './config.js';

/** RPKI route origin validation result (RFC 6811 §2); unknown = NotFound, or no RPKI data. */
export type OriginState = 'valid' | 'invalid' | 'unknown';
/** A state with the words behind it: which VRPs matched or covered, or why there is no data. */
export interface OriginVerdict {
  readonly state: OriginState;
  readonly detail: string;
}
/**
 * Synchronous port over the current VRP set, consulted before any unicast announcement, for the
 * AS our announcements carry. A bare state is shorthand for a verdict without detail.
 */
export type OriginValidator = (prefix: string) => OriginVerdict | OriginState;

/** A rule asked for by an operator (API, CLI, scenario). Rates are bits per second. */
export interface ManualRuleRequest {
  readonly target: string;
  readonly intent: Intent;
  /** Defaults to the tenant whose network holds the target; if given it must match. */
  readonly tenant?: string;
  /** IP protocol number(s). */
  readonly protocol?: number | readonly number[];
  /** Destination port(s). */
  readonly port?: number | readonly number[];
  readonly sourcePort?: number | readonly number[];
  /**
   * A full FlowSpec match in the text grammar (src/flowspec/text.ts), e.g.
   * "flow4 proto =17 sport =53 length >=512". Its destination, if given, must be the target; it is
   * exclusive with protocol/port/sourcePort and applies to FlowSpec and local intents only.
   */
  readonly match?: string;
  readonly rateBitsPerSecond?: number;
  readonly ttlSeconds?: number;
  readonly level?: EscalationLevel;
  /** Ask for dry-run; the global and default-policy dry-run flags always win. */
  readonly dryRun?: boolean;
  readonly reason?: string;
}

export type ManualResult =
  | { readonly ok: true; readonly rule: Rule; readonly queued: boolean }
  | { readonly ok: false; readonly code: RefusalCode; readonly reason: string };

export type SendOp = 'announce' | 'withdraw';

export type EngineInput =
  | { readonly type: 'event'; readonly event: AttackEvent }
  | {
      readonly type: 'manual-add';
      readonly requestId: string;
      readonly actor: string;
      readonly request: ManualRuleRequest;
    }
  | {
      readonly type: 'manual-withdraw';
      readonly requestId: string;
      readonly actor: string;
      readonly ruleId: string;
      readonly reason?: string;
    }
  | { readonly type: 'tick' }
  | {
      readonly type: 'adapter-result';
      readonly ruleId: string;
      readonly op: SendOp;
      readonly ok: boolean;
      readonly retryable: boolean;
      readonly error?: string;
      readonly adapter: string;
    }
  | { readonly type: 'config'; readonly config: MitigationConfig; readonly actor: string }
  /** Legitimate (non-matching) traffic towards a target, bits/s, as detection measures it. */
  | { readonly type: 'legit-traffic'; readonly target: string; readonly bps: number }
  /** Active rules loaded from the store after a restart; `resend` lists ids no adapter holds. */
  | { readonly type: 'restore'; readonly rules: readonly Rule[]; readonly resend: readonly string[] }
  /** Another process already holds `held` for the target of our rule `ruleId`: take it over, send nothing. */
  | { readonly type: 'adopt'; readonly ruleId: string; readonly held: Rule }
  /** The shared store refused the announcement of `ruleId` (cluster-wide budget): nothing was sent. */
  | {
      readonly type: 'budget-denied';
      readonly ruleId: string;
      readonly attempt: number;
      /** Earliest time the budget can have room. */
      readonly retryAt: number;
      readonly why: string;
      /** Of the refused send's decision, to queue it again as it was. */
      readonly actor: string;
      readonly reason: string;
      readonly confidence?: number;
    };

export type DecisionAction = Exclude<AuditAction, never>;

/** One decision, in time order; the runner appends it to the audit (with the adapter payload for sends). */
export interface Decision {
  readonly at: number;
  readonly action: DecisionAction;
  readonly actor: string;
  readonly tenant: string;
  readonly target: string;
  readonly intent?: Intent;
  readonly level?: EscalationLevel;
  readonly ruleId?: string;
  readonly attackId?: string;
  readonly dryRun: boolean;
  readonly reason: string;
  readonly confidence?: number;
}

export type EngineAction =
  /** Record a decision that calls no adapter. */
  | { readonly kind: 'decision'; readonly decision: Decision }
  /**
   * Call the adapters. For an announce with `previous`, announce the new rule first, then withdraw the
   * previous one unless both are the same route (make-before-break).
   */
  | {
      readonly kind: 'send';
      readonly op: SendOp;
      readonly rule: Rule;
      readonly previous?: Rule;
      readonly attempt: number;
      readonly decision: Decision;
    }
  /** Write the rule's current state to the store. */
  | { readonly kind: 'persist'; readonly rule: Rule }
  /** Answer a manual request. */
  | { readonly kind: 'reply'; readonly requestId: string; readonly result: ManualResult };

export interface StepResult<S> {
  readonly state: S;
  readonly actions: EngineAction[];
}
