// ExaBGP adapter: renders with render.ts and sends through a transport (process API link or HTTP
// bridge). The full command text is the audited payload. Health from `show neighbor summary`.
import type { Rule } from '../../domain/rule.js';
import type { Adapter, AdapterHealth, AdapterResult, HeldRule } from '../../domain/adapter-port.js';
import type { ExabgpConfig } from '../config-daemons.js';
import { refused } from '../daemons-common/errors.js';
import { UNKNOWN_HEALTH, downHealth, sessionsHealth } from '../daemons-common/health.js';
import { EXABGP_CAPABILITIES } from './capabilities.js';
import { parseAdjRibOut, parseNeighborSummary } from './parse.js';
import { type ExabgpCommands, renderExabgp } from './render.js';
import { type ExabgpTransport, HttpBridgeTransport, ProcessTransport } from './transport.js';

interface Held {
  readonly rule: Rule;
  readonly commands: ExabgpCommands;
}

export class ExabgpAdapter implements Adapter {
  readonly kind = 'exabgp';
  readonly name: string;
  readonly capabilities = EXABGP_CAPABILITIES;
  readonly transport: ExabgpTransport;
  private readonly held = new Map<string, Held>();
  private last: AdapterHealth = UNKNOWN_HEALTH;
  private readonly now: () => number;

  constructor(
    private readonly cfg: ExabgpConfig,
    deps: { readonly transport?: ExabgpTransport; readonly now?: () => number } = {},
  ) {
    this.name = cfg.name;
    this.now = deps.now ?? Date.now;
    this.transport =
      deps.transport ??
      (cfg.mode === 'http'
        ? new HttpBridgeTransport({ ...cfg.http, timeoutMs: cfg.timeoutMs })
        : new ProcessTransport(cfg.listen, cfg.timeoutMs));
  }

  /** Opens the process link listener (process mode); harmless for the HTTP bridge. */
  start(): Promise<void> {
    return this.transport.start();
  }

  private async apply(rule: Rule, op: 'announce' | 'withdraw'): Promise<AdapterResult> {
    let commands: ExabgpCommands;
    try {
      commands = renderExabgp(rule, { rtbh: this.cfg.rtbh });
    } catch (err) {
      return refused(this.name, rule.id, err);
    }
    const command = commands[op];
    const payload = { adapter: this.name, transport: this.transport.mode, command, dryRun: rule.dryRun };
    const a = await this.transport.send(command);
    if (!a.ok)
      return { ok: false, payload: { ...payload, answer: a.lines }, error: a.error, retryable: a.retryable };
    if (op === 'announce') this.held.set(rule.id, { rule, commands });
    else this.held.delete(rule.id);
    return { ok: true, payload: { ...payload, answer: a.lines } };
  }

  preview(rule: Rule, op: 'announce' | 'withdraw'): AdapterResult {
    try {
      const command = renderExabgp(rule, { rtbh: this.cfg.rtbh })[op];
      return { ok: true, payload: { adapter: this.name, transport: this.transport.mode, command } };
    } catch (err) {
      return refused(this.name, rule.id, err);
    }
  }

  announce(rule: Rule): Promise<AdapterResult> {
    return this.apply(rule, 'announce');
  }

  withdraw(rule: Rule): Promise<AdapterResult> {
    return this.apply(rule, 'withdraw');
  }

  /** Process mode: exabgp's adj-rib-out; the HTTP bridge cannot answer, so what this adapter sent. */
  async list(): Promise<readonly HeldRule[]> {
    if (!this.transport.canQuery) {
      return [...this.held.values()].map((h) => ({
        ruleId: h.rule.id,
        target: h.rule.target,
        description: h.commands.announce,
      }));
    }
    const a = await this.transport.send('show adj-rib out');
    if (!a.ok) throw new Error(`exabgp show adj-rib out failed: ${a.error ?? 'unknown'}`);
    return parseAdjRibOut(a.lines).map((e) => {
      const owners = [...this.held.values()].filter(
        (h) => h.commands.kind === e.kind && h.rule.family === e.family && h.rule.target === e.prefix,
      );
      return {
        ruleId: owners.length === 1 ? owners[0]?.rule.id : undefined,
        target: e.prefix,
        description: e.line,
      };
    });
  }

  async test(): Promise<AdapterHealth> {
    const now = this.now();
    if (!this.transport.ready) {
      this.last = downHealth('exabgp API process not connected', now);
      return this.last;
    }
    const a = await this.transport.send('show neighbor summary');
    if (!a.ok) {
      this.last = downHealth(`exabgp: ${a.error ?? 'no answer'}`, now);
      return this.last;
    }
    const sessions = parseNeighborSummary(a.lines);
    if (!this.transport.canQuery && Object.keys(sessions).length === 0) {
      this.last = {
        status: 'up',
        detail: 'HTTP bridge accepted the command; it reports no session state',
        checkedAt: now,
      };
    } else {
      this.last = sessionsHealth(sessions, now, 'exabgp');
    }
    return this.last;
  }

  health(): AdapterHealth {
    if (this.transport.mode === 'process' && !this.transport.ready && this.last.status !== 'down') {
      return downHealth('exabgp API process disconnected', this.now());
    }
    return this.last;
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}
