// Cloudflare Magic Transit on-demand driver: maps the rule's covering prefix to a BYOIP prefix id, then
// advertises it (announce) or withdraws it (withdraw, also on attack resolution). A prefix shared by several
// active rules is withdrawn only when the last of them goes. Cloudflare's envelope is
// {success, errors[{code,message}], messages, result}; a 200 with success=false is a failure too.
import type { Dispatcher } from 'undici';
import type {
  Adapter,
  AdapterCapabilities,
  AdapterHealth,
  AdapterResult,
  HeldRule,
} from '../../domain/adapter-port.js';
import type { Rule } from '../../domain/rule.js';
import type { CloudflareConfig } from '../config-services.js';
import {
  HealthBook,
  auditRequest,
  parseJsonBody,
  sendWithRetry,
  type HttpOutcome,
  type HttpRequestSpec,
  type TransportOptions,
} from '../http-retry.js';
import {
  bgpPrefixesPath,
  prefixesPath,
  render,
  type CloudflareBgpPrefix,
  type CloudflarePrefix,
  type CloudflareRendering,
} from './render.js';

interface Envelope {
  success?: boolean;
  errors?: { code?: number; message?: string }[];
  result?: unknown;
}

function envelopeError(outcome: HttpOutcome): string | undefined {
  const res = outcome.ok ? outcome.response : outcome.response;
  const env = res ? (parseJsonBody(res) as Envelope | undefined) : undefined;
  const errs = env?.errors?.map((e) => `${e.code ?? '?'} ${e.message ?? ''}`.trim()).join('; ');
  if (outcome.ok)
    return env?.success === false ? `Cloudflare success=false: ${errs || 'no error given'}` : undefined;
  return errs ? `${outcome.error}: ${errs}` : outcome.error;
}

export class CloudflareAdapter implements Adapter {
  readonly kind = 'cloudflare';
  readonly name: string;
  readonly capabilities: AdapterCapabilities = { families: [4, 6], intents: ['scrubbing'] };
  private readonly healthBook: HealthBook;
  /** prefix id → rule ids currently relying on its advertisement. */
  private readonly holders = new Map<string, Set<string>>();
  private readonly ruleTargets = new Map<string, string>();

  constructor(
    private readonly config: CloudflareConfig,
    private readonly transport: TransportOptions & { dispatcher?: Dispatcher } = {},
  ) {
    this.name = config.name;
    this.healthBook = new HealthBook(transport.now);
  }

