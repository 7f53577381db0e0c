// FRRouting adapter: vtysh configuration sessions. Sequence numbers (route-map entry = static route tag,
// pbr-map seq) are allocated from the running config, and RTBH entries carry the rule id in their
// description, so list() and a restarted floodgate read the truth from FRR itself.
import type { Rule } from '../../domain/rule.js';
import type { Adapter, AdapterHealth, AdapterResult, HeldRule } from '../../domain/adapter-port.js';
import type { FrrConfig } from '../config-daemons.js';
import { errorText } from '../daemons-common/errors.js';
import type { CommandRunner } from '../daemons-common/exec.js';
import { UNKNOWN_HEALTH, downHealth, sessionsHealth } from '../daemons-common/health.js';
import { FRR_CAPABILITIES } from './capabilities.js';
import { type FrrCommands, renderFrr, renderFrrBase } from './render.js';
import { type FrrHeldEntry, findEntries, parseBgpSummary, parseRunningConfig, vtysh } from './vtysh.js';

const PBR_MAX_SEQ = 700; // pbr-map seq (1-700)
const ROUTE_MAP_MAX_SEQ = 65535;

export class FrrAdapter implements Adapter {
  readonly kind = 'frr';
  readonly name: string;
  readonly capabilities = FRR_CAPABILITIES;
  private last: AdapterHealth = UNKNOWN_HEALTH;
  /** rule id → (kind, seq) for PBR entries, whose pbr-map cannot carry a description. */
  private readonly pbrOwners = new Map<string, number>();
  private chain: Promise<unknown> = Promise.resolve();
  private readonly now: () => number;
  private readonly run: CommandRunner | undefined;

  constructor(
    private readonly cfg: FrrConfig,
    deps: { readonly now?: () => number; readonly run?: CommandRunner } = {},
  ) {
    this.name = cfg.name;
    this.now = deps.now ?? Date.now;
    this.run = deps.run;
  }

