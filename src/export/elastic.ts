// Elasticsearch / OpenSearch sink: POST <url>/_bulk, Content-Type application/x-ndjson, one
// `{"create":{"_index":…,"_id":…}}` action line + the document per event, body ending with "\n" (the Bulk
// API contract; `create` works for plain indices and data streams, `_id` makes a retry idempotent: 409 =
// already there). A 200 answer can still carry per-item failures (`errors: true`): 429 items are retried,
// 409 counts as delivered, any other item status is dead-lettered.
import type { ElasticSinkConfig } from './config.js';
import { eventDocument, type ExportEvent } from './event.js';
import { attemptHttp, dispatcherFor, joinUrl } from './http.js';
import type { Delivery, QueueHooks } from './queue.js';
import { secretOrThrow } from './secret.js';
import { QueuedSink } from './sink.js';

export function bulkBody(index: string, batch: readonly ExportEvent[]): string {
  return (
    batch
      .map(
        (e) =>
          `${JSON.stringify({ create: { _index: index, _id: e.id } })}\n${JSON.stringify(eventDocument(e))}`,
      )
      .join('\n') + '\n'
  );
}

interface BulkItem {
  readonly status?: number;
  readonly error?: { type?: string; reason?: string };
}

export class ElasticSink extends QueuedSink {
  private readonly dispatcher: ReturnType<typeof dispatcherFor>;
  constructor(
    private readonly cfg: ElasticSinkConfig,
    hooks: QueueHooks = {},
  ) {
    super(cfg.name, 'elastic', cfg.events, cfg.queue, hooks);
    this.dispatcher = dispatcherFor(cfg.ca);
  }

  private auth(): Record<string, string> {
    if (this.cfg.apiKey)
      return {
        authorization: `ApiKey ${secretOrThrow(this.cfg.apiKey, `exports.elastic ${this.cfg.name} apiKey`)}`,
      };
    if (this.cfg.username !== undefined)
      return {
        authorization: `Basic ${Buffer.from(`${this.cfg.username}:${secretOrThrow(this.cfg.password ?? '', `exports.elastic ${this.cfg.name} password`)}`).toString('base64')}`,
      };
    return {};
  }

  protected override async shutdown(): Promise<void> {
    await this.dispatcher?.close();
  }

  protected async deliver(batch: readonly ExportEvent[]): Promise<Delivery<ExportEvent>> {
    const out = await attemptHttp(
      {
        method: 'POST',
        url: joinUrl(this.cfg.url, '/_bulk'),
        headers: { 'content-type': 'application/x-ndjson', ...this.auth() },
        body: bulkBody(this.cfg.index, batch),
      },
      this.cfg.queue.timeoutMs,
      'elastic _bulk',
      this.dispatcher,
    );
    if (!out.ok) return out.delivery;
    let parsed: { errors?: boolean; items?: Record<string, BulkItem>[] };
    try {
      parsed = JSON.parse(out.response.body) as typeof parsed;
    } catch {
      return { kind: 'retry', error: 'elastic _bulk: answer is not JSON' };
    }
    if (!parsed.errors) return { kind: 'ok' };
    const items = parsed.items ?? [];
    const retry: ExportEvent[] = [];
    const dead: ExportEvent[] = [];
    let firstError = '';
    batch.forEach((e, i) => {
      const item = items[i] ? Object.values(items[i])[0] : undefined;
      const status = item?.status ?? 500;
      if (status < 300 || status === 409) return;
      if (!firstError) firstError = `${status} ${item?.error?.type ?? ''}: ${item?.error?.reason ?? ''}`;
      if (status === 429 || status >= 500) retry.push(e);
      else dead.push(e);
    });
    if (retry.length === 0 && dead.length === 0) return { kind: 'ok' };
    return { kind: 'partial', retry, dead, error: `elastic _bulk item ${firstError}` };
  }
}
