// Typed render errors shared by the BGP-daemon adapters (ExaBGP, GoBGP, BIRD, FRR). A renderer never
// drops or widens part of a rule to make it fit a daemon (STYLE.md rule 4): it fails with one of these.
import type { AdapterResult } from '../../domain/adapter-port.js';

export type RenderErrorCode =
  | 'unsupported-intent'
  | 'unsupported-family'
  | 'unsupported-component'
  | 'unsupported-operator'
  | 'unsupported-action'
  | 'missing-action'
  | 'bad-community'
  | 'bad-prefix'
  | 'selective-peers'
  | 'missing-next-hop';

export class RenderError extends Error {
  override readonly name = 'RenderError';
  constructor(
    readonly code: RenderErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Message of any thrown value, for AdapterResult.error. */
export function errorText(err: unknown): string {
  if (err instanceof RenderError) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return err.message;
  return String(err);
}

/** The result of a rule the adapter refuses to render: never retried, the payload names the rule. */
export function refused(adapter: string, ruleId: string, err: unknown): AdapterResult {
  return { ok: false, payload: { adapter, rule: ruleId }, error: errorText(err), retryable: false };
}
