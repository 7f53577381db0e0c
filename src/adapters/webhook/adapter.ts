// Webhook driver: POSTs the signed v1 payload for every announce and withdraw, with retries (one delivery
// id across retries; each attempt is re-signed with its own timestamp). The receiver cannot be listed, so
// list() reports what was announced and not yet withdrawn through this adapter instance.
import { randomUUID } from 'node:crypto';
import type {
  Adapter,
  AdapterCapabilities,
  AdapterHealth,
  AdapterResult,
  HeldRule,
} from '../../domain/adapter-port.js';
import type { AttackEvent } from '../../domain/attack.js';
import { INTENTS, type Rule } from '../../domain/rule.js';
import type { WebhookConfig } from '../config-services.js';
import {
  HealthBook,
  auditRequest,
  sendWithRetry,
  type HttpRequestSpec,
  type TransportOptions,
} from '../http-retry.js';
import { SIGNATURE_HEADER, render, sign, type WebhookEvent } from './render.js';

export interface WebhookAdapterOptions extends TransportOptions {
  /** Full attack context for a rule, when the engine has it. */
  readonly attackFor?: (rule: Rule) => AttackEvent | undefined;
  readonly newId?: () => string;
}

export class WebhookAdapter implements Adapter {
  readonly kind = 'webhook';
  readonly name: string;
  /** A webhook can carry anything: the receiver decides what to do with it. */
  readonly capabilities: AdapterCapabilities = { families: [4, 6], intents: INTENTS };
  private readonly healthBook: HealthBook;
  private readonly held = new Map<string, Rule>();
  private readonly now: () => number;

  constructor(
    private readonly config: WebhookConfig,
    private readonly opts: WebhookAdapterOptions = {},
  ) {
    this.name = config.name;
    this.now = opts.now ?? Date.now;
    this.healthBook = new HealthBook(this.now);
  }

  private async deliver(event: WebhookEvent, rule: Rule | null): Promise<AdapterResult> {
    const deliveryId = (this.opts.newId ?? randomUUID)();
    const attack = rule ? this.opts.attackFor?.(rule) : undefined;
    const r = render(rule, {
      event,
      deliveryId,
      at: this.now(),
      adapter: this.name,
      ...(attack ? { attack } : {}),
      headers: this.config.headers,
      ...(this.config.authToken ? { authToken: this.config.authToken } : {}),
    });
    if (!this.config.url)
      return { ok: false, payload: r.payload, error: 'webhook: no url configured', retryable: false };
    const spec: HttpRequestSpec = { method: 'POST', url: this.config.url, headers: r.headers, body: r.body };
    let sent = spec;
    // Re-sign per attempt: a retry minutes later must not carry a timestamp the receiver deems stale.
    const outcome = await sendWithRetry(spec, this.config.retry, {
      ...this.opts,
      prepare: (s) => {
        const ts = Math.floor(this.now() / 1000);
        const headers: Record<string, string> = { ...s.headers, 'x-floodgate-timestamp': String(ts) };
        if (this.config.secret) headers[SIGNATURE_HEADER] = sign(this.config.secret, ts, r.body);
        return { ...s, headers };
      },
      onSent: (s) => (sent = s),
    });
    this.healthBook.record(outcome, event);
    const payload = {
      adapter: this.name,
      event,
      deliveryId,
      request: auditRequest(sent),
      attempts: outcome.attempts,
    };
    if (!outcome.ok)
      return { ok: false, payload, error: `webhook: ${outcome.error}`, retryable: outcome.retryable };
    return { ok: true, payload };
  }

  /** Dry-run: the would-be request (unsigned; the signature needs the send time) without I/O. */
  render(rule: Rule, kind: 'announce' | 'withdraw' = 'announce'): unknown {
    const attack = this.opts.attackFor?.(rule);
    const r = render(rule, {
      event: kind,
      deliveryId: 'dry-run',
      at: this.now(),
      adapter: this.name,
      ...(attack ? { attack } : {}),
      headers: this.config.headers,
      ...(this.config.authToken ? { authToken: this.config.authToken } : {}),
    });
    return {
      adapter: this.name,
      request: auditRequest({ method: 'POST', url: this.config.url, headers: r.headers, body: r.body }),
    };
  }

  async announce(rule: Rule): Promise<AdapterResult> {
    const res = await this.deliver('announce', rule);
    if (res.ok) this.held.set(rule.id, rule);
    return res;
  }

  async withdraw(rule: Rule): Promise<AdapterResult> {
    const res = await this.deliver('withdraw', rule);
    if (res.ok) this.held.delete(rule.id);
    return res;
  }

  async list(): Promise<readonly HeldRule[]> {
    return [...this.held.values()].map((r) => ({
      ruleId: r.id,
      target: r.target,
      description: `${r.intent} announced by webhook`,
    }));
  }

  /** Sends a signed "test" event; any 2xx is healthy. */
  async test(): Promise<AdapterHealth> {
    await this.deliver('test', null);
    return this.health();
  }

  health(): AdapterHealth {
    return this.healthBook.get();
  }

  async close(): Promise<void> {}
}
