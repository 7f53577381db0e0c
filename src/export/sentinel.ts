// Microsoft Sentinel through the Azure Monitor Logs Ingestion API: an Entra ID client-credentials token
// (POST <authority>/<tenant>/oauth2/v2.0/token, form client_id, client_secret, scope, grant_type; answer
// {access_token, expires_in}), kept until a minute before expiry and fetched again on a 401; then
// POST <endpoint>/dataCollectionRules/<dcr>/streams/<stream>?api-version=2023-01-01 with a JSON array of
// rows and "Authorization: Bearer"; 204 = accepted. 413 (over 1 MB) splits the batch in halves; 429 honours Retry-After.
import type { SentinelSinkConfig } from './config.js';
import type { ExportEvent } from './event.js';
import { attemptHttp, dispatcherFor, joinUrl } from './http.js';
import type { Delivery, QueueHooks } from './queue.js';
import { secretOrThrow } from './secret.js';
import { QueuedSink } from './sink.js';

/** One row as the DCR stream declares it (docs/exports.md lists the columns). */
export function sentinelRow(e: ExportEvent): Record<string, unknown> {
  const { at, ...rest } = e;
  return { TimeGenerated: new Date(at).toISOString(), ...rest };
}

const EARLY_REFRESH_MS = 60_000;

export class SentinelSink extends QueuedSink {
  private readonly dispatcher: ReturnType<typeof dispatcherFor>;
  private token: { value: string; expiresAt: number } | undefined;
  tokensFetched = 0;

  constructor(
    private readonly cfg: SentinelSinkConfig,
    hooks: QueueHooks = {},
    private readonly now: () => number = Date.now,
  ) {
    super(cfg.name, 'sentinel', cfg.events, cfg.queue, hooks);
    this.dispatcher = dispatcherFor(cfg.ca);
  }

  private async accessToken(): Promise<
    { ok: true; token: string } | { ok: false; delivery: Delivery<never> }
  > {
    if (this.token && this.token.expiresAt - EARLY_REFRESH_MS > this.now())
      return { ok: true, token: this.token.value };
    const form = new URLSearchParams({
      client_id: this.cfg.clientId,
      client_secret: secretOrThrow(this.cfg.clientSecret, `exports.sentinel ${this.cfg.name} clientSecret`),
      scope: this.cfg.scope,
      grant_type: 'client_credentials',
    });
    const out = await attemptHttp(
      {
        method: 'POST',
        url: joinUrl(this.cfg.authorityUrl, `/${encodeURIComponent(this.cfg.tenantId)}/oauth2/v2.0/token`),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
      },
      this.cfg.queue.timeoutMs,
      'sentinel token',
      this.dispatcher,
    );
    if (!out.ok) {
      // 400/401 from Entra ID (bad secret, unknown client) stay final; 5xx and 429 retry
      return { ok: false, delivery: out.delivery };
    }
    try {
      const j = JSON.parse(out.response.body) as { access_token?: string; expires_in?: number | string };
      if (!j.access_token) throw new Error('no access_token');
      this.token = { value: j.access_token, expiresAt: this.now() + Number(j.expires_in ?? 3600) * 1000 };
      this.tokensFetched++;
      return { ok: true, token: j.access_token };
    } catch (err) {
      return { ok: false, delivery: { kind: 'retry', error: `sentinel token: ${(err as Error).message}` } };
    }
  }

  protected override async shutdown(): Promise<void> {
    await this.dispatcher?.close();
  }

  protected async deliver(batch: readonly ExportEvent[]): Promise<Delivery<ExportEvent>> {
    const out = await this.post(batch);
    if (out.kind !== 'too-large') return out;
    // 413: the API takes at most 1 MB per call; halve until each part fits (one row alone is final)
    if (batch.length === 1) return { kind: 'fail', error: out.error };
    const half = Math.ceil(batch.length / 2);
    const retry: ExportEvent[] = [];
    const dead: ExportEvent[] = [];
    let error = '';
    for (const part of [batch.slice(0, half), batch.slice(half)]) {
      // keep the order: once a part must be retried, what follows waits with it
      if (retry.length) {
        retry.push(...part);
        continue;
      }
      const r = await this.deliver(part);
      if (r.kind === 'ok') continue;
      error = r.error;
      if (r.kind === 'fail') dead.push(...part);
      else if (r.kind === 'retry') retry.push(...part);
      else {
        retry.push(...r.retry);
        dead.push(...r.dead);
      }
    }
    return retry.length || dead.length ? { kind: 'partial', retry, dead, error } : { kind: 'ok' };
  }

  private async post(
    batch: readonly ExportEvent[],
  ): Promise<Delivery<ExportEvent> | { readonly kind: 'too-large'; readonly error: string }> {
    const body = JSON.stringify(batch.map(sentinelRow));
    const url =
      joinUrl(
        this.cfg.endpoint,
        `/dataCollectionRules/${encodeURIComponent(this.cfg.ruleId)}/streams/${encodeURIComponent(this.cfg.stream)}`,
      ) + `?api-version=${encodeURIComponent(this.cfg.apiVersion)}`;
    for (let pass = 0; pass < 2; pass++) {
      const tok = await this.accessToken();
      if (!tok.ok) return tok.delivery;
      const out = await attemptHttp(
        {
          method: 'POST',
          url,
          headers: { authorization: `Bearer ${tok.token}`, 'content-type': 'application/json' },
          body,
        },
        this.cfg.queue.timeoutMs,
        'sentinel ingestion',
        this.dispatcher,
      );
      if (out.ok) return { kind: 'ok' };
      if (out.response?.status === 413)
        return { kind: 'too-large', error: out.delivery.kind === 'fail' ? out.delivery.error : 'HTTP 413' };
      // an expired or revoked token: forget it and try once more with a fresh one
      if (out.response?.status === 401 && pass === 0) {
        this.token = undefined;
        continue;
      }
      return out.delivery;
    }
    return { kind: 'fail', error: 'sentinel ingestion: 401 with a fresh token' };
  }
}
