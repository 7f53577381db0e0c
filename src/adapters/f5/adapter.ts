// F5 BIG-IP driver: iControl REST with token auth (POST /mgmt/shared/authn/login → X-F5-Auth-Token, renewed
// once on 401) or HTTP Basic. Announce creates the DoS profile then its virtual servers (an existing object,
// 409, is PATCHed: re-announce updates in place); withdraw deletes them in reverse (404 = already gone).
import type { Agent, Dispatcher } from 'undici';
import type {
  Adapter,
  AdapterCapabilities,
  AdapterHealth,
  AdapterResult,
  HeldRule,
} from '../../domain/adapter-port.js';
import type { Rule } from '../../domain/rule.js';
import type { F5Config } from '../config-services.js';
import {
  applianceTransport,
  HealthBook,
  auditRequest,
  parseJsonBody,
  sendWithRetry,
  type HttpOutcome,
  type HttpRequestSpec,
  type TransportOptions,
} from '../http-retry.js';
import { F5_INTENTS, render, uriName, type F5Call } from './render.js';

interface Step {
  readonly request: Record<string, unknown>;
  readonly status?: number;
  readonly attempts: HttpOutcome['attempts'];
  readonly note?: string;
}

function f5Error(o: HttpOutcome): string {
  const res = o.ok ? o.response : o.response;
  const body = res ? (parseJsonBody(res) as { message?: string } | undefined) : undefined;
  const base = o.ok ? `HTTP ${o.response.status}` : o.error;
  return body?.message ? `${base}: ${body.message}` : base;
}

export class F5Adapter implements Adapter {
  readonly kind = 'f5';
  readonly name: string;
  readonly capabilities: AdapterCapabilities = {
    families: [4, 6],
    intents: F5_INTENTS,
  };
  private readonly healthBook: HealthBook;
  private readonly transport: TransportOptions;
  private readonly ownAgent: Agent | undefined;
  private token: string | undefined;

  constructor(
    private readonly config: F5Config,
    transport: TransportOptions & { dispatcher?: Dispatcher } = {},
  ) {
    this.name = config.name;
    this.healthBook = new HealthBook(transport.now);
    ({ transport: this.transport, ownAgent: this.ownAgent } = applianceTransport(
      transport,
      config.insecureTls,
    ));
  }

  private url(path: string): string {
    return this.config.baseUrl.replace(/\/+$/, '') + path;
  }

