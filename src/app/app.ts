// Wiring: builds the object graph from the config, starts it, reloads it, stops it cleanly.
// Data flows one way: collector → detector → mitigation runner → adapters; store and API at the side.
import type { FastifyInstance } from 'fastify';
import type { Adapter } from '../domain/adapter-port.js';
import type { ReloadOutcome } from '../api/ports.js';
import { checkConfig } from '../config/checks.js';
import { ConfigError } from '../config/errors.js';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { Detector } from '../detect/detector.js';
import type { AttackEvent } from '../domain/attack.js';
import { EventBus } from '../domain/events.js';
import { TenantMap } from '../domain/tenants.js';
import { publishingAudit } from './audit-events.js';
import { Observability } from './observability.js';
import { buildRpki, startRpki } from './rpki.js';
import type { RpkiService } from '../rpki/service.js';
import type { FlowCollector } from '../flow/collector.js';
import { captureDirectory, Forensics } from '../forensics/service.js';
import type { ExporterState } from '../flow/exporter.js';
import { MitigationRunner } from '../engine-shell/runner.js';
import { VERSION } from '../cli/version.js';
import { openStore } from '../store/open.js';
import type { SqlStore } from '../store/sql-store.js';
import { startNotifications, type NotifyPort } from '../notify/index.js';
import { buildCollector, withImplausibleNodes } from './flow-wiring.js';
import { uncarriedLevels } from '../mitigation/carry.js';
import { buildAdapters, logCarryIssues } from './adapters.js';
import { createLogger, type Logger } from './logger.js';
import type { BgpSpeaker } from '../bgp/speaker.js';
import { DryRunAdapter } from '../adapters/dry-run.js';
import { agentsWiring, type AgentsWiring } from './agents-wiring.js';
import { startHttpApi } from './http-api.js';
import { BASELINE_SAVE_MS, restoreBaselines, saveBaselines } from './baselines.js';
import type { ClusterNode } from '../cluster/node.js';
import { buildCluster } from './cluster-wiring.js';
import { reloadConfig } from './reload.js';
import { CollateralReport } from './collateral.js';
import { preflightPorts } from './port-preflight.js';

export interface AppOptions {
  readonly configPath?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly logger?: Logger;
  /** Extra adapters (tests); configured adapters are built from the config. */
  readonly adapters?: readonly Adapter[];
  /** Export test doubles (e.g. a fake Kafka producer). */
  readonly exportDeps?: Parameters<typeof Observability.create>[4];
}

export class App {
  private constructor(
    private loaded: LoadedConfig,
    readonly log: Logger,
    readonly store: SqlStore,
    readonly collector: FlowCollector,
    private detector: Detector,
    readonly runner: MitigationRunner,
    private readonly options: AppOptions,
    readonly adapters: readonly Adapter[],
    readonly speaker: BgpSpeaker | undefined,
    /** Operational events (attacks, audit records, health changes) for exports and notifications. */
    readonly events: EventBus,
    readonly rpki: RpkiService | undefined,
  ) {}

  api: FastifyInstance | undefined;
  notify: NotifyPort | undefined;
  apiAddress: string | undefined;
  readonly startedAt = Date.now();
  private tickTimer: NodeJS.Timeout | undefined;
  private saveTimer: NodeJS.Timeout | undefined;
  private exporterNames: string[] = [];
  private exporterGeneration = -1;
  private stopping = false;
  private eventsSeen = 0;
  /** Metrics, event exports and the health-event watcher (the `exports` section). */
  obs: Observability | undefined;
  /** Attack captures from sFlow raw headers (forensics section); undefined when disabled. */
  forensics: Forensics | undefined;
  /** Host agents (agents section); undefined when disabled. */
  agents: AgentsWiring | undefined;
  /** Scale-out roles and engine election (cluster section); undefined in the default single process. */
  cluster: ClusterNode | undefined;
  private readonly collateral = new CollateralReport();

  get config(): Config {
    return this.loaded.config;
  }

