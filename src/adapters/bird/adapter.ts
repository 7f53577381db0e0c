// BIRD 2 adapter: keeps the set of active routes, rewrites the include file atomically (tmp + rename),
// checks it with `birdc configure check` and applies it with `birdc configure` (no restart; BIRD
// reloads only the changed static protocols). A failed check restores the previous file. The file
// marks each route with its rule so the set survives a floodgate restart.
import { readFile, rename, writeFile } from 'node:fs/promises';
import type { Rule } from '../../domain/rule.js';
import type { Adapter, AdapterHealth, AdapterResult, HeldRule } from '../../domain/adapter-port.js';
import type { BirdConfig } from '../config-daemons.js';
import { refused } from '../daemons-common/errors.js';
import type { CommandRunner } from '../daemons-common/exec.js';
import { UNKNOWN_HEALTH, downHealth, sessionsHealth } from '../daemons-common/health.js';
import { birdc, configureOutcome, parseProtocols, parseRoutes } from './birdc.js';
import { BIRD_CAPABILITIES } from './capabilities.js';
import {
  type BirdSlot,
  type IncludeEntry,
  protocolName,
  renderBirdInclude,
  renderBirdRoute,
} from './render.js';

const MARKER = '# floodgate-rule ';

export const encodeMarker = (rule: Rule): string => Buffer.from(JSON.stringify(rule)).toString('base64url');
export const decodeMarker = (text: string): Rule =>
  JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Rule;

export class BirdAdapter implements Adapter {
  readonly kind = 'bird';
  readonly name: string;
  readonly capabilities = BIRD_CAPABILITIES;
  private readonly entries = new Map<string, IncludeEntry & { readonly rule: Rule }>();
  private last: AdapterHealth = UNKNOWN_HEALTH;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly now: () => number;
  private readonly run: CommandRunner | undefined;

  constructor(
    private readonly cfg: BirdConfig,
    deps: { readonly now?: () => number; readonly run?: CommandRunner } = {},
  ) {
    this.name = cfg.name;
    this.now = deps.now ?? Date.now;
    this.run = deps.run;
  }

  private birdc(args: readonly string[]) {
    return birdc(this.cfg, args, this.run);
  }

  /** Rebuilds the active set from the include file (after a restart); writes an empty file if none. */
  async start(): Promise<void> {
    let text: string | undefined;
    try {
      text = await readFile(this.cfg.includeFile, 'utf8');
    } catch {
      text = undefined;
    }
    if (text === undefined) {
      await this.writeAtomically(renderBirdInclude([], this.cfg));
      return;
    }
    for (const line of text.split('\n')) {
      const i = line.indexOf(MARKER);
      if (i < 0) continue;
      const rule = decodeMarker(line.slice(i + MARKER.length).trim());
      this.entries.set(rule.id, {
        ruleId: rule.id,
        rule,
        marker: encodeMarker(rule),
        route: renderBirdRoute(rule, this.cfg.rtbh),
      });
    }
  }

  private async writeAtomically(text: string): Promise<void> {
    const tmp = `${this.cfg.includeFile}.tmp-${process.pid}`;
    await writeFile(tmp, text, { mode: 0o640 });
    await rename(tmp, this.cfg.includeFile);
  }

  /** One change at a time: the file is shared state (STYLE.md rule 7). */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** The route and the include file as they would be after the change (pure; the file is not written). */
  preview(rule: Rule, op: 'announce' | 'withdraw'): AdapterResult {
    const r = this.render(rule, op);
    return 'error' in r ? r.error : { ok: true, payload: { ...r.payload, file: r.file } };
  }