  private async login(): Promise<HttpOutcome> {
    const spec: HttpRequestSpec = {
      method: 'POST',
      url: this.url('/mgmt/shared/authn/login'),
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        username: this.config.username,
        password: this.config.password,
        loginProviderName: this.config.loginProviderName,
      }),
    };
    const o = await sendWithRetry(spec, this.config.retry, this.transport);
    if (o.ok) {
      const t = (parseJsonBody(o.response) as { token?: { token?: string } } | undefined)?.token?.token;
      if (!t)
        return {
          ok: false,
          failure: 'auth',
          retryable: false,
          error: 'login answered without token.token',
          response: o.response,
          attempts: o.attempts,
        };
      this.token = t;
    }
    return o;
  }

  private authHeader(): Record<string, string> {
    if (this.config.auth === 'basic') {
      return {
        authorization:
          'Basic ' + Buffer.from(`${this.config.username}:${this.config.password}`).toString('base64'),
      };
    }
    return this.token ? { 'x-f5-auth-token': this.token } : {};
  }

  /** One call with auth; a rejected token is renewed once (tokens expire after 20 minutes by default). */
  private async call(c: {
    method: HttpRequestSpec['method'];
    path: string;
    body?: unknown;
  }): Promise<{ spec: HttpRequestSpec; outcome: HttpOutcome }> {
    for (let round = 0; ; round++) {
      if (this.config.auth === 'token' && !this.token) {
        const l = await this.login();
        if (!l.ok)
          return {
            spec: { method: 'POST', url: this.url('/mgmt/shared/authn/login'), headers: {} },
            outcome: l,
          };
      }
      const spec: HttpRequestSpec = {
        method: c.method,
        url: this.url(c.path),
        headers: {
          accept: 'application/json',
          ...this.authHeader(),
          ...(c.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(c.body !== undefined ? { body: JSON.stringify(c.body) } : {}),
      };
      const outcome = await sendWithRetry(spec, this.config.retry, this.transport);
      if (!outcome.ok && outcome.response?.status === 401 && this.config.auth === 'token' && round === 0) {
        this.token = undefined;
        continue;
      }
      return { spec, outcome };
    }
  }

  private async runCalls(
    calls: readonly F5Call[],
    mode: 'announce' | 'withdraw',
  ): Promise<{ steps: Step[]; failed?: HttpOutcome }> {
    const steps: Step[] = [];
    for (const c of calls) {
      let { spec, outcome } = await this.call(c);
      let note: string | undefined;
      if (mode === 'announce' && !outcome.ok && outcome.response?.status === 409 && c.body) {
        // Exists already (re-announce or a retry after a partial failure): update it in place.
        const { name, partition, ...rest } = c.body as { name: string; partition: string };
        steps.push({
          request: auditRequest(spec),
          status: 409,
          attempts: outcome.attempts,
          note: 'exists, updating',
        });
        ({ spec, outcome } = await this.call({
          method: 'PATCH',
          path: `${c.path}/${uriName(partition, name)}`,
          body: rest,
        }));
      }
      if (mode === 'withdraw' && !outcome.ok && outcome.response?.status === 404) note = 'already absent';
      steps.push({
        request: auditRequest(spec),
        ...(outcome.ok || outcome.response
          ? { status: (outcome.ok ? outcome.response : outcome.response!).status }
          : {}),
        attempts: outcome.attempts,
        ...(note ? { note } : {}),
      });
      this.healthBook.record(outcome, `${c.method} ${c.path}`);
      if (!outcome.ok && note !== 'already absent') return { steps, failed: outcome };
      if (note === 'already absent') this.healthBook.set('up', `${c.path}: already absent`);
    }
    return { steps };
  }

  private async apply(rule: Rule, mode: 'announce' | 'withdraw'): Promise<AdapterResult> {
    const base = { adapter: this.name, ruleId: rule.id, partition: this.config.partition };
    let r;
    try {
      r = render(rule, this.config);
    } catch (e) {
      return { ok: false, payload: base, error: `F5: ${(e as Error).message}`, retryable: false };
    }
    const { steps, failed } = await this.runCalls(mode === 'announce' ? r.announce : r.withdraw, mode);
    const payload = {
      ...base,
      profile: r.profileName,
      virtualServers: r.virtualNames,
      notCarried: r.notCarried,
      steps,
    };
    if (failed)
      return {
        ok: false,
        payload,
        error: `F5: ${f5Error(failed)}`,
        retryable: !failed.ok && failed.retryable,
      };
    return { ok: true, payload };
  }

  /** Dry-run: the would-be iControl REST calls without I/O. */
  render(rule: Rule, kind: 'announce' | 'withdraw' = 'announce'): unknown {
    const r = render(rule, this.config);
    const calls = (kind === 'announce' ? r.announce : r.withdraw).map((c) => ({
      method: c.method,
      url: this.url(c.path),
      ...(c.body ? { body: c.body } : {}),
    }));
    return {
      adapter: this.name,
      ruleId: rule.id,
      partition: this.config.partition,
      profile: r.profileName,
      notCarried: r.notCarried,
      calls,
    };
  }

  announce(rule: Rule): Promise<AdapterResult> {
    return this.apply(rule, 'announce');
  }

  withdraw(rule: Rule): Promise<AdapterResult> {
    return this.apply(rule, 'withdraw');
  }

  /** DoS profiles in our partition whose name carries our prefix; the description holds rule id and target. */
  async list(): Promise<readonly HeldRule[]> {
    const filter = encodeURIComponent(`partition eq ${this.config.partition}`);
    const { outcome } = await this.call({
      method: 'GET',
      path: `/mgmt/tm/security/dos/profile?$filter=${filter}`,
    });
    this.healthBook.record(outcome, 'list DoS profiles');
    if (!outcome.ok) throw new Error(`F5 list failed: ${f5Error(outcome)}`);
    const items =
      (parseJsonBody(outcome.response) as { items?: { name?: string; description?: string }[] } | undefined)
        ?.items ?? [];
    const out: HeldRule[] = [];
    for (const it of items) {
      if (!it.name?.startsWith(this.config.namePrefix)) continue;
      const m = /^floodgate (\S+) (\S+) (\S+)$/.exec(it.description ?? '');
      out.push(
        m
          ? { ruleId: m[1]!, target: m[2]!, description: `DoS profile ${it.name} (${m[3]})` }
          : { target: '', description: `DoS profile ${it.name} (no floodgate description)` },
      );
    }
    return out;
  }

  async test(): Promise<AdapterHealth> {
    const { outcome } = await this.call({ method: 'GET', path: '/mgmt/tm/sys/version' });
    this.healthBook.record(outcome, 'sys version');
    return this.health();
  }

  health(): AdapterHealth {
    return this.healthBook.get();
  }

  async close(): Promise<void> {
    await this.ownAgent?.close();
  }
}
