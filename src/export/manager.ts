// Owns the configured event sinks: builds them from the `exports` section, turns each operational event
// into one ExportEvent and hands it to every sink that wants it (a push: never waits), swaps sinks on a
// live reload (unchanged ones keep their queue and connection), and reports their counters for /metrics.
import type { EventBus, OpsEvent } from '../domain/events.js';
import type { ExportsConfig, KafkaSinkConfig } from './config.js';
import type { ElasticSink } from './elastic.js';
import { toExportEvent } from './event.js';
import type { KafkaSink, KafkaProducerPort, TargetRate } from './kafka.js';
import type { MispSink } from './misp.js';
import type { QueueStats } from './queue.js';
import type { SentinelSink } from './sentinel.js';
import type { EventSink } from './sink.js';
import type { SplunkSink } from './splunk.js';
import type { SyslogSink } from './syslog.js';

export interface ExportLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface ExportDeps {
  /** node.name: the host name in syslog headers and the node of every event. */
  readonly node: string;
  readonly log?: ExportLogger;
  /** Busiest targets now (Kafka aggregates). */
  readonly rates?: (n: number) => readonly TargetRate[];
  /** Kafka client factory (tests pass a fake; default kafkajs). */
  readonly kafkaProducer?: (cfg: KafkaSinkConfig) => Promise<KafkaProducerPort>;
}

/**
 * One loader per sink kind: a kind's module (and its client: undici for the HTTP sinks, kafkajs when the
 * Kafka sink connects) is imported only when a sink of that kind is configured (docs/performance.md "Memory").
 */
export interface SinkModules {
  syslog(): Promise<{ SyslogSink: typeof SyslogSink }>;
  splunk(): Promise<{ SplunkSink: typeof SplunkSink }>;
  elastic(): Promise<{ ElasticSink: typeof ElasticSink }>;
  sentinel(): Promise<{ SentinelSink: typeof SentinelSink }>;
  misp(): Promise<{ MispSink: typeof MispSink }>;
  kafka(): Promise<{ KafkaSink: typeof KafkaSink }>;
}

export const SINK_MODULES: SinkModules = {
  syslog: () => import('./syslog.js'),
  splunk: () => import('./splunk.js'),
  elastic: () => import('./elastic.js'),
  sentinel: () => import('./sentinel.js'),
  misp: () => import('./misp.js'),
  kafka: () => import('./kafka.js'),
};

type SinkKind = keyof SinkModules;
type Loaded = { [K in SinkKind]?: Awaited<ReturnType<SinkModules[K]>> };

/** The npm package a kind needs beyond this package's own code, named when it cannot be loaded. */
const PACKAGE: Record<SinkKind, string> = {
  syslog: 'none',
  splunk: 'undici',
  elastic: 'undici',
  sentinel: 'undici',
  misp: 'undici',
  kafka: 'kafkajs',
};

export interface SinkStats extends QueueStats {
  readonly name: string;
  readonly kind: string;
}

interface Entry {
  readonly key: string;
  readonly sink: EventSink;
}

/** Stable identity of one sink's configuration: a changed key replaces the sink. */
const keyOf = (kind: string, cfg: unknown) => `${kind}:${JSON.stringify(cfg)}`;

export class ExportManager {
  private entries: Entry[] = [];
  private unsubscribe: (() => void) | undefined;
  /** Events that no sink took because of a failure inside a sink's push (should stay 0). */
  pushErrors = 0;

  private readonly loaded: Loaded = {};

  private constructor(
    private readonly deps: ExportDeps,
    private readonly modules: SinkModules,
  ) {}

  /** Loads the modules of the configured sink kinds, then builds the sinks. */
  static async create(
    cfg: ExportsConfig,
    deps: ExportDeps,
    modules: SinkModules = SINK_MODULES,
  ): Promise<ExportManager> {
    const m = new ExportManager(deps, modules);
    await m.load(cfg);
    m.entries = m.build(cfg, new Map());
    return m;
  }

  private async load(cfg: ExportsConfig): Promise<void> {
    for (const kind of Object.keys(PACKAGE) as SinkKind[]) {
      if (cfg[kind].length === 0 || this.loaded[kind]) continue;
      try {
        (this.loaded as Record<SinkKind, unknown>)[kind] = await this.modules[kind]();
      } catch (err) {
        throw new Error(
          `exports.${kind}: could not load its module (npm package "${PACKAGE[kind]}"): ${(err as Error).message}`,
          { cause: err },
        );
      }
    }
  }

