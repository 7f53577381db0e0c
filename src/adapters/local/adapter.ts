// Local adapter driver: applies the rendered nftables transaction with one "nft -f -" (atomic: all or
// nothing), replaces a rule's previous rendering in the same transaction, deletes by handle on withdrawal,
// and holds/restores sysctls (previous values ride in the rule comments, so a restart can still restore).
import type {
  Adapter,
  AdapterCapabilities,
  AdapterHealth,
  AdapterResult,
  HeldRule,
} from '../../domain/adapter-port.js';
import type { Intent, Rule } from '../../domain/rule.js';
import type { LocalConfig } from '../config-services.js';
import { commandRunner, type CommandRunner } from './exec.js';
import { GeoIpError, countryNetworks, type GeoIpReader } from './geoip.js';
import { MmdbReader } from './mmdb.js';
import { parseTable, type TableState } from './ruleset.js';
import { SUPPORTED_INTENTS, SYSCTLS, objectPrefix, render, ruleTag, type SysctlName } from './render.js';
import { NftRenderError } from './terms.js';

/** Which sysctls an intent holds while active. */
const INTENT_SYSCTLS: Partial<Record<Intent, readonly SysctlName[]>> = {
  'syn-cookies': ['syncookies'],
  synproxy: ['tcploose'],
};

export interface LocalAdapterOptions {
  readonly runner?: CommandRunner;
  readonly geo?: GeoIpReader;
  readonly now?: () => number;
}

type Health = { status: 'up' | 'degraded' | 'down'; detail: string; checkedAt: number };

export class LocalAdapter implements Adapter {
  readonly kind = 'local';
  readonly name: string;
  readonly capabilities: AdapterCapabilities = { families: [4, 6], intents: SUPPORTED_INTENTS };
  private readonly run: CommandRunner;
  private readonly now: () => number;
  private last: Health;
  private geo: GeoIpReader | undefined;

  constructor(
    private readonly config: LocalConfig,
    private readonly opts: LocalAdapterOptions = {},
  ) {
    this.name = config.name;
    this.now = opts.now ?? Date.now;
    this.run =
      opts.runner ??
      commandRunner({ ...(config.netns ? { netns: config.netns } : {}), timeoutMs: config.commandTimeoutMs });
    this.last = { status: 'degraded', detail: 'not checked yet', checkedAt: 0 };
    this.geo = opts.geo;
  }

  /** The GeoIP reader: injected, or the configured MMDB file opened on first use. */
  private geoReader(): GeoIpReader {
    if (!this.geo) {
      if (!this.config.geoipDatabase)
        throw new NftRenderError('bad-rule', 'geo-lockdown needs a GeoIP database (local.geoipDatabase)');
      this.geo = MmdbReader.open(this.config.geoipDatabase);
    }
    return this.geo;
  }

  private mark(status: Health['status'], detail: string): void {
    this.last = { status, detail, checkedAt: this.now() };
  }

  /** Current contents of our table; a missing table is an empty state, not an error. */
  async readTable(): Promise<TableState> {
    const r = await this.run([this.config.nft, '-j', 'list', 'table', 'inet', this.config.table]);
    if (r.code !== 0) {
      if (/No such file or directory/.test(r.stderr)) return { exists: false, rules: [], objects: [] };
      throw new Error(
        `nft list table failed (${r.timedOut ? 'timeout' : `exit ${r.code}`}): ${r.stderr.trim()}`,
      );
    }
    return parseTable(r.stdout);
  }

  private async sysctlRead(key: string): Promise<string> {
    const r = await this.run(['sysctl', '-n', key]);
    if (r.code !== 0) throw new Error(`sysctl -n ${key} failed: ${r.stderr.trim()}`);
    return r.stdout.trim();
  }

  private async sysctlWrite(key: string, value: string): Promise<void> {
    const r = await this.run(['sysctl', '-q', '-w', `${key}=${value}`]);
    if (r.code !== 0) throw new Error(`sysctl -w ${key}=${value} failed: ${r.stderr.trim()}`);
  }

  private deletions(state: TableState, ruleId: string): string[] {
    const t = this.config.table;
    const prefix = objectPrefix(ruleId);
    const out = state.rules
      .filter((r) => r.ruleId === ruleId)
      .map((r) => `delete rule inet ${t} ${r.chain} handle ${r.handle}`);
    for (const o of state.objects)
      if (o.name.startsWith(prefix + '_')) out.push(`delete ${o.type} inet ${t} ${o.name}`);
    return out;
  }

  private async apply(script: string): Promise<{ ok: boolean; error?: string; retryable?: boolean }> {
    const r = await this.run([this.config.nft, '-f', '-'], script + '\n');
    if (r.code === 0) return { ok: true };
    return {
      ok: false,
      error: `nft -f failed (${r.timedOut ? 'timeout' : `exit ${r.code}`}): ${r.stderr.trim()}`,
      retryable: r.timedOut,
    };
  }

  /** Dry-run: the nft transaction that would be applied (announce) without I/O; withdrawal deletes by tag. */
  render(rule: Rule, kind: 'announce' | 'withdraw' = 'announce'): unknown {
    if (kind === 'withdraw')
      return {
        adapter: this.name,
        ruleId: rule.id,
        deletes: `every rule commented "${ruleTag(rule.id)}…" and objects ${objectPrefix(rule.id)}_*`,
      };
    const geo =
      rule.intent === 'geo-lockdown'
        ? countryNetworks(this.geoReader(), rule.allowCountries ?? [])
        : undefined;
    const r = render(rule, { ...this.config, ...(geo ? { geo } : {}) });
    return {
      adapter: this.name,
      ruleId: rule.id,
      script: [...r.setup, ...r.objects, ...r.rules].join('\n'),
      sysctls: r.sysctls,
    };
  }