  static async start(options: AppOptions = {}): Promise<App> {
    const loaded = loadConfig(options.configPath, options.env);
    const { config } = loaded;
    const log = options.logger ?? createLogger(config.log.level);
    // the same checks `floodgate check-config` applies (src/config/checks.ts)
    const checks = checkConfig(config);
    const errors = checks.filter((c) => c.level === 'error');
    if (errors.length > 0) throw new ConfigError(loaded.file ?? '(defaults)', errors);
    log.info(
      { file: loaded.file ?? null, fromEnv: loaded.fromEnv, version: VERSION },
      loaded.file ? 'config loaded' : 'no config file: running on safe built-in defaults',
    );
    for (const c of checks) log.warn({ key: c.path }, `${c.path}: ${c.message}`);
    const events = new EventBus((err, event) =>
      log.error({ err, event: event.type }, 'an event subscriber failed; the others still got the event'),
    );
    const holder: { app?: App } = {};
    const cluster = await buildCluster(config, log, {
      startRunner: () => holder.app!.runner.start(),
      onEvent: (e) => holder.app?.emit(e),
      ingest: (batch, names) => holder.app?.detector.ingest(batch, names),
    });
    const storeUrl = cluster?.storeUrl(config.store.postgresUrl);
    const store = publishingAudit(
      await openStore(storeUrl ? { ...config.store, postgresUrl: storeUrl } : config.store, (err) =>
        log.warn(
          { err: err.message },
          'store: an idle database connection was dropped; it is replaced on next use',
        ),
      ),
      events,
    );
    log.info(
      {
        driver: config.store.driver,
        path: config.store.driver === 'sqlite' ? config.store.sqlitePath : undefined,
      },
      'store open',
    );

    let built: Awaited<ReturnType<typeof buildAdapters>>;
    try {
      built = await buildAdapters(config, log);
    } catch (err) {
      await store.close();
      throw err;
    }
    let obs: Observability;
    try {
      obs = await Observability.create(config.exports, events, log, config.node.name, options.exportDeps);
    } catch (err) {
      for (const a of built.adapters) await a.close().catch(() => undefined);
      await store.close();
      throw err;
    }
    // host agents: their reports become events like the detector's (holder.app is set below)
    const agents = config.agents.enabled
      ? agentsWiring(
          config.agents,
          store.state,
          (e) => holder.app?.emit(e),
          () => holder.app?.runner.listRules().active ?? [],
        )
      : undefined;
    const adapters = obs.wrapAdapters([
      ...built.adapters,
      ...(agents ? [agents.adapter] : []),
      ...(options.adapters ?? []),
    ]);
    // name every level no adapter can carry: error when live (the engine falls back), warning in dry-run
    logCarryIssues(
      uncarriedLevels(
        config.mitigation,
        adapters.map((a) => ({ name: a.name, ...a.capabilities })),
      ),
      log,
    );
    log.info(
      { adapters: adapters.map((a) => `${a.name} (${a.kind})`) },
      adapters.length ? 'adapters configured' : 'no adapter configured: rules are decided and audited only',
    );
    const rpki = buildRpki(config, log, events);
    const runner = new MitigationRunner({
      ...(rpki ? { validateOrigin: rpki.validator } : {}),
      config: config.mitigation,
      store,
      adapters: cluster ? cluster.wrapAdapters(adapters) : adapters,
      dryRunAdapter: new DryRunAdapter(),
      log: {
        info: (o, m) => log.info(o, m),
        warn: (o, m) => log.warn(o, m),
        error: (o, m) => log.error(o, m),
      },
    });
    const detector = new Detector(config.detection, { node: config.node.name });
    const forensics = config.forensics.enabled
      ? new Forensics(
          config.forensics,
          captureDirectory(
            config.forensics,
            config.store.driver === 'sqlite' ? config.store.sqlitePath : undefined,
          ),
          VERSION,
          log,
        )
      : undefined;
    if (forensics) events.subscribe(forensics.onEvent);
    const collector = buildCollector(
      config.flow,
      log,
      (batch, exporters) => holder.app?.onBatch(batch, exporters),
      forensics?.tap,
    );
    const app = new App(
      loaded,
      log,
      store,
      collector,
      detector,
      runner,
      options,
      adapters,
      built.speaker,
      events,
      rpki?.service,
    );
    holder.app = app;
    app.obs = obs;
    app.cluster = cluster;
    obs.start({ collector, detector: () => app.detector, runner, adapters, speaker: built.speaker });
    app.forensics = forensics;
    if (agents && forensics) agents.captureInto(forensics.recorder);
    app.agents = agents;
    try {
      // the ports first: a second floodgate on the same config stops here, before it touches a router
      await preflightPorts(config, cluster?.collects ?? true);
      app.notify = await startNotifications(() => app.config, store, events, log);
      await restoreBaselines(store.state, detector, log);
      if (built.speaker) {
        await built.speaker.start();
        log.info(
          { peers: built.speaker.peerNames(), listen: built.speaker.listenAddress() ?? null },
          'BGP speaker started',
        );
      }
      if (rpki) await startRpki(rpki.service, log);
      // a first connectivity test gives every adapter a health score before the engine needs one
      await Promise.allSettled(adapters.map((a) => a.test()));
      // elected engines start (restore + reconcile) when they win the election; collectors and detectors never
      if (cluster) await cluster.start();
      else await runner.start();
      if (config.mitigation.dryRun) {
        log.warn(
          {},
          'mitigation is in DRY-RUN: decisions and would-be payloads are audited, nothing is sent to any router (set mitigation.dryRun: false to act)',
        );
      }
      if (cluster?.collects ?? true) {
        const bound = await collector.start();
        log.info({ listeners: bound, receiver: collector.receiverKind }, 'flow listeners up');
      }
      app.tickTimer = setInterval(() => app.tick(), config.detection.tick);
      app.saveTimer = setInterval(
        () => void saveBaselines(app.store.state, app.detector, log),
        BASELINE_SAVE_MS,
      );
      if (config.api.enabled) await app.startApi();
    } catch (err) {
      await app.stop().catch(() => undefined);
      throw err;
    }
    return app;
  }

