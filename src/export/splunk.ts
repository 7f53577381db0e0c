// Splunk HTTP Event Collector sink: POST <url>/services/collector/event with "Authorization: Splunk <token>",
// a batch = JSON event objects concatenated ({"time": epoch seconds, "host", "source", "sourcetype",
// "index", "event": {...}}). Success is 200 {"text":"Success","code":0}; 400 (codes 5/6/12/13: bad data)
// and 401/403 (codes 2/3/4/1: token) are final; 503 "Server is busy" (code 9) and 5xx are retried.
import type { SplunkSinkConfig } from './config.js';
import { eventDocument, type ExportEvent } from './event.js';
import { attemptHttp, dispatcherFor, joinUrl } from './http.js';
import type { Delivery, QueueHooks } from './queue.js';
import { secretOrThrow } from './secret.js';
import { QueuedSink } from './sink.js';

export function hecBody(cfg: SplunkSinkConfig, batch: readonly ExportEvent[]): string {
  return batch
    .map((e) =>
      JSON.stringify({
        time: e.at / 1000,
        host: e.node,
        source: cfg.source,
        sourcetype: cfg.sourcetype,
        ...(cfg.index ? { index: cfg.index } : {}),
        event: eventDocument(e),
      }),
    )
    .join('\n');
}

export class SplunkSink extends QueuedSink {
  private readonly dispatcher: ReturnType<typeof dispatcherFor>;
  constructor(
    private readonly cfg: SplunkSinkConfig,
    hooks: QueueHooks = {},
  ) {
    super(cfg.name, 'splunk', cfg.events, cfg.queue, hooks);
    this.dispatcher = dispatcherFor(cfg.ca);
  }

  protected override async shutdown(): Promise<void> {
    await this.dispatcher?.close();
  }

  protected async deliver(batch: readonly ExportEvent[]): Promise<Delivery<ExportEvent>> {
    const out = await attemptHttp(
      {
        method: 'POST',
        url: joinUrl(this.cfg.url, '/services/collector/event'),
        headers: {
          authorization: `Splunk ${secretOrThrow(this.cfg.token, `exports.splunk ${this.cfg.name} token`)}`,
          'content-type': 'application/json',
        },
        body: hecBody(this.cfg, batch),
      },
      this.cfg.queue.timeoutMs,
      'splunk HEC',
      this.dispatcher,
    );
    if (!out.ok) return out.delivery;
    // HEC answers 200 only with {"code":0}; anything else in a 2xx is a refusal we must not count as sent
    try {
      const j = JSON.parse(out.response.body) as { code?: number; text?: string };
      if (j.code !== undefined && j.code !== 0)
        return { kind: 'fail', error: `splunk HEC: code ${j.code} ${j.text ?? ''}` };
    } catch {
      /* an empty or non-JSON 2xx body is accepted */
    }
    return { kind: 'ok' };
  }
}
