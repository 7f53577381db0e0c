// The agent's local mitigation: makes its nftables table hold exactly the rules the controller last
// answered with (announce what is new or changed, withdraw what is gone) through the local adapter
// (src/adapters/local), refusing rules whose intent this host does not allow or whose target is not one of
// its networks. While the controller is unreachable held rules stay until their expiresAt, then go. Calls
// are serialised: a newer desired set waits for the running one and replaces any set queued before it.
import type { Intent, Rule } from '../domain/rule.js';
import { insideNetworks } from './registry.js';

export interface RuleTarget {
  announce(rule: Rule): Promise<{ ok: boolean; error?: string }>;
  withdraw(rule: Rule): Promise<{ ok: boolean; error?: string }>;
  list(): Promise<readonly { ruleId?: string; target: string }[]>;
}

export interface LocalLog {
  info(o: object, m: string): void;
  warn(o: object, m: string): void;
}

export class LocalMitigation {
  private readonly held = new Map<string, { rule: Rule; text: string }>();
  private running: Promise<void> = Promise.resolve();
  private next: Rule[] | undefined;
  refused = 0;
  failures = 0;

  constructor(
    private readonly target: RuleTarget,
    private readonly allow: readonly Intent[],
    private readonly networks: readonly string[],
    private readonly log: LocalLog,
  ) {}

  heldIds(): string[] {
    return [...this.held.keys()];
  }

  /** Removes whatever a previous run left in the table (the controller re-sends what is active). */
  async reset(): Promise<void> {
    for (const r of await this.target.list()) {
      if (!r.ruleId) continue;
      const res = await this.target.withdraw({ id: r.ruleId, target: r.target } as Rule);
      this.log.info({ ruleId: r.ruleId, ok: res.ok }, 'left-over agent rule removed at start');
    }
  }

  /** The controller's answer: the complete set to hold now. */
  apply(desired: readonly Rule[]): Promise<void> {
    this.next = [...desired];
    return this.serial(() => {
      const d = this.next;
      this.next = undefined;
      return d ? this.converge(d) : Promise.resolve();
    });
  }

  /** Runs after the previous call; a failure is logged and does not stop the calls after it. */
  private serial(fn: () => Promise<void>): Promise<void> {
    this.running = this.running.then(fn).catch((err: unknown) => {
      this.failures++;
      this.log.warn({ err: (err as Error).message }, 'local mitigation step failed; retried next report');
    });
    return this.running;
  }

  /** Offline: drops held rules past their expiresAt. */
  expire(now: number): Promise<void> {
    return this.serial(async () => {
      for (const [id, h] of [...this.held])
        if (h.rule.expiresAt < now)
          await this.drop(id, h.rule, 'expired while the controller was unreachable');
    });
  }

  private async drop(id: string, rule: Rule, why: string): Promise<void> {
    const res = await this.target.withdraw(rule);
    if (res.ok) {
      this.held.delete(id);
      this.log.info({ ruleId: id, target: rule.target, intent: rule.intent, why }, 'mitigation removed');
    } else {
      this.failures++;
      this.log.warn({ ruleId: id, error: res.error }, 'could not remove a mitigation; retried next report');
    }
  }

  private async converge(desired: readonly Rule[]): Promise<void> {
    const wanted = new Map<string, Rule>();
    for (const r of desired) {
      if (!this.allow.includes(r.intent) || !insideNetworks(this.networks, r.target)) {
        this.refused++;
        this.log.warn(
          { ruleId: r.id, target: r.target, intent: r.intent },
          'mitigation refused: intent not in agent.mitigation.allow or target outside detection.networks',
        );
        continue;
      }
      wanted.set(r.id, r);
    }
    for (const [id, h] of [...this.held]) if (!wanted.has(id)) await this.drop(id, h.rule, 'withdrawn');
    for (const [id, r] of wanted) {
      // the engine refreshes expiresAt while the attack lasts: not a change worth a new nft transaction
      const text = JSON.stringify({ ...r, expiresAt: 0, ttlSeconds: 0, state: '', reason: '' });
      const h = this.held.get(id);
      if (h?.text === text) {
        this.held.set(id, { rule: r, text });
        continue;
      }
      const res = await this.target.announce(r);
      if (res.ok) {
        this.held.set(id, { rule: r, text });
        this.log.info({ ruleId: id, target: r.target, intent: r.intent }, 'mitigation applied');
      } else {
        this.failures++;
        this.log.warn({ ruleId: id, error: res.error }, 'could not apply a mitigation; retried next report');
      }
    }
  }
}
