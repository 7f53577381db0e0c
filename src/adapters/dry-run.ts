// Dry-run adapter: sends nothing, returns the full would-be payload (the rule as FlowSpec text in the
// project's one grammar, its actions and unicast attributes, and the rule as JSON) for the audit log.
// It carries every intent and both families, and remembers what it "holds" so reconciliation works.
// Dry-run is this wrapper only (STYLE.md rule 8): wrapped around a real adapter, it adds the target's own
// rendering (Adapter.preview: the ExaBGP command, GoBGP Path, BIRD file, vtysh lines), never calling it.
import type { Rule } from '../domain/rule.js';
import { INTENTS } from '../domain/rule.js';
import type { FlowSpecAction } from '../flowspec/types.js';
import { formatFlowSpec } from '../flowspec/text.js';
import type { Adapter, AdapterHealth, AdapterResult, HeldRule } from '../domain/adapter-port.js';

export interface DryRunPayload {
  readonly adapter: string;
  readonly op: 'announce' | 'withdraw';
  readonly dryRun: true;
  /** Human-readable lines an operator would recognise: FlowSpec text or the unicast route. */
  readonly text: string;
  readonly rule: Rule;
  /** The wrapped adapter's rendering of what it would send. */
  readonly target?: unknown;
}

function actionText(a: FlowSpecAction): string {
  switch (a.kind) {
    case 'traffic-rate-bytes':
      return a.bytesPerSecond === 0
        ? 'then discard'
        : `then rate-limit ${a.bytesPerSecond} bytes/s (asn ${a.asn})`;
    case 'traffic-rate-packets':
      return `then rate-limit ${a.packetsPerSecond} packets/s (asn ${a.asn})`;
    case 'traffic-action':
      return `then traffic-action${a.terminal ? ' terminal' : ''}${a.sample ? ' sample' : ''}`;
    case 'redirect-vrf':
      return `then redirect-vrf ${a.routeTarget}`;
    case 'traffic-marking':
      return `then mark dscp ${a.dscp}`;
    case 'redirect-ip':
      return `then redirect-ip ${a.nextHop}${a.copy ? ' copy' : ''}`;
  }
}

/** One-line rendering of what an adapter would send for the rule. */
export function renderRuleText(rule: Rule): string {
  switch (rule.intent) {
    case 'blackhole':
    case 'scrubbing': {
      const parts = [
        `route ${rule.target}`,
        rule.intent === 'blackhole' ? 'blackhole' : 'divert to scrubbing',
      ];
      if (rule.communities?.length) parts.push(`community ${rule.communities.join(' ')}`);
      if (rule.largeCommunities?.length) parts.push(`large-community ${rule.largeCommunities.join(' ')}`);
      if (rule.peers?.length) parts.push(`peers ${rule.peers.join(' ')}`);
      return parts.join(' ');
    }
    case 'geo-lockdown':
      return `local ${formatFlowSpec(rule.match)} then geo-lockdown allow ${(rule.allowCountries ?? []).join(',') || '(none)'}`;
    case 'syn-cookies':
    case 'synproxy':
      return `local ${formatFlowSpec(rule.match)} then ${rule.intent}`;
    default:
      return [formatFlowSpec(rule.match), ...rule.actions.map(actionText)].join(' ');
  }
}

export class DryRunAdapter implements Adapter {
  readonly kind = 'dry-run';
  readonly capabilities = { families: [4, 6] as const, intents: INTENTS };
  private readonly held = new Map<string, HeldRule>();
  private readonly now: () => number;

  constructor(
    readonly name = 'dry-run',
    now: () => number = Date.now,
    /** A real adapter whose rendering the payload shows (only its pure preview is called). */
    private readonly inner?: Adapter,
  ) {
    this.now = now;
  }

  private result(op: 'announce' | 'withdraw', rule: Rule): AdapterResult {
    const base: DryRunPayload = {
      adapter: this.name,
      op,
      dryRun: true,
      text: `${op} ${renderRuleText(rule)}`,
      rule,
    };
    const preview = this.inner?.preview?.(rule, op);
    if (preview === undefined) return { ok: true, payload: base };
    const payload: DryRunPayload = { ...base, target: preview.payload };
    return preview.ok
      ? { ok: true, payload }
      : { ok: false, payload, error: preview.error ?? 'error', retryable: false };
  }

  async announce(rule: Rule): Promise<AdapterResult> {
    const r = this.result('announce', rule);
    if (r.ok)
      this.held.set(rule.id, { ruleId: rule.id, target: rule.target, description: renderRuleText(rule) });
    return r;
  }

  async withdraw(rule: Rule): Promise<AdapterResult> {
    const r = this.result('withdraw', rule);
    if (r.ok) this.held.delete(rule.id);
    return r;
  }

  async list(): Promise<readonly HeldRule[]> {
    return [...this.held.values()];
  }

  async test(): Promise<AdapterHealth> {
    return this.health();
  }

  health(): AdapterHealth {
    return { status: 'up', detail: 'dry-run: nothing is sent', checkedAt: this.now() };
  }

  async close(): Promise<void> {}
}
