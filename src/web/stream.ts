// GET /api/v1/stream: the operational event bus as server-sent events (WHATWG HTML §9.2), plus one
// rate sample per second of every target under attack. Authentication is the API's own Bearer header:
// the dashboard reads the stream with fetch() (which can send headers) instead of EventSource (which
// cannot), so the token never travels in a URL or an access log.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TrafficSample } from '../detect/detector.js';
import type { Direction } from '../domain/attack.js';
import type { EventBus } from '../domain/events.js';
import { type StreamEvent, scopeEvent, tenantResolver } from './scope.js';
import type { RateSample, RatesEvent } from './wire.js';

export interface OpenAttackRef {
  readonly attackId: string;
  readonly target: string;
  readonly direction: Direction;
}

export interface StreamPorts {
  readonly events: EventBus;
  /** The detector's open attacks (whose targets get a rate sample each second). */
  openAttacks(): readonly OpenAttackRef[];
  traffic(target: string, direction: Direction): TrafficSample | undefined;
  /** The tenant a request's token is bound to; null/undefined = global (sees everything). */
  tenantOf?(req: FastifyRequest): string | null | undefined;
  /** Tenants and their networks (mitigation.tenants), to scope events for tenant tokens. */
  tenants?(): Readonly<Record<string, { readonly networks: readonly string[] }>>;
  /** Rate sample period (default 1000 ms). */
  readonly sampleEveryMs?: number;
  /** A client whose socket buffers more than this is cut off (it reconnects and reloads). */
  readonly maxBufferedBytes?: number;
}

export interface StreamStats {
  clients: number;
  sent: number;
  /** Clients cut off because they did not read fast enough. */
  slowClientsDropped: number;
}

const HEARTBEAT_MS = 15_000;

/** One SSE frame. `data` is one line of JSON (JSON never contains a raw newline). */
export function sseFrame(id: number, type: string, data: unknown): string {
  return `id: ${id}\nevent: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Samples every open attack's target once; attacks on the same target share one sample. */
export function sampleRates(ports: Pick<StreamPorts, 'openAttacks' | 'traffic'>, now: number): RatesEvent {
  const samples: RateSample[] = [];
  const seen = new Set<string>();
  for (const a of ports.openAttacks()) {
    const key = `${a.direction} ${a.target}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const t = ports.traffic(a.target, a.direction);
    if (t) samples.push({ ...t, attackId: a.attackId });
  }
  return { type: 'rates', at: now, samples };
}

interface Client {
  readonly tenant: string | null | undefined;
  write(frame: string): boolean;
  /** Ends the stream; `abort` drops what is still queued (a client that stopped reading). */
  end(abort?: boolean): void;
}

export function registerStream(app: FastifyInstance, ports: StreamPorts): StreamStats {
  const clients = new Set<Client>();
  const stats: StreamStats = { clients: 0, sent: 0, slowClientsDropped: 0 };
  const maxBuffered = ports.maxBufferedBytes ?? 1024 * 1024;
  let nextId = 1;

  // the tenant → networks map changes only on a config reload: rebuild the resolver when it does
  let resolverFor: unknown;
  let resolver: (target: string) => string | undefined = () => undefined;
  const tenantOfTarget = (target: string) => {
    const map = ports.tenants?.() ?? {};
    if (map !== resolverFor) {
      resolverFor = map;
      resolver = tenantResolver(map);
    }
    return resolver(target);
  };
  /** The frame one tenant gets for an event ('' = nothing), serialised once per tenant. */
  const framer = (type: string, event: StreamEvent) => {
    const id = nextId++;
    const frames = new Map<string | null | undefined, string>();
    return (tenant: string | null | undefined) => {
      let f = frames.get(tenant);
      if (f === undefined) {
        const scoped = scopeEvent(event, tenant, tenantOfTarget);
        f = scoped ? sseFrame(id, type, scoped) : '';
        frames.set(tenant, f);
      }
      return f;
    };
  };

  const broadcast = (type: string, event: StreamEvent) => {
    if (clients.size === 0) return;
    const frameFor = framer(type, event);
    for (const c of clients) {
      const frame = frameFor(c.tenant);
      if (frame && c.write(frame)) stats.sent++;
    }
  };

  let unsubscribe: (() => void) | undefined;
  let sampler: NodeJS.Timeout | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  const startShared = () => {
    unsubscribe = ports.events.subscribe((e) => broadcast(e.type, e));
    sampler = setInterval(() => {
      try {
        broadcast('rates', sampleRates(ports, Date.now()));
      } catch (err) {
        app.log.error({ err }, 'event stream: rate sample failed; the stream goes on');
      }
    }, ports.sampleEveryMs ?? 1000);
    heartbeat = setInterval(() => {
      for (const c of clients) c.write(': keep-alive\n\n');
    }, HEARTBEAT_MS);
    sampler.unref();
    heartbeat.unref();
  };
  const stopShared = () => {
    unsubscribe?.();
    unsubscribe = undefined;
    clearInterval(sampler);
    clearInterval(heartbeat);
  };

  app.get('/api/v1/stream', (req, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      // the socket carries this one stream; when it ends, close it rather than keep it for reuse
      connection: 'close',
      'x-accel-buffering': 'no', // nginx and friends: do not buffer the stream
    });
    const client: Client = {
      tenant: ports.tenantOf?.(req),
      write: (frame) => {
        if (res.writableLength > maxBuffered) {
          stats.slowClientsDropped++;
          req.log.warn({ buffered: res.writableLength }, 'event stream client too slow; disconnected');
          client.end(true);
          return false;
        }
        res.write(frame);
        return true;
      },
      end: (abort = false) => {
        if (!clients.delete(client)) return;
        stats.clients = clients.size;
        if (clients.size === 0) stopShared();
        // a clean end would wait for the queued megabyte to drain, which a stuck client never does
        if (abort) res.destroy();
        else res.end();
      },
    };
    if (clients.size === 0) startShared();
    clients.add(client);
    stats.clients = clients.size;
    // retry: how long EventSource-style clients wait before reconnecting (ms)
    res.write(`retry: 2000\n${sseFrame(nextId++, 'hello', { at: Date.now() })}`);
    res.write(framer('rates', sampleRates(ports, Date.now()))(client.tenant));
    res.on('close', () => client.end());
  });

  // An open stream would hold the server's close() forever: end them all first.
  app.addHook('preClose', async () => {
    for (const c of [...clients]) c.end();
    stopShared();
  });
  return stats;
}
