// MISP sink: one MISP event per attack (POST /events/add, "Authorization: <automation key>", JSON in and
// out), created on the first export event of an attack: the target as ip-dst, each dominant source prefix
// as an ip-src attribute (MISP takes CIDR values), tags floodgate + floodgate:family="…" + the MISP "ddos"
// taxonomy where it applies. Later updates add new sources (POST /attributes/add/<event id>); the attack's
// end marks the analysis completed (POST /events/edit/<event id>). Only attack events are exported.
import type { MispSinkConfig } from './config.js';
import type { ExportEvent } from './event.js';
import { attemptHttp, dispatcherFor, joinUrl, type HttpRequestSpec } from './http.js';
import type { Delivery, QueueHooks } from './queue.js';
import { secretOrThrow } from './secret.js';
import { QueuedSink } from './sink.js';

const KNOWN_ATTACKS = 10_000;

/** MISP "ddos" taxonomy tag for a family, where one fits. */
function taxonomyTag(family: string | undefined): string | undefined {
  if (family?.endsWith('_amplification')) return 'ddos:type="amplification-attack"';
  return undefined;
}

function address(prefix: string): string {
  return prefix.replace(/\/(32|128)$/, '');
}

function attribute(type: 'ip-src' | 'ip-dst', value: string, toIds: boolean, comment: string) {
  return { type, category: 'Network activity', value: address(value), to_ids: toIds, comment };
}

export function mispEvent(cfg: MispSinkConfig, e: ExportEvent): Record<string, unknown> {
  const tags = [...cfg.tags, ...(e.family ? [`floodgate:family="${e.family}"`] : []), taxonomyTag(e.family)];
  return {
    Event: {
      info: `floodgate: ${e.family ?? 'attack'} on ${e.target ?? '?'} (${e.attackId ?? e.id})`,
      date: new Date(e.startedAt ?? e.at).toISOString().slice(0, 10),
      distribution: String(cfg.distribution),
      threat_level_id: String(cfg.threatLevel),
      analysis: e.action === 'end' ? '2' : '1',
      Attribute: [
        ...(e.target ? [attribute('ip-dst', e.target, false, 'attack target')] : []),
        ...(e.sources ?? []).map((s) => attribute('ip-src', s, cfg.toIds, 'dominant attack source')),
      ],
      Tag: tags.filter((t): t is string => t !== undefined).map((name) => ({ name })),
    },
  };
}

export class MispSink extends QueuedSink {
  private readonly dispatcher: ReturnType<typeof dispatcherFor>;
  /** attackId → MISP event id and the sources already attached. */
  private readonly known = new Map<string, { id: string; sources: Set<string> }>();

  constructor(
    private readonly cfg: MispSinkConfig,
    hooks: QueueHooks = {},
  ) {
    super(cfg.name, 'misp', ['attack'], cfg.queue, hooks);
    this.dispatcher = dispatcherFor(cfg.ca);
  }

  private spec(path: string, body: unknown): HttpRequestSpec {
    return {
      method: 'POST',
      url: joinUrl(this.cfg.url, path),
      headers: {
        authorization: secretOrThrow(this.cfg.apiKey, `exports.misp ${this.cfg.name} apiKey`),
        accept: 'application/json',
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    };
  }

  private async one(e: ExportEvent): Promise<Delivery<never> | undefined> {
    const key = e.attackId ?? e.id;
    const known = this.known.get(key);
    const t = this.cfg.queue.timeoutMs;
    if (!known) {
      const out = await attemptHttp(
        this.spec('/events/add', mispEvent(this.cfg, e)),
        t,
        'misp events/add',
        this.dispatcher,
      );
      if (!out.ok) return out.delivery;
      let id: string | undefined;
      try {
        id = String((JSON.parse(out.response.body) as { Event?: { id?: string | number } }).Event?.id ?? '');
      } catch {
        id = undefined;
      }
      if (!id) return { kind: 'fail', error: 'misp events/add: answer carries no Event.id' };
      if (this.known.size >= KNOWN_ATTACKS) this.known.delete(this.known.keys().next().value as string);
      this.known.set(key, { id, sources: new Set(e.sources ?? []) });
      return undefined;
    }
    for (const s of e.sources ?? []) {
      if (known.sources.has(s)) continue;
      const out = await attemptHttp(
        this.spec(
          `/attributes/add/${known.id}`,
          attribute('ip-src', s, this.cfg.toIds, 'dominant attack source'),
        ),
        t,
        'misp attributes/add',
        this.dispatcher,
      );
      if (!out.ok) return out.delivery;
      known.sources.add(s);
    }
    if (e.action === 'end') {
      const out = await attemptHttp(
        this.spec(`/events/edit/${known.id}`, { Event: { analysis: '2' } }),
        t,
        'misp events/edit',
        this.dispatcher,
      );
      if (!out.ok) return out.delivery;
      this.known.delete(key);
    }
    return undefined;
  }

  protected override async shutdown(): Promise<void> {
    await this.dispatcher?.close();
  }

  protected async deliver(batch: readonly ExportEvent[]): Promise<Delivery<ExportEvent>> {
    // in order: an attack's MISP event must exist before its updates
    for (let i = 0; i < batch.length; i++) {
      const failed = await this.one(batch[i] as ExportEvent);
      if (!failed) continue;
      if (failed.kind === 'fail') {
        return {
          kind: 'partial',
          retry: batch.slice(i + 1),
          dead: [batch[i] as ExportEvent],
          error: failed.error,
        };
      }
      if (i === 0) return failed;
      return {
        kind: 'partial',
        retry: batch.slice(i),
        dead: [],
        error: failed.kind === 'retry' ? failed.error : '',
      };
    }
    return { kind: 'ok' };
  }
}