  private onBatch(batch: Parameters<Detector['ingest']>[0], exporters: readonly ExporterState[]): void {
    const sink = this.cluster?.flowSink;
    if (sink) return sink(batch, exporters);
    // one name per exporter slot: the node name (flow.nodes, default the address); slots are reused on eviction
    if (
      this.exporterGeneration !== this.collector.generation ||
      this.exporterNames.length !== exporters.length
    ) {
      this.exporterNames = exporters.map((e) => e.node);
      this.exporterGeneration = this.collector.generation;
    }
    this.detector.ingest(batch, this.exporterNames);
  }

  private tick(): void {
    let events: AttackEvent[];
    const now = Date.now();
    try {
      const t0 = performance.now();
      events = this.detector.tick(now);
      this.obs?.observeTick(performance.now() - t0);
      this.collateral.starts(this.config.detection.collateral, this.detector, this.runner, this.log, events);
    } catch (err) {
      this.log.error({ err }, 'detector tick failed');
      return;
    }
    const flagged = events.length > 0 ? this.collector.implausibleNodes(Date.now()) : [];
    for (const raw of events) this.emit(withImplausibleNodes(raw, flagged));
    try {
      this.collateral.due(this.config.detection.collateral, this.detector, this.runner, this.log, now);
    } catch (err) {
      this.log.error({ err }, 'collateral report failed');
    }
  }

  /**
   * One attack event — this process's detector's, a host agent's, or (for an engine) the detectors' over
   * NATS: log, store, event bus, engine.
   */
  emit(event: AttackEvent): void {
    if (this.stopping) return;
    this.eventsSeen++;
    this.log.info(
      {
        attackId: event.attackId,
        kind: event.kind,
        target: event.target,
        family: event.family,
        pps: Math.round(event.pps),
        bps: Math.round(event.bps),
        node: event.node,
        ...(event.implausibleNodes ? { implausibleNodes: event.implausibleNodes } : {}),
        reason: event.reason,
      },
      `attack ${event.kind}`,
    );
    const sink = this.cluster?.eventSink;
    if (sink) return sink(event);
    // a standby engine (role all, elected) leaves recording and mitigation to the leader
    if (this.cluster && !this.cluster.acting) return;
    this.store.attacks
      .record(event)
      .catch((err: unknown) =>
        this.log.error({ err, attackId: event.attackId }, 'could not record attack event'),
      );
    this.events.publish({ type: 'attack', at: event.at, event });
    this.runner.submitEvent(event);
  }

  /** The running detector (swapped on reload). */
  get detection(): Detector {
    return this.detector;
  }

  private tenants: { of: Config['mitigation']['tenants']; map: TenantMap } | undefined;

  /** The tenant → networks map of the running config (rebuilt after a reload changes it). */
  tenantMap(): TenantMap {
    const of = this.config.mitigation.tenants;
    if (this.tenants?.of !== of) this.tenants = { of, map: new TenantMap(of) };
    return this.tenants.map;
  }

  private async startApi(): Promise<void> {
    const { server, address } = await startHttpApi(this, this.log);
    this.api = server;
    this.apiAddress = address;
  }

  /** Re-reads the config file; applies what can change in place, names what needs a restart. */
  reload(actor: string): Promise<ReloadOutcome> {
    return reloadConfig(
      {
        env: this.options.env,
        log: this.log,
        runner: this.runner,
        obs: this.obs,
        audit: this.store.audit,
        loaded: () => this.loaded,
        detector: () => this.detector,
        swapDetector: (d) => {
          this.detector = d;
        },
        swapConfig: (next) => {
          this.loaded = next;
        },
      },
      actor,
    );
  }

  /** Closes sockets, flushes state and the store. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.tickTimer) clearInterval(this.tickTimer);
    if (this.saveTimer) clearInterval(this.saveTimer);
    this.collateral.stop();
    await this.api?.close().catch((err: unknown) => this.log.error({ err }, 'API close failed'));
    await this.collector.stop().catch((err: unknown) => this.log.error({ err }, 'collector close failed'));
    await this.forensics?.stop();
    await this.runner.stop().catch((err: unknown) => this.log.error({ err }, 'engine stop failed'));
    await this.cluster?.stop().catch((err: unknown) => this.log.error({ err }, 'cluster stop failed'));
    for (const a of this.adapters)
      await a
        .close()
        .catch((err: unknown) => this.log.error({ err, adapter: a.name }, 'adapter close failed'));
    this.rpki?.stop();
    await this.speaker?.stop().catch((err: unknown) => this.log.error({ err }, 'BGP speaker stop failed'));
    await this.notify?.notifier
      .stop()
      .catch((err: unknown) => this.log.error({ err }, 'notifications stop failed'));
    await this.obs?.stop().catch((err: unknown) => this.log.error({ err }, 'exports stop failed'));
    await saveBaselines(this.store.state, this.detector, this.log);
    await this.store.close().catch((err: unknown) => this.log.error({ err }, 'store close failed'));
    this.log.info({ events: this.eventsSeen }, 'floodgate stopped');
  }
}
