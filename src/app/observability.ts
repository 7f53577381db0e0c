// Wiring of the `exports` section: the Prometheus registry with its sources, the event sinks subscribed to
// the operational bus, the health watcher that produces adapter/BGP/exporter events, and the metrics
// wrapper around every adapter. app.ts holds one of these and calls it at start, tick, reload and stop.
import type { Adapter } from '../domain/adapter-port.js';
import { measuredAdapter } from '../adapters/measured.js';
import { SESSION_STATES } from '../bgp/fsm.js';
import type { BgpSpeaker } from '../bgp/speaker.js';
import type { Detector } from '../detect/detector.js';
import type { EventBus } from '../domain/events.js';
import type { ExportsConfig } from '../export/config.js';
import { ExportManager, type ExportDeps } from '../export/manager.js';
import { FloodgateMetrics } from '../export/metrics.js';
import type { MetricsEndpoint } from '../export/metrics-route.js';
import { ownUdpListeners } from '../export/proc-udp.js';
import type { FlowCollector } from '../flow/collector.js';
import type { MitigationRunner } from '../engine-shell/runner.js';
import { HealthWatcher } from './health-events.js';
import type { Logger } from './logger.js';

export interface ObservedParts {
  readonly collector: FlowCollector;
  /** A getter: the detector is replaced on a detection reload. */
  readonly detector: () => Detector;
  readonly runner: MitigationRunner;
  readonly adapters: readonly Adapter[];
  readonly speaker: BgpSpeaker | undefined;
}

export class Observability {
  readonly metrics: FloodgateMetrics;
  readonly exports: ExportManager;
  private watcher: HealthWatcher | undefined;
  private readonly unsubscribe: (() => void)[] = [];
  private cfg: ExportsConfig;
  private detector: (() => Detector) | undefined;

  private constructor(
    cfg: ExportsConfig,
    private readonly bus: EventBus,
    private readonly log: Logger,
    node: string,
    exports: ExportManager,
  ) {
    this.cfg = cfg;
    this.metrics = new FloodgateMetrics({
      topTalkers: cfg.metrics.topTalkers,
      processMetrics: cfg.metrics.processMetrics,
      node,
    });
    this.exports = exports;
    this.unsubscribe.push(bus.subscribe((e) => this.metrics.onEvent(e)));
    this.unsubscribe.push(this.exports.attach(bus));
  }

  /** Builds the metrics and the configured export sinks (their modules are loaded here, per kind). */
  static async create(
    cfg: ExportsConfig,
    bus: EventBus,
    log: Logger,
    node: string,
    deps: Partial<ExportDeps> = {},
  ): Promise<Observability> {
    const holder: { obs?: Observability } = {};
    const exports = await ExportManager.create(cfg, {
      node,
      log,
      rates: (n) => holder.obs?.detector?.().topTalkers(n) ?? [],
      ...deps,
    });
    holder.obs = new Observability(cfg, bus, log, node, exports);
    return holder.obs;
  }

  /** Every adapter call timed and counted (floodgate_adapter_call_*). */
  wrapAdapters(adapters: readonly Adapter[]): Adapter[] {
    const m = this.metrics;
    const observer = {
      observe: (adapter: string, op: string, seconds: number, ok: boolean) => {
        m.adapterCalls.inc({ adapter, op });
        if (!ok) m.adapterFailures.inc({ adapter, op });
        m.adapterSeconds.observe({ adapter, op }, seconds);
      },
    };
    return adapters.map((a) => measuredAdapter(a, observer));
  }

  /** Plugs the built parts into the metrics and starts the health watcher. */
  start(p: ObservedParts): void {
    this.detector = p.detector;
    this.metrics.setSources({
      collector: () => p.collector.stats(),
      udpSockets: ownUdpListeners,
      detector: () => p.detector().stats(),
      topTalkers: (n) => p.detector().topTalkers(n),
      runner: () => p.runner.stats(),
      activeRules: () => p.runner.listRules().active,
      adapters: () => p.adapters.map((a) => ({ name: a.name, status: a.health().status })),
      ...(p.speaker ? { bgpPeers: () => p.speaker!.peersSnapshot(), bgpStates: SESSION_STATES } : {}),
      exports: () => this.exports.stats(),
    });
    this.watcher = new HealthWatcher({
      bus: this.bus,
      intervalMs: this.cfg.watch.intervalMs,
      exporterSilentMs: this.cfg.watch.exporterSilentSeconds * 1000,
      sample: () => ({
        adapters: Object.fromEntries(p.adapters.map((a) => [a.name, a.health()])),
        sessions: p.speaker?.sessionStates() ?? {},
        exporters: Object.fromEntries(p.collector.exporters.map((e) => [e.address, e.lastSeenMs])),
      }),
      onError: (err) => this.log.error({ err }, 'health watcher sample failed'),
    });
    this.watcher.start();
  }

  observeTick(ms: number): void {
    this.metrics.observeTick(ms);
  }

  endpoint(): MetricsEndpoint {
    return {
      contentType: this.metrics.contentType,
      enabled: () => this.cfg.metrics.enabled,
      render: () => this.metrics.render(),
    };
  }

  /** Live reload of the `exports` section. */
  async reload(cfg: ExportsConfig): Promise<void> {
    this.cfg = cfg;
    this.metrics.setTopTalkers(cfg.metrics.topTalkers);
    this.watcher?.reconfigure(cfg.watch.intervalMs, cfg.watch.exporterSilentSeconds * 1000);
    const out = await this.exports.reload(cfg);
    this.log.info(out, 'exports reloaded');
  }

  async stop(): Promise<void> {
    this.watcher?.stop();
    for (const u of this.unsubscribe) u();
    await this.exports.close();
  }
}