  async announce(rule: Rule): Promise<AdapterResult> {
    const base = {
      adapter: this.name,
      ruleId: rule.id,
      table: `inet ${this.config.table}`,
      netns: this.config.netns || undefined,
    };
    try {
      const state = await this.readTable();
      const geo =
        rule.intent === 'geo-lockdown'
          ? countryNetworks(this.geoReader(), rule.allowCountries ?? [])
          : undefined;
      // Previous sysctl values: inherit from whoever already holds the knob, else read the live value.
      const sysctlPrev: Partial<Record<SysctlName, string>> = {};
      for (const n of INTENT_SYSCTLS[rule.intent] ?? []) {
        const holder = state.rules.find((r) => r.prev[n] !== undefined);
        sysctlPrev[n] = holder?.prev[n] ?? (await this.sysctlRead(SYSCTLS[n]));
      }
      const r = render(rule, { ...this.config, ...(geo ? { geo } : {}), sysctlPrev });
      const script = [...r.setup, ...this.deletions(state, rule.id), ...r.objects, ...r.rules].join('\n');
      const payload = {
        ...base,
        script,
        sysctls: r.sysctls.map((s) => ({ key: s.key, from: sysctlPrev[s.name], to: s.value })),
      };
      const applied = await this.apply(script);
      if (!applied.ok) {
        this.mark('degraded', applied.error ?? 'nft failed');
        return { ok: false, payload, error: applied.error, retryable: applied.retryable ?? false };
      }
      for (const s of r.sysctls) await this.sysctlWrite(s.key, s.value);
      this.mark('up', `announced ${rule.id}`);
      return { ok: true, payload };
    } catch (e) {
      const err = e as Error;
      const final = err instanceof NftRenderError || err instanceof GeoIpError;
      if (!final) this.mark('degraded', err.message);
      return {
        ok: false,
        payload: { ...base, intent: rule.intent },
        error: `local: ${err.message}`,
        retryable: !final,
      };
    }
  }

  async withdraw(rule: Rule): Promise<AdapterResult> {
    const base = {
      adapter: this.name,
      ruleId: rule.id,
      table: `inet ${this.config.table}`,
      netns: this.config.netns || undefined,
    };
    try {
      const state = await this.readTable();
      const own = state.rules.filter((r) => r.ruleId === rule.id);
      const dels = this.deletions(state, rule.id);
      // Last rule out: drop the table too, so nothing of floodgate stays hooked into the stack.
      const prefix = objectPrefix(rule.id) + '_';
      const othersLeft =
        state.rules.some((r) => r.ruleId !== rule.id) ||
        state.objects.some((o) => !o.name.startsWith(prefix));
      if (dels.length > 0 && !othersLeft) dels.push(`delete table inet ${this.config.table}`);
      const restores: { key: string; to: string }[] = [];
      for (const n of Object.keys(SYSCTLS) as SysctlName[]) {
        const prev = own.find((r) => r.prev[n] !== undefined)?.prev[n];
        if (prev === undefined) continue;
        // Someone else still needs the knob: leave it, they carry the same previous value.
        const others = state.rules.some((r) => r.ruleId !== rule.id && r.prev[n] !== undefined);
        if (!others) restores.push({ key: SYSCTLS[n], to: prev });
      }
      const script = dels.join('\n');
      const payload = { ...base, script, sysctls: restores };
      if (dels.length > 0) {
        const applied = await this.apply(script);
        if (!applied.ok) {
          this.mark('degraded', applied.error ?? 'nft failed');
          return { ok: false, payload, error: applied.error, retryable: true };
        }
      }
      for (const s of restores) await this.sysctlWrite(s.key, s.to);
      this.mark('up', `withdrew ${rule.id}`);
      return { ok: true, payload };
    } catch (e) {
      this.mark('degraded', (e as Error).message);
      return { ok: false, payload: base, error: `local: ${(e as Error).message}`, retryable: true };
    }
  }

  async list(): Promise<readonly HeldRule[]> {
    const state = await this.readTable();
    const by = new Map<string, { target: string; intent: string; n: number; packets: number }>();
    for (const r of state.rules) {
      const g = by.get(r.ruleId) ?? { target: r.target, intent: r.intent, n: 0, packets: 0 };
      g.n++;
      g.packets += r.packets;
      by.set(r.ruleId, g);
    }
    return [...by].map(([ruleId, g]) => ({
      ruleId,
      target: g.target,
      description: `${g.intent}: ${g.n} nft rule(s), ${g.packets} packets counted`,
    }));
  }

  /** Packet and byte counters of one rule (sum over its nft rules), for tests and metrics. */
  async counters(ruleId: string): Promise<{ packets: number; bytes: number; rules: number }> {
    const own = (await this.readTable()).rules.filter((r) => r.ruleId === ruleId);
    return {
      packets: own.reduce((a, r) => a + r.packets, 0),
      bytes: own.reduce((a, r) => a + r.bytes, 0),
      rules: own.length,
    };
  }

  async test(): Promise<AdapterHealth> {
    try {
      const r = await this.run([this.config.nft, '-j', 'list', 'tables']);
      if (r.code === 0) this.mark('up', 'nft reachable');
      else this.mark('down', `nft list tables: ${r.timedOut ? 'timeout' : r.stderr.trim()}`);
    } catch (e) {
      this.mark('down', (e as Error).message);
    }
    return this.health();
  }

  health(): AdapterHealth {
    return { ...this.last };
  }

  async close(): Promise<void> {}
}