  private vtysh(lines: readonly string[]) {
    return vtysh(this.cfg, lines, this.run);
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async entries(): Promise<FrrHeldEntry[]> {
    const a = await this.vtysh(['show running-config']);
    if (!a.ok) throw new Error(a.error);
    return findEntries(parseRunningConfig(a.output), this.cfg.routeMap, this.cfg.pbrMap);
  }

  private freeSeq(used: readonly FrrHeldEntry[], kind: 'rtbh' | 'pbr'): number {
    const taken = new Set(used.filter((e) => e.kind === kind).map((e) => e.seq));
    const max = kind === 'pbr' ? PBR_MAX_SEQ : ROUTE_MAP_MAX_SEQ;
    for (let s = this.cfg.firstSequence; s <= max; s++) if (!taken.has(s)) return s;
    throw new Error(`no free ${kind} sequence number left (${this.cfg.firstSequence}..${max})`);
  }

  private ownSeq(rule: Rule, used: readonly FrrHeldEntry[]): number | undefined {
    const rtbh = used.find((e) => e.kind === 'rtbh' && e.ruleId === rule.id);
    return rtbh?.seq ?? this.pbrOwners.get(rule.id);
  }

  /** The vtysh lines for the rule at the first sequence number (the running daemon's numbering is I/O). */
  preview(rule: Rule, op: 'announce' | 'withdraw'): AdapterResult {
    const base = { adapter: this.name, op };
    try {
      return { ok: true, payload: { ...base, lines: renderFrr(rule, this.cfg.firstSequence, this.cfg)[op] } };
    } catch (err) {
      return { ok: false, payload: base, error: errorText(err), retryable: false };
    }
  }

  private apply(rule: Rule, op: 'announce' | 'withdraw'): Promise<AdapterResult> {
    return this.serial(async () => {
      const base = { adapter: this.name, op, dryRun: rule.dryRun };
      let used: FrrHeldEntry[];
      try {
        used = await this.entries();
      } catch (err) {
        return { ok: false, payload: base, error: errorText(err), retryable: true };
      }
      const existing = this.ownSeq(rule, used);
      if (op === 'withdraw' && existing === undefined)
        return { ok: true, payload: { ...base, lines: [], note: 'not held' } };
      let commands: FrrCommands;
      try {
        const kindGuess = rule.intent === 'blackhole' ? 'rtbh' : 'pbr';
        commands = renderFrr(rule, existing ?? this.freeSeq(used, kindGuess), this.cfg);
      } catch (err) {
        return { ok: false, payload: base, error: errorText(err), retryable: false };
      }
      // the base (redistribute + discard routes) is idempotent: re-sent with every announce so a
      // restarted FRR gets it back
      const lines =
        op === 'announce'
          ? [...renderFrrBase({ ...this.cfg, pbr: this.cfg.pbrInterfaces.length > 0 }), ...commands.announce]
          : [...commands.withdraw];
      if (op === 'announce' && commands.kind === 'pbr') {
        for (const ifname of this.cfg.pbrInterfaces)
          lines.push(`interface ${ifname}`, ` pbr-policy ${this.cfg.pbrMap}`, 'exit');
      }
      // an update replaces the entry: remove the old one first so no stale match line survives
      const prefix = op === 'announce' && existing !== undefined ? [...commands.withdraw] : [];
      const payload = { ...base, lines: [...prefix, ...lines] };
      const a = await this.vtysh(['configure terminal', ...prefix, ...lines]);
      if (!a.ok)
        return {
          ok: false,
          payload: { ...payload, answer: a.output },
          error: a.error,
          retryable: a.unreachable,
        };
      const seq = Number(/(?:permit|seq) (\d+)/.exec(commands.announce[0] ?? '')?.[1]);
      if (commands.kind === 'pbr') {
        if (op === 'withdraw') this.pbrOwners.delete(rule.id);
        else {
          this.pbrOwners.set(rule.id, seq);
          // pbrd accepts entries the kernel then refuses: only an installed entry is a mitigation
          const installed = await this.pbrInstalled(seq);
          if (installed !== true)
            return {
              ok: false,
              payload,
              error: `pbr-map seq ${seq} not installed: ${installed}`,
              retryable: true,
            };
        }
      }
      return { ok: true, payload };
    });
  }

  /** Polls `show pbr map json` until the entry is installed (true) or the deadline passes (reason). */
  private async pbrInstalled(seq: number): Promise<true | string> {
    const end = Date.now() + this.cfg.timeoutMs;
    let reason = 'pbrd did not report the entry';
    while (Date.now() < end) {
      const a = await this.vtysh([`show pbr map ${this.cfg.pbrMap} json`]);
      if (a.ok) {
        try {
          const maps = JSON.parse(a.output) as {
            policies?: { sequenceNumber: number; installed: boolean; installedReason?: string }[];
          }[];
          const p = maps.flatMap((m) => m.policies ?? []).find((x) => x.sequenceNumber === seq);
          if (p?.installed) return true;
          if (p) reason = p.installedReason ?? 'not installed';
        } catch {
          reason = 'unreadable show pbr map json';
        }
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    return reason;
  }

  announce(rule: Rule): Promise<AdapterResult> {
    return this.apply(rule, 'announce');
  }

  withdraw(rule: Rule): Promise<AdapterResult> {
    return this.apply(rule, 'withdraw');
  }

  async list(): Promise<readonly HeldRule[]> {
    const owners = new Map([...this.pbrOwners].map(([id, seq]) => [seq, id]));
    return (await this.entries())
      .filter((e) => e.target !== undefined)
      .map((e) => ({
        ruleId: e.kind === 'rtbh' ? e.ruleId : owners.get(e.seq),
        target: e.target as string,
        description: e.description,
      }));
  }

  async test(): Promise<AdapterHealth> {
    const now = this.now();
    const a = await this.vtysh(['show bgp summary json']);
    if (!a.ok) {
      this.last = downHealth(`frr: ${a.error ?? 'vtysh failed'}`, now);
      return this.last;
    }
    try {
      this.last = sessionsHealth(parseBgpSummary(a.output), now, 'frr bgpd');
    } catch (err) {
      this.last = downHealth(`frr: unreadable bgp summary: ${errorText(err)}`, now);
    }
    return this.last;
  }

  health(): AdapterHealth {
    return this.last;
  }

  async close(): Promise<void> {
    await this.chain;
  }
}
