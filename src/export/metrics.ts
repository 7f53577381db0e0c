// Prometheus metrics (prom-client registry). Most series are read at scrape time from the parts' own
// stats() snapshots through small structural ports, so the hot paths carry no metric code; the few
// event-driven ones (attacks by family, decisions by action, tick duration, adapter call latency) are
// fed by the event bus, the app's tick and the adapter wrapper. Cardinality is bounded by configuration:
// labels name exporters, adapters, peers, tenants, sinks and listeners, never a host address, except
// the top-N talker gauges whose N is configured (≤ 100).
import client, { Registry } from 'prom-client';
import type { OpsEvent } from '../domain/events.js';
import { SnapshotSeries, type MetricsSources, type Sample } from './snapshot-series.js';

export * from './snapshot-series.js';

export interface MetricsOptions {
  readonly topTalkers: number;
  readonly processMetrics: boolean;
  /** Constant label on every series (node.name). */
  readonly node?: string;
}

/** A metric computed at scrape time from a snapshot: counters stay counters even when read, not counted. */
class SnapshotMetric {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'gauge',
    private readonly read: () => readonly Sample[],
  ) {}
  readonly aggregator = 'sum';
  get() {
    let values: { labels: Record<string, string>; value: number }[] = [];
    try {
      values = this.read().map(([labels, value]) => ({ labels: { ...labels }, value }));
    } catch {
      values = []; // a part that is stopping must not fail the whole scrape
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, values, aggregator: 'sum' });
  }
}

export class FloodgateMetrics {
  readonly registry = new Registry();
  readonly tickSeconds: client.Histogram<never>;
  readonly adapterCalls: client.Counter<'adapter' | 'op'>;
  readonly adapterFailures: client.Counter<'adapter' | 'op'>;
  readonly adapterSeconds: client.Histogram<'adapter' | 'op'>;
  private readonly attacks: client.Counter<'family' | 'kind'>;
  private readonly decisions: client.Counter<'action'>;
  private readonly opsEvents: client.Counter<'type'>;
  private sources: MetricsSources = {};
  private topN: number;

  constructor(opts: MetricsOptions) {
    this.topN = opts.topTalkers;
    const r = this.registry;
    if (opts.node) r.setDefaultLabels({ node: opts.node });
    if (opts.processMetrics) client.collectDefaultMetrics({ register: r });
    this.tickSeconds = new client.Histogram({
      name: 'floodgate_detect_tick_duration_seconds',
      help: 'Duration of one detection tick (window advance, threshold checks, classification).',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [r],
    });
    this.adapterCalls = new client.Counter({
      name: 'floodgate_adapter_calls_total',
      help: 'Calls to a mitigation adapter by operation (announce, withdraw, test).',
      labelNames: ['adapter', 'op'],
      registers: [r],
    });
    this.adapterFailures = new client.Counter({
      name: 'floodgate_adapter_call_failures_total',
      help: 'Adapter calls that failed (error answer, exception or timeout).',
      labelNames: ['adapter', 'op'],
      registers: [r],
    });
    this.adapterSeconds = new client.Histogram({
      name: 'floodgate_adapter_call_duration_seconds',
      help: 'Latency of adapter calls.',
      labelNames: ['adapter', 'op'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [r],
    });
    this.attacks = new client.Counter({
      name: 'floodgate_detect_attack_events_total',
      help: 'Attack events from detection by family and kind (start, update, end).',
      labelNames: ['family', 'kind'],
      registers: [r],
    });
    this.decisions = new client.Counter({
      name: 'floodgate_engine_decisions_total',
      help: 'Engine decisions as audited, by action (announce, withdraw, escalate, reject, alert, …).',
      labelNames: ['action'],
      registers: [r],
    });
    this.opsEvents = new client.Counter({
      name: 'floodgate_events_total',
      help: 'Operational events published on the event bus, by type.',
      labelNames: ['type'],
      registers: [r],
    });
    new SnapshotSeries(
      (name, help, type, read) =>
        this.registry.registerMetric(new SnapshotMetric(name, help, type, read) as never),
      () => this.sources,
      () => this.topN,
    );
  }

  /** Plugs the parts in (called once the app has built them; detector getters follow reloads). */
  setSources(sources: MetricsSources): void {
    this.sources = sources;
  }

  /** Bus subscriber: event-driven counters. */
  onEvent(e: OpsEvent): void {
    this.opsEvents.inc({ type: e.type });
    if (e.type === 'attack') this.attacks.inc({ family: e.event.family, kind: e.event.kind });
    else if (e.type === 'audit') this.decisions.inc({ action: e.record.action });
  }

  setTopTalkers(n: number): void {
    this.topN = n;
  }

  observeTick(ms: number): void {
    this.tickSeconds.observe(ms / 1000);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
