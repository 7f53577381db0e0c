// The HTTP API of a running floodgate: the ports of src/api built over the App's parts, the /healthz
// report (a store write and read back, flow, detection, engine, adapters, BGP, cluster) and the dashboard.
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { ApiPorts, ReloadOutcome } from '../api/ports.js';
import { buildApi } from '../api/server.js';
import { isLoopback } from '../config/checks.js';
import type { EventBus } from '../domain/events.js';
import { dashboardPlugin } from '../web/plugin.js';
import { effectivePolicy } from '../web/policy.js';
import type { Logger } from './logger.js';
import type { BgpSpeaker } from '../bgp/speaker.js';
import { VERSION } from '../cli/version.js';
import type { ClusterNode } from '../cluster/node.js';
import type { Config } from '../config/schema.js';
import type { Detector } from '../detect/detector.js';
import type { Adapter } from '../domain/adapter-port.js';
import type { TenantMap } from '../domain/tenants.js';
import type { MitigationRunner } from '../engine-shell/runner.js';
import type { FlowCollector } from '../flow/collector.js';
import type { Forensics } from '../forensics/service.js';
import { formatPrefix, tryParsePrefix } from '../net/prefix.js';
import type { NotifyPort } from '../notify/index.js';
import type { RpkiService } from '../rpki/service.js';
import type { SqlStore } from '../store/sql-store.js';
import type { AgentsWiring } from './agents-wiring.js';
import { flowRefusals } from './flow-wiring.js';
import type { Observability } from './observability.js';
import { rpkiVerdictJson } from './rpki.js';
import { bindError } from '../net/bind-error.js';

/** The parts of a running App the API reads (App implements it). */
export interface ApiSource {
  readonly startedAt: number;
  readonly config: Config;
  readonly store: SqlStore;
  readonly runner: MitigationRunner;
  readonly collector: FlowCollector;
  readonly adapters: readonly Adapter[];
  readonly speaker: BgpSpeaker | undefined;
  readonly rpki: RpkiService | undefined;
  readonly notify: NotifyPort | undefined;
  readonly obs: Observability | undefined;
  readonly forensics: Forensics | undefined;
  readonly agents: AgentsWiring | undefined;
  readonly cluster: ClusterNode | undefined;
  readonly detection: Detector;
  readonly events: EventBus;
  tenantMap(): TenantMap;
  reload(actor: string): Promise<ReloadOutcome>;
}

export function apiPorts(app: ApiSource): ApiPorts {
  const { rpki, speaker } = app;
  return {
    version: VERSION,
    startedAt: app.startedAt,
    rules: {
      list: (q) => app.store.rules.list(q),
      get: (id) => app.store.rules.get(id),
      add: (req, actor) => app.runner.addRule(req, actor),
      withdraw: async (id, actor, reason) => {
        const out = await app.runner.withdrawRule(id, actor, reason);
        return out.ok ? out.rule : undefined;
      },
    },
    attacks: app.store.attacks,
    audit: app.store.audit,
    tokens: app.store.tokens,
    tenants: () => app.tenantMap(),
    mitigation: () => app.config.mitigation,
    health: async () => {
      const checks: Record<string, unknown> = {};
      let ok = true;
      try {
        // a write and a read back: a store that answers but cannot write is down
        const stamp = String(Date.now());
        await app.store.state.put('health', stamp);
        if ((await app.store.state.get('health')) !== stamp) throw new Error('store did not keep a write');
        checks.store = { status: 'up', driver: app.store.kind, writable: true };
      } catch (err) {
        ok = false;
        checks.store = { status: 'down', error: (err as Error).message };
      }
      const stats = app.collector.stats();
      checks.flow = {
        datagrams: stats.datagrams,
        exporters: stats.exporters.length,
        rejected: stats.rejected,
        exporterLimit: stats.exporterLimit,
        exportersEvicted: stats.exportersEvicted,
        quarantinedRecords: stats.quarantinedRecords,
        implausibleRecords: stats.implausibleRecords,
        implausibleNodes: app.collector.implausibleNodes(Date.now()),
        held: stats.held,
        refusals: flowRefusals(stats),
        backpressure: stats.backpressure,
        listeners: stats.listeners,
      };
      checks.detection = app.detection.stats();
      checks.mitigation = { dryRun: app.config.mitigation.dryRun, ...app.runner.stats() };
      checks.adapters = Object.fromEntries(app.adapters.map((a) => [a.name, a.health()]));
      if (app.cluster) checks.cluster = app.cluster.stats();
      if (app.speaker) checks.bgp = app.speaker.sessionStates();
      if (app.forensics) checks.forensics = app.forensics.stats();
      if (app.agents) checks.agents = app.agents.stats();
      return { ok, checks };
    },
    reloadConfig: () => app.reload('api'),
    exporters: () => app.collector.stats(),
    ...(app.notify ? { notify: app.notify } : {}),
    ...(app.obs ? { metrics: app.obs.endpoint() } : {}),
    ...(rpki
      ? {
          rpki: {
            status: () => rpki.status(),
            validate: (prefix: string, asn?: number) => {
              const p = tryParsePrefix(prefix);
              return p ? { prefix: formatPrefix(p), ...rpkiVerdictJson(rpki.validate(p, asn)) } : undefined;
            },
          },
        }
      : {}),
    ...(app.forensics ? { forensics: app.forensics } : {}),
    ...(app.agents ? { agents: app.agents } : {}),
    ...(speaker
      ? {
          bgpPeers: () => speaker.peersSnapshot(),
          bgpAdjRibOut: (peer: string) => speaker.adjRibOut(peer),
        }
      : {}),
  };
}

/** Builds the API (and the dashboard) over the app and listens; warns when tokens would travel in clear. */
export async function startHttpApi(
  app: ApiSource,
  log: Logger,
): Promise<{ server: FastifyInstance; address: string }> {
  const { api } = app.config;
  if (!isLoopback(api.host) && !api.tls.cert)
    log.warn(
      { host: api.host },
      'the HTTP API listens off loopback without TLS (api.tls): tokens travel in clear',
    );
  const server = buildApi(apiPorts(app), {
    // read on every request: a reload that changes api.token applies at once
    token: () => app.config.api.token,
    anonymousRead: api.anonymousRead && isLoopback(api.host),
    rateLimit: { max: api.rateLimit.max, timeWindowMs: api.rateLimit.windowSeconds * 1000 },
    corsOrigins: api.corsOrigins,
    ...(api.tls.cert && api.tls.key
      ? { https: { cert: readFileSync(api.tls.cert), key: readFileSync(api.tls.key) } }
      : {}),
  });
  await server.register(dashboardPlugin, {
    events: app.events,
    openAttacks: () => app.detection.openAttacks(),
    traffic: (t, d) => app.detection.traffic(t, d),
    policy: () => effectivePolicy(app.config),
    queuedRules: (tenant) => app.runner.listRules(tenant).queued,
    tenants: () => app.config.mitigation.tenants,
    tenantOf: (req) => req.principal?.tenant ?? null,
  });
  const address = await server
    .listen({ host: api.host, port: api.port })
    .catch((err: unknown) => Promise.reject(bindError(err, 'api', 'TCP', api.host, api.port)));
  log.info({ address }, 'HTTP API listening');
  return { server, address };
}
