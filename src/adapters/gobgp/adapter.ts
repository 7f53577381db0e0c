// GoBGP adapter: renders with render.ts, drives gobgpd over gRPC (client.ts). The rendered Path (JSON
// "@type" shape) is the audited payload. Health from ListPeer session states.
import type { Rule } from '../../domain/rule.js';
import type {
  Adapter,
  AdapterCapabilities,
  AdapterHealth,
  AdapterResult,
  HeldRule,
} from '../../domain/adapter-port.js';
import type { GobgpConfig } from '../config-daemons.js';
import { errorText, refused } from '../daemons-common/errors.js';
import { UNKNOWN_HEALTH, downHealth, sessionsHealth } from '../daemons-common/health.js';
import { GOBGP_CAPABILITIES } from './capabilities.js';
import { GobgpCallError, GobgpClient, type ListedPath } from './client.js';
import type { AnyMessage } from './proto.js';
import { type GobgpFamily, type GobgpPath, renderGobgpPath } from './render.js';

export const GOBGP_FAMILIES: readonly GobgpFamily[] = [
  { afi: 'AFI_IP', safi: 'SAFI_FLOW_SPEC_UNICAST' },
  { afi: 'AFI_IP6', safi: 'SAFI_FLOW_SPEC_UNICAST' },
  { afi: 'AFI_IP', safi: 'SAFI_UNICAST' },
  { afi: 'AFI_IP6', safi: 'SAFI_UNICAST' },
];

/** A path gobgpd originated itself (AddPath), not one learnt from a peer. */
export function isLocalPath(p: ListedPath): boolean {
  return p.neighborIp === '' || p.neighborIp === '<nil>' || p.uuid !== '';
}

export class GobgpAdapter implements Adapter {
  readonly kind = 'gobgp';
  readonly name: string;
  readonly capabilities: AdapterCapabilities;
  readonly client: GobgpClient;
  private last: AdapterHealth = UNKNOWN_HEALTH;
  /** NLRI key → rule id for paths we added since start. */
  private readonly owners = new Map<string, string>();
  private readonly now: () => number;

  constructor(
    private readonly cfg: GobgpConfig,
    deps: {
      readonly now?: () => number;
      /** mitigation.scrubbing.nextHop: a diversion then needs no diversionNextHop here. */
      readonly scrubbingNextHop?: { ipv4?: string | undefined; ipv6?: string | undefined };
    } = {},
  ) {
    this.name = cfg.name;
    this.now = deps.now ?? Date.now;
    const gaps = ([4, 6] as const)
      .filter(
        (f) =>
          (f === 4
            ? (deps.scrubbingNextHop?.ipv4 ?? cfg.diversionNextHop4)
            : (deps.scrubbingNextHop?.ipv6 ?? cfg.diversionNextHop6)) === undefined,
      )
      .map((family) => ({
        intent: 'scrubbing' as const,
        family,
        reason: `no IPv${family} diversion next hop (mitigation.scrubbing.nextHop.ipv${family} or diversionNextHop${family})`,
      }));
    this.capabilities = { ...GOBGP_CAPABILITIES, gaps };
    this.client = new GobgpClient(cfg.target, cfg.protoDir, cfg.timeoutMs);
  }

  preview(rule: Rule, op: 'announce' | 'withdraw'): AdapterResult {
    try {
      const path = renderGobgpPath(rule, this.cfg);
      return {
        ok: true,
        payload: { adapter: this.name, call: op === 'announce' ? 'AddPath' : 'DeletePath', path },
      };
    } catch (err) {
      return refused(this.name, rule.id, err);
    }
  }

  private async apply(rule: Rule, op: 'announce' | 'withdraw'): Promise<AdapterResult> {
    let path: GobgpPath;
    try {
      path = renderGobgpPath(rule, this.cfg);
    } catch (err) {
      return refused(this.name, rule.id, err);
    }
    const payload = {
      adapter: this.name,
      call: op === 'announce' ? 'AddPath' : 'DeletePath',
      path,
      dryRun: rule.dryRun,
    };
    try {
      if (op === 'announce') {
        const uuid = await this.client.addPath(path);
        this.owners.set(nlriKey(path.family, path.nlri), rule.id);
        return { ok: true, payload: { ...payload, uuid } };
      }
      await this.client.deletePath(path);
      this.owners.delete(nlriKey(path.family, path.nlri));
      return { ok: true, payload };
    } catch (err) {
      const retryable = err instanceof GobgpCallError ? err.retryable : true;
      return { ok: false, payload, error: errorText(err), retryable };
    }
  }

  announce(rule: Rule): Promise<AdapterResult> {
    return this.apply(rule, 'announce');
  }

  withdraw(rule: Rule): Promise<AdapterResult> {
    return this.apply(rule, 'withdraw');
  }

  async list(): Promise<readonly HeldRule[]> {
    const out: HeldRule[] = [];
    for (const family of GOBGP_FAMILIES) {
      for (const p of await this.client.listPath(family)) {
        if (!isLocalPath(p)) continue;
        const target = family.safi === 'SAFI_UNICAST' ? p.prefix : (flowDestination(p) ?? p.prefix);
        out.push({
          ruleId: this.owners.get(nlriKey(family, p.nlri)),
          target,
          description: `${family.afi}/${family.safi} ${p.prefix}`,
        });
      }
    }
    return out;
  }

  async test(): Promise<AdapterHealth> {
    const now = this.now();
    try {
      const peers = await this.client.listPeer();
      const sessions: Record<string, string> = {};
      for (const p of peers) sessions[p.address] = p.state.toLowerCase();
      this.last = sessionsHealth(sessions, now, 'gobgpd');
    } catch (err) {
      this.last = downHealth(errorText(err), now);
    }
    return this.last;
  }

  health(): AdapterHealth {
    return this.last;
  }

  async close(): Promise<void> {
    this.client.close();
  }
}

/**
 * Identity of an NLRI as gobgpd keeps it: the operator's length bits (0x30) are dropped because gobgpd
 * fills them in from the value (RFC 8955 §4.2.1.1 `len`), everything else must match.
 */
export function nlriKey(family: GobgpFamily, nlri: AnyMessage): string {
  const canon = (v: unknown, key: string): unknown => {
    if (key === 'op' && typeof v === 'number') return v & 0xcf;
    if (Array.isArray(v)) return v.map((x) => canon(x, ''));
    if (typeof v === 'object' && v !== null) {
      const o = v as Record<string, unknown>;
      return Object.keys(o)
        .sort()
        .map((k) => [k, canon(o[k], k)]);
    }
    return v;
  };
  return JSON.stringify([family.afi, family.safi, canon(nlri, '')]);
}

/** Destination component of a listed FlowSpec path as "addr/len". */
function flowDestination(p: ListedPath): string | undefined {
  const rules =
    (p.nlri.rules as
      { '@type': string; type?: number; prefix?: string; prefix_len?: number }[] | undefined) ?? [];
  const d = rules.find((r) => r['@type'] === 'FlowSpecIPPrefix' && r.type === 1);
  return d ? `${d.prefix}/${d.prefix_len}` : undefined;
}