  private build(cfg: ExportsConfig, reuse: Map<string, EventSink>): Entry[] {
    const m = this.loaded as Required<Loaded>;
    const out: Entry[] = [];
    const dead = (sink: string) => (count: number, error: string) =>
      this.deps.log?.warn(
        { sink, count, error },
        'export: events dead-lettered (see floodgate_export_dead_letter_total)',
      );
    const add = (kind: string, c: { name: string }, make: () => EventSink) => {
      const key = keyOf(kind, c);
      const sink = reuse.get(key) ?? make();
      reuse.delete(key);
      out.push({ key, sink });
    };
    for (const c of cfg.syslog)
      add('syslog', c, () => new m.syslog.SyslogSink(c, this.deps.node, { onDeadLetter: dead(c.name) }));
    for (const c of cfg.splunk)
      add('splunk', c, () => new m.splunk.SplunkSink(c, { onDeadLetter: dead(c.name) }));
    for (const c of cfg.elastic)
      add('elastic', c, () => new m.elastic.ElasticSink(c, { onDeadLetter: dead(c.name) }));
    for (const c of cfg.sentinel)
      add('sentinel', c, () => new m.sentinel.SentinelSink(c, { onDeadLetter: dead(c.name) }));
    for (const c of cfg.misp) add('misp', c, () => new m.misp.MispSink(c, { onDeadLetter: dead(c.name) }));
    for (const c of cfg.kafka)
      add(
        'kafka',
        c,
        () =>
          new m.kafka.KafkaSink(
            c,
            this.deps.kafkaProducer ? () => this.deps.kafkaProducer!(c) : undefined,
            this.deps.rates,
            { onDeadLetter: dead(c.name) },
          ),
      );
    const names = new Set<string>();
    for (const e of out) {
      const n = `${e.sink.kind}/${e.sink.name}`;
      if (names.has(n)) throw new Error(`exports: two ${e.sink.kind} sinks are named "${e.sink.name}"`);
      names.add(n);
    }
    return out;
  }

  /** Subscribes to the bus; returns the unsubscribe function. */
  attach(bus: EventBus): () => void {
    this.unsubscribe?.();
    this.unsubscribe = bus.subscribe((e) => this.handle(e));
    return () => {
      this.unsubscribe?.();
      this.unsubscribe = undefined;
    };
  }

  handle(ops: OpsEvent): void {
    if (this.entries.length === 0) return;
    const e = toExportEvent(ops, this.deps.node);
    if (!e) return;
    for (const { sink } of this.entries) {
      if (!sink.accepts(e)) continue;
      try {
        sink.push(e);
      } catch (err) {
        this.pushErrors++;
        this.deps.log?.error({ err, sink: sink.name }, 'export: a sink refused an event');
      }
    }
  }

  get sinks(): readonly EventSink[] {
    return this.entries.map((e) => e.sink);
  }

  /** Applies a new `exports` section: unchanged sinks stay, changed and removed ones are closed. */
  async reload(cfg: ExportsConfig): Promise<{ added: string[]; removed: string[]; kept: string[] }> {
    const old = new Map(this.entries.map((e) => [e.key, e.sink]));
    const before = new Set(old.values());
    await this.load(cfg);
    const next = this.build(cfg, old);
    this.entries = next;
    // what build() did not reuse is left in `old`
    const removed = [...old.values()];
    await Promise.all(removed.map((s) => s.close(1000).catch(() => undefined)));
    const label = (s: EventSink) => `${s.kind}/${s.name}`;
    return {
      added: next.filter((e) => !before.has(e.sink)).map((e) => label(e.sink)),
      removed: removed.map(label),
      kept: next.filter((e) => before.has(e.sink)).map((e) => label(e.sink)),
    };
  }

  stats(): SinkStats[] {
    return this.entries.map(({ sink }) => ({ name: sink.name, kind: sink.kind, ...sink.stats() }));
  }

  async close(graceMs = 2000): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await Promise.all(this.entries.map((e) => e.sink.close(graceMs).catch(() => undefined)));
  }
}
