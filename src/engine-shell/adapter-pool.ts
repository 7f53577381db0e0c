// Adapter wrappers of the runner (STYLE.md rule 8: dry-run, metrics and failover around the drivers,
// not inside them). Adapters are scored by health: last known status, then consecutive failures; an
// announce goes to the best adapter that carries the rule's intent and family and fails over to the next.
import type { Adapter, AdapterResult, HealthStatus } from './ports.js';
import type { Rule } from '../domain/rule.js';
import { whyNotCarried } from '../mitigation/carry.js';

export interface AdapterStats {
  calls: number;
  failures: number;
  consecutiveFailures: number;
  lastLatencyMs: number;
}

export interface CallOutcome {
  readonly adapter: string;
  readonly result: AdapterResult;
}

const STATUS_SCORE: Readonly<Record<HealthStatus, number>> = { up: 100, degraded: 50, down: 0 };

export class AdapterPool {
  private readonly stats = new Map<string, AdapterStats>();

  constructor(
    private readonly adapters: readonly Adapter[],
    private readonly dryRun: Adapter,
    private readonly now: () => number = () => performance.now(),
  ) {
    for (const a of [...adapters, dryRun])
      this.stats.set(a.name, { calls: 0, failures: 0, consecutiveFailures: 0, lastLatencyMs: 0 });
  }

  all(): readonly Adapter[] {
    return this.adapters;
  }

  byName(name: string): Adapter | undefined {
    return name === this.dryRun.name ? this.dryRun : this.adapters.find((a) => a.name === name);
  }

  score(a: Adapter): number {
    const s = this.stats.get(a.name);
    let health: HealthStatus = 'down';
    try {
      health = a.health().status;
    } catch {
      health = 'down';
    }
    return STATUS_SCORE[health] - 10 * Math.min(5, s?.consecutiveFailures ?? 0);
  }

  /** Adapters able to carry the rule, best first (stable in configuration order on ties). */
  candidates(rule: Rule): Adapter[] {
    if (rule.dryRun) return [this.dryRun];
    return this.adapters
      .map((a, i) => ({ a, i, s: this.score(a) }))
      .filter(
        ({ a }) =>
          whyNotCarried(
            { name: a.name, ...a.capabilities },
            rule.intent,
            rule.family,
            (rule.peers?.length ?? 0) > 0,
          ) === undefined,
      )
      .sort((x, y) => y.s - x.s || x.i - y.i)
      .map(({ a }) => a);
  }

  async call(adapter: Adapter, op: 'announce' | 'withdraw', rule: Rule): Promise<CallOutcome> {
    const st = this.stats.get(adapter.name) as AdapterStats;
    const t0 = this.now();
    let result: AdapterResult;
    try {
      result = op === 'announce' ? await adapter.announce(rule) : await adapter.withdraw(rule);
    } catch (e) {
      result = {
        ok: false,
        payload: null,
        error: e instanceof Error ? e.message : String(e),
        retryable: true,
      };
    }
    st.calls++;
    st.lastLatencyMs = this.now() - t0;
    if (result.ok) st.consecutiveFailures = 0;
    else {
      st.failures++;
      st.consecutiveFailures++;
    }
    return { adapter: adapter.name, result };
  }

  /** A passed connectivity test is evidence the adapter works again: its failure streak ends (fail-back). */
  noteTest(a: Adapter, status: HealthStatus): void {
    const st = this.stats.get(a.name);
    if (st && status === 'up') st.consecutiveFailures = 0;
  }

  /**
   * Announce on the best candidate, failing over to the next ones; the last failure if all fail.
   * `exclude` names an adapter not to use (re-homing a rule off an adapter that went down).
   */
  async announce(rule: Rule, exclude?: string): Promise<CallOutcome> {
    const list = this.candidates(rule).filter((a) => a.name !== exclude);
    if (list.length === 0) {
      return {
        adapter: '-',
        result: {
          ok: false,
          payload: null,
          retryable: false,
          error: `no adapter carries ${rule.intent} for IPv${rule.family}${(rule.peers?.length ?? 0) > 0 ? ' restricted to rtbh.peers' : ''}`,
        },
      };
    }
    let last: CallOutcome | undefined;
    let retryable = false;
    for (const a of list) {
      last = await this.call(a, 'announce', rule);
      if (last.result.ok) return last;
      retryable ||= last.result.retryable === true;
    }
    const r = (last as CallOutcome).result;
    return { adapter: (last as CallOutcome).adapter, result: { ...r, retryable } };
  }

  snapshot(): Record<string, AdapterStats & { score: number }> {
    const out: Record<string, AdapterStats & { score: number }> = {};
    for (const a of [...this.adapters, this.dryRun])
      out[a.name] = { ...(this.stats.get(a.name) as AdapterStats), score: this.score(a) };
    return out;
  }
}
