// Radware DefenseFlow driver: Vision session login (POST /mgmt/system/user/login → jsessionid, sent as the
// JSESSIONID cookie and header, renewed once on 401/403) or HTTP Basic; announce = attackstart, withdraw =
// attackstop (an unknown attack, 404, counts as already stopped). DefenseFlow has no public call listing
// external attacks, so list() reports the attacks this instance started and has not stopped.
import type { Agent, Dispatcher } from 'undici';
import type {
  Adapter,
  AdapterCapabilities,
  AdapterHealth,
  AdapterResult,
  HeldRule,
} from '../../domain/adapter-port.js';
import type { Rule } from '../../domain/rule.js';
import type { RadwareConfig } from '../config-services.js';
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
import { LOGIN_PATH, PROTECTED_OBJECTS_PATH, RADWARE_INTENTS, render, type RadwareCall } from './render.js';

function dfError(o: HttpOutcome): string {
  const res = o.ok ? o.response : o.response;
  const body = res ? (parseJsonBody(res) as { message?: string } | undefined) : undefined;
  const base = o.ok ? `HTTP ${o.response.status}` : o.error;
  return body?.message ? `${base}: ${body.message}` : base;
}

export class RadwareAdapter implements Adapter {
  readonly kind = 'radware';
  readonly name: string;
  readonly capabilities: AdapterCapabilities = {
    families: [4, 6],
    intents: RADWARE_INTENTS,
  };
  private readonly healthBook: HealthBook;
  private readonly transport: TransportOptions;
  private readonly ownAgent: Agent | undefined;
  private session: string | undefined;
  private readonly held = new Map<string, Rule>();

  constructor(
    private readonly config: RadwareConfig,
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
      url: this.url(LOGIN_PATH),
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ username: this.config.username, password: this.config.password }),
    };
    const o = await sendWithRetry(spec, this.config.retry, this.transport);
    if (!o.ok) return o;
    const body = parseJsonBody(o.response) as
      { status?: string; jsessionid?: string; message?: string } | undefined;
    // Vision may answer 200 with {"status":"error"} for bad credentials.
    if (body?.status !== 'ok' || !body.jsessionid) {
      return {
        ok: false,
        failure: 'auth',
        retryable: false,
        error: `login refused: ${body?.message ?? 'no jsessionid'}`,
        response: o.response,
        attempts: o.attempts,
      };
    }
    this.session = body.jsessionid;
    return o;
  }

  private authHeaders(): Record<string, string> {
    if (this.config.auth === 'basic') {
      return {
        authorization:
          'Basic ' + Buffer.from(`${this.config.username}:${this.config.password}`).toString('base64'),
      };
    }
    return this.session ? { cookie: `JSESSIONID=${this.session}`, jsessionid: this.session } : {};
  }

  private async call(c: {
    method: HttpRequestSpec['method'];
    path: string;
    body?: unknown;
  }): Promise<{ spec: HttpRequestSpec; outcome: HttpOutcome }> {
    for (let round = 0; ; round++) {
      if (this.config.auth === 'session' && !this.session) {
        const l = await this.login();
        if (!l.ok) return { spec: { method: 'POST', url: this.url(LOGIN_PATH), headers: {} }, outcome: l };
      }
      const spec: HttpRequestSpec = {
        method: c.method,
        url: this.url(c.path),
        headers: {
          accept: 'application/json',
          ...this.authHeaders(),
          ...(c.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(c.body !== undefined ? { body: JSON.stringify(c.body) } : {}),
      };
      const outcome = await sendWithRetry(spec, this.config.retry, this.transport);
      const status = outcome.ok ? undefined : outcome.response?.status;
      if ((status === 401 || status === 403) && this.config.auth === 'session' && round === 0) {
        this.session = undefined; // session expired: log in again once
        continue;
      }
      return { spec, outcome };
    }
  }

  private async send(rule: Rule, mode: 'start' | 'stop'): Promise<AdapterResult> {
    const base = { adapter: this.name, ruleId: rule.id };
    let r;
    try {
      r = render(rule, this.config);
    } catch (e) {
      return { ok: false, payload: base, error: `DefenseFlow: ${(e as Error).message}`, retryable: false };
    }
    const c: RadwareCall = mode === 'start' ? r.start : r.stop;
    const { spec, outcome } = await this.call(c);
    const gone = mode === 'stop' && !outcome.ok && outcome.response?.status === 404;
    if (gone) this.healthBook.set('up', 'attackstop: attack already gone');
    else this.healthBook.record(outcome, mode === 'start' ? 'attackstart' : 'attackstop');
    const payload = {
      ...base,
      externalAttackId: r.externalAttackId,
      request: auditRequest(spec),
      attempts: outcome.attempts,
      ...(gone ? { note: 'already stopped' } : {}),
    };
    if (!outcome.ok && !gone)
      return { ok: false, payload, error: `DefenseFlow: ${dfError(outcome)}`, retryable: outcome.retryable };
    if (mode === 'start') this.held.set(rule.id, rule);
    else this.held.delete(rule.id);
    return { ok: true, payload };
  }

  /** Dry-run: the would-be DefenseFlow call without I/O. */
  render(rule: Rule, kind: 'announce' | 'withdraw' = 'announce'): unknown {
    const r = render(rule, this.config);
    const c = kind === 'announce' ? r.start : r.stop;
    return {
      adapter: this.name,
      ruleId: rule.id,
      externalAttackId: r.externalAttackId,
      request: { method: c.method, url: this.url(c.path), body: c.body },
    };
  }

  announce(rule: Rule): Promise<AdapterResult> {
    return this.send(rule, 'start');
  }

  withdraw(rule: Rule): Promise<AdapterResult> {
    return this.send(rule, 'stop');
  }

  async list(): Promise<readonly HeldRule[]> {
    return [...this.held.values()].map((r) => ({
      ruleId: r.id,
      target: r.target,
      description: `DefenseFlow attack ${this.config.attackIdPrefix}${r.id} (${r.intent})`,
    }));
  }

  /** Lists protected objects: proves reachability, credentials and the DefenseFlow API together. */
  async test(): Promise<AdapterHealth> {
    const { outcome } = await this.call({ method: 'GET', path: PROTECTED_OBJECTS_PATH });
    this.healthBook.record(outcome, 'list protected objects');
    return this.health();
  }

  health(): AdapterHealth {
    return this.healthBook.get();
  }

  async close(): Promise<void> {
    await this.ownAgent?.close();
  }
}