  private spec(method: HttpRequestSpec['method'], path: string, body?: unknown): HttpRequestSpec {
    return {
      method,
      url: this.config.apiBase.replace(/\/+$/, '') + path,
      headers: {
        authorization: `Bearer ${this.config.apiToken}`,
        accept: 'application/json',
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    };
  }

  private async getList<T>(
    path: string,
    what: string,
  ): Promise<{ items?: T[]; outcome: HttpOutcome; error?: string }> {
    const outcome = await sendWithRetry(this.spec('GET', path), this.config.retry, this.transport);
    this.healthBook.record(outcome, what);
    const err = envelopeError(outcome);
    if (!outcome.ok || err) return { outcome, error: err ?? `${what} failed` };
    const env = parseJsonBody(outcome.response) as Envelope | undefined;
    if (!Array.isArray(env?.result)) return { outcome, error: `${what}: result is not an array` };
    return { outcome, items: env.result as T[] };
  }

  private listPrefixes(): Promise<{ items?: CloudflarePrefix[]; outcome: HttpOutcome; error?: string }> {
    return this.getList<CloudflarePrefix>(prefixesPath(this.config.accountId), 'list prefixes');
  }

  private listBgpPrefixes(
    prefixId: string,
  ): Promise<{ items?: CloudflareBgpPrefix[]; outcome: HttpOutcome; error?: string }> {
    return this.getList<CloudflareBgpPrefix>(
      bgpPrefixesPath(this.config.accountId, prefixId),
      'list BGP prefixes',
    );
  }

  /** Resolves the object to advertise: IP prefix list, then (bgp-prefixes mode) that prefix's BGP prefixes. */
  private async resolve(
    rule: Rule,
    advertised: boolean,
  ): Promise<{ r?: CloudflareRendering; failed?: { outcome: HttpOutcome; error: string }; error?: string }> {
    const listed = await this.listPrefixes();
    if (!listed.items) return { failed: { outcome: listed.outcome, error: listed.error ?? 'list failed' } };
    try {
      let r = render(rule, { ...this.config, prefixes: listed.items }, advertised);
      if (this.config.endpoint === 'bgp-prefixes' && r.prefix) {
        const bgp = await this.listBgpPrefixes(r.prefix.id);
        if (!bgp.items) return { failed: { outcome: bgp.outcome, error: bgp.error ?? 'list failed' } };
        r = render(rule, { ...this.config, prefixes: listed.items, bgpPrefixes: bgp.items }, advertised);
      }
      return { r };
    } catch (e) {
      return { error: (e as Error).message };
    }
  }

  private async setAdvertised(rule: Rule, advertised: boolean): Promise<AdapterResult> {
    const base = { adapter: this.name, ruleId: rule.id, advertised };
    const resolved = await this.resolve(rule, advertised);
    if (resolved.failed) {
      const o = resolved.failed.outcome;
      return {
        ok: false,
        payload: { ...base, list: { attempts: o.attempts } },
        error: `Cloudflare: ${resolved.failed.error}`,
        retryable: !o.ok ? o.retryable : false,
      };
    }
    if (!resolved.r)
      return { ok: false, payload: base, error: `Cloudflare: ${resolved.error}`, retryable: false };
    const r = resolved.r;
    // The advertised object: the BGP prefix in bgp-prefixes mode, else the IP prefix.
    const heldId = r.bgpPrefix?.id ?? r.prefix?.id ?? '';
    const ids = {
      prefixId: r.prefix?.id,
      cidr: r.prefix?.cidr,
      ...(r.bgpPrefix ? { bgpPrefixId: r.bgpPrefix.id, bgpCidr: r.bgpPrefix.cidr } : {}),
    };
    const holders = this.holders.get(heldId) ?? new Set<string>();
    if (!advertised) {
      const others = [...holders].filter((id) => id !== rule.id);
      if (others.length > 0) {
        holders.delete(rule.id);
        this.ruleTargets.delete(rule.id);
        return {
          ok: true,
          payload: {
            ...base,
            covering: r.covering,
            ...ids,
            kept: `still needed by ${others.join(', ')}`,
          },
        };
      }
    }
    const spec = this.spec(r.call.method, r.call.path, r.call.body);
    const outcome = await sendWithRetry(spec, this.config.retry, this.transport);
    this.healthBook.record(outcome, advertised ? 'advertise' : 'withdraw');
    const payload = {
      ...base,
      covering: r.covering,
      ...ids,
      request: auditRequest(spec),
      attempts: outcome.attempts,
      response: outcome.ok
        ? parseJsonBody(outcome.response)
        : outcome.response
          ? parseJsonBody(outcome.response)
          : undefined,
    };
    const err = envelopeError(outcome);
    if (!outcome.ok || err) {
      return { ok: false, payload, error: `Cloudflare: ${err}`, retryable: !outcome.ok && outcome.retryable };
    }
    if (advertised) {
      holders.add(rule.id);
      this.holders.set(heldId, holders);
      this.ruleTargets.set(rule.id, rule.target);
    } else {
      this.holders.delete(heldId);
      this.ruleTargets.delete(rule.id);
    }
    return { ok: true, payload };
  }

  /** Dry-run: the would-be call without I/O (the prefix id is resolved only when sending). */
  render(rule: Rule, kind: 'announce' | 'withdraw' = 'announce'): unknown {
    const r = render(rule, this.config, kind === 'announce');
    return {
      adapter: this.name,
      ruleId: rule.id,
      covering: r.covering,
      request: {
        method: r.call.method,
        url: this.config.apiBase.replace(/\/+$/, '') + r.call.path,
        body: r.call.body,
      },
    };
  }

  announce(rule: Rule): Promise<AdapterResult> {
    return this.setAdvertised(rule, true);
  }

  withdraw(rule: Rule): Promise<AdapterResult> {
    return this.setAdvertised(rule, false);
  }

  /** Every advertised prefix: with the rules we know hold it, or unowned (target = its CIDR). */
  async list(): Promise<readonly HeldRule[]> {
    const listed = await this.listPrefixes();
    if (!listed.items) throw new Error(`Cloudflare list failed: ${listed.error}`);
    // Advertised objects: IP prefixes (prefix-status) or the BGP prefixes under each IP prefix.
    const advertised: { id: string; cidr: string; what: string }[] = [];
    for (const p of listed.items) {
      if (this.config.endpoint !== 'bgp-prefixes') {
        if (p.advertised === true) advertised.push({ id: p.id, cidr: p.cidr, what: `IP prefix ${p.id}` });
        continue;
      }
      const bgp = await this.listBgpPrefixes(p.id);
      if (!bgp.items) throw new Error(`Cloudflare list failed: ${bgp.error}`);
      for (const b of bgp.items) {
        if (b.on_demand?.advertised === true)
          advertised.push({ id: b.id, cidr: b.cidr, what: `BGP prefix ${b.id} of ${p.cidr}` });
      }
    }
    const out: HeldRule[] = [];
    for (const a of advertised) {
      const description = `Cloudflare ${a.what} ${a.cidr} advertised`;
      const ids = [...(this.holders.get(a.id) ?? [])];
      if (ids.length === 0) out.push({ target: a.cidr, description });
      for (const id of ids) out.push({ ruleId: id, target: this.ruleTargets.get(id) ?? a.cidr, description });
    }
    return out;
  }

  async test(): Promise<AdapterHealth> {
    const listed = await this.listPrefixes();
    if (listed.items) this.healthBook.set('up', `${listed.items.length} IP prefixes visible`);
    else if (listed.outcome.ok) this.healthBook.set('down', `Cloudflare: ${listed.error}`);
    return this.health();
  }

  health(): AdapterHealth {
    return this.healthBook.get();
  }

  async close(): Promise<void> {}
}