  private render(
    rule: Rule,
    op: 'announce' | 'withdraw',
  ):
    | { error: AdapterResult }
    | {
        next: Map<string, IncludeEntry & { rule: Rule }>;
        file: string;
        payload: { adapter: string; op: string; protocol: string; route: string; includeFile: string };
      } {
    let entry: IncludeEntry & { rule: Rule };
    try {
      entry = {
        ruleId: rule.id,
        rule,
        marker: encodeMarker(rule),
        route: renderBirdRoute(rule, this.cfg.rtbh),
      };
    } catch (err) {
      return {
        error: refused(this.name, rule.id, err),
      };
    }
    const next = new Map(this.entries);
    if (op === 'announce') next.set(rule.id, entry);
    else next.delete(rule.id);
    return {
      next,
      file: renderBirdInclude([...next.values()], this.cfg),
      payload: {
        adapter: this.name,
        op,
        protocol: protocolName(this.cfg, entry.route.slot),
        route: entry.route.text,
        includeFile: this.cfg.includeFile,
      },
    };
  }

  private apply(rule: Rule, op: 'announce' | 'withdraw'): Promise<AdapterResult> {
    return this.serial(async () => {
      const r = this.render(rule, op);
      if ('error' in r) return r.error;
      const { next, file } = r;
      const payload = { ...r.payload, dryRun: rule.dryRun };
      const previous = renderBirdInclude([...this.entries.values()], this.cfg);
      await this.writeAtomically(file);
      const check = await this.birdc(['configure', 'check']);
      const checked = configureOutcome(check.lines);
      if (!check.ok || !checked.ok) {
        await this.writeAtomically(previous);
        return {
          ok: false,
          payload: { ...payload, answer: check.lines },
          error: check.error ?? checked.message,
          retryable: check.unreachable,
        };
      }
      const conf = await this.birdc(['configure']);
      const applied = configureOutcome(conf.lines);
      if (!conf.ok || !applied.ok) {
        return {
          ok: false,
          payload: { ...payload, answer: conf.lines },
          error: conf.error ?? applied.message,
          retryable: true,
        };
      }
      this.entries.clear();
      for (const [k, v] of next) this.entries.set(k, v);
      return { ok: true, payload: { ...payload, answer: conf.lines } };
    });
  }

  announce(rule: Rule): Promise<AdapterResult> {
    return this.apply(rule, 'announce');
  }

  withdraw(rule: Rule): Promise<AdapterResult> {
    return this.apply(rule, 'withdraw');
  }

  /** Routes BIRD holds in our static protocols (`show route … protocol …`), with the rule that put them there. */
  async list(): Promise<readonly HeldRule[]> {
    const tables: Record<BirdSlot, string> = {
      flow4: this.cfg.flow4Table,
      flow6: this.cfg.flow6Table,
      rtbh4: this.cfg.ipv4Table,
      rtbh6: this.cfg.ipv6Table,
    };
    const out: HeldRule[] = [];
    for (const slot of ['flow4', 'flow6', 'rtbh4', 'rtbh6'] as const) {
      const a = await this.birdc([
        'show',
        'route',
        'table',
        tables[slot],
        'protocol',
        protocolName(this.cfg, slot),
      ]);
      if (!a.ok) throw new Error(a.error);
      for (const r of parseRoutes(a.lines)) {
        const owners = [...this.entries.values()].filter(
          (e) => e.route.slot === slot && e.rule.target === r.prefix,
        );
        out.push({
          ruleId: owners.length === 1 ? owners[0]?.ruleId : undefined,
          target: r.prefix,
          description: r.line,
        });
      }
    }
    return out;
  }

  async test(): Promise<AdapterHealth> {
    const now = this.now();
    const a = await this.birdc(['show', 'protocols']);
    if (!a.ok) {
      this.last = downHealth(a.error ?? 'birdc failed', now);
      return this.last;
    }
    const wanted = new Set(this.cfg.bgpProtocols);
    const sessions: Record<string, string> = {};
    for (const p of parseProtocols(a.lines)) {
      if (p.proto !== 'BGP' || (wanted.size > 0 && !wanted.has(p.name))) continue;
      sessions[p.name] = (p.info.split(' ')[0] || p.state).toLowerCase();
    }
    this.last = sessionsHealth(sessions, now, 'bird');
    return this.last;
  }

  health(): AdapterHealth {
    return this.last;
  }

  async close(): Promise<void> {
    await this.chain;
  }
}
