// Test fixture of the HTTP API: ports over a real SQLite store, two tenants ("bluecorp", "redcorp") with
// rules, attacks, audit records and a token for every role of each, and a rule service that applies the
// engine's own target guard (tenant networks, special-purpose, breadth). Used by the API's tests.
import { AgentHub } from '../agent/hub.js';
import { AgentRegistry } from '../agent/registry.js';
import type { Role } from '../domain/access.js';
import type { AttackEvent } from '../domain/attack.js';
import type { Rule } from '../domain/rule.js';
import { EventBus } from '../domain/events.js';
import type { CaptureInfo } from '../forensics/render.js';
import { notificationsConfigSchema, statusPagesConfigSchema } from '../notify/config.js';
import { Notifier } from '../notify/notifier.js';
import { TenantMap } from '../domain/tenants.js';
import { mitigationConfigSchema } from '../mitigation/config.js';
import { checkTarget, compileGuards } from '../mitigation/guards.js';
import { formatPrefix } from '../net/index.js';
import { openSqliteStore } from '../store/sqlite.js';
import { sampleRule } from '../domain/sample-rule.js';
import { sampleEvent } from '../store/store-contract.js';
import type { SqlStore } from '../store/sql-store.js';
import { hashSecret } from './auth.js';
import type { ApiPorts, ReloadOutcome } from './ports.js';

export const TENANTS = {
  bluecorp: { prefix: '198.51.100.', networks: ['198.51.100.0/24'] },
  redcorp: { prefix: '203.0.113.', networks: ['203.0.113.0/24', '2001:db8:bad::/48'] },
} as const;
export type TenantName = keyof typeof TENANTS;

/** Secret of the fixture token for a role and tenant (null = unbound). */
export function secretOf(role: Role, tenant: TenantName | null): string {
  return `fixture-${role}-${tenant ?? 'global'}-secret`;
}
export const CONFIG_SECRET = 'fixture-config-secret';
/** Key of the fixture's enrolled host agent (networks: redcorp's IPv4 /24; may apply drop). */
export const AGENT_SECRET = 'fixture-agent-key';
export const FIXTURE_AGENT = { id: 'agent-fixture', name: 'fixture-agent', networks: ['203.0.113.0/24'] };

export const FIXTURE_ROLES: readonly { role: Role; tenant: TenantName | null }[] = [
  { role: 'owner', tenant: null },
  ...(['admin', 'operator', 'readonly'] as const).flatMap((role) =>
    ([null, 'bluecorp', 'redcorp'] as const).map((tenant) => ({ role, tenant })),
  ),
];

export interface Fixture {
  readonly store: SqlStore;
  readonly ports: ApiPorts;
  /** Path parameter stand-ins with ids made at random per fixture ("incident-redcorp") → the real id. */
  resolve(param: string): string;
  close(): Promise<void>;
}

export async function openFixture(
  opts: { reload?: () => Promise<ReloadOutcome>; exporters?: () => unknown } = {},
): Promise<Fixture> {
  const store = await openSqliteStore(':memory:');
  const cfg = mitigationConfigSchema.parse({
    tenants: Object.fromEntries(Object.entries(TENANTS).map(([n, t]) => [n, { networks: [...t.networks] }])),
    guards: {
      softWhitelist: [{ cidr: '198.51.100.7/32' }, { cidr: '203.0.113.7/32' }],
      allowSpecialPurpose: ['198.51.100.0/24', '203.0.113.0/24'],
    },
  });
  const tenants = new TenantMap(cfg.tenants);
  const guards = compileGuards(cfg);
  let n = 0;
  for (const [name, t] of Object.entries(TENANTS)) {
    const at = (target: string) => ({
      tenant: name,
      target,
      match: { family: 4 as const, destination: { prefix: target } },
    });
    await store.rules.upsert(sampleRule(`rule-${name}-1`, at(`${t.prefix}5/32`)));
    await store.rules.upsert(
      sampleRule(`rule-${name}-old`, { ...at(`${t.prefix}6/32`), state: 'withdrawn' }),
    );
    const ev: AttackEvent = {
      ...sampleEvent('start', 1000),
      attackId: `attack-${name}`,
      target: `${t.prefix}5/32`,
    };
    await store.attacks.record(ev);
    await store.audit.append({
      at: 5 + n++,
      actor: 'engine',
      action: 'announce',
      tenant: name,
      target: `${t.prefix}5/32`,
      ruleId: `rule-${name}-1`,
      dryRun: true,
      reason: `announce for ${name}`,
      payload: { text: `flow4 dst ${t.prefix}5/32` },
    });
  }
  await store.audit.append({
    at: 9,
    actor: 'config',
    action: 'config',
    tenant: '*',
    dryRun: true,
    reason: 'boot',
  });
  for (const { role, tenant } of FIXTURE_ROLES) {
    await store.tokens.create({
      id: `tok-${role}-${tenant ?? 'global'}`,
      name: `${role}-${tenant ?? 'global'}`,
      role,
      tenant,
      secretHash: hashSecret(secretOf(role, tenant)),
      rateLimit: null,
      createdAt: 1,
      createdBy: 'fixture',
    });
  }
  const captures: CaptureInfo[] = Object.entries(TENANTS).map(([name, t]) => ({
    attackId: `attack-${name}`,
    target: `${t.prefix}5/32`,
    family: 'udp_flood',
    startedAt: 1000,
    packets: 3,
    capped: 0,
    exporters: [{ address: '127.0.0.1', samplingRate: 1000 }],
    signature: {},
  }));
  // notifications over the same store: one open incident per tenant, from its attack's start
  const bus = new EventBus();
  const notifier = await Notifier.start({
    config: notificationsConfigSchema.parse({}),
    bus,
    store,
    ownerOf: (t) => tenants.tenantOf(t),
    policyOf: () => 'default',
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
  });
  for (const [name, t] of Object.entries(TENANTS))
    bus.publish({
      type: 'attack',
      at: 1000,
      event: { ...sampleEvent('start', 1000), attackId: `attack-${name}`, target: `${t.prefix}5/32` },
    });
  await notifier.idle();
  const incidentIds = new Map<string, string>();
  for (const i of await notifier.listIncidents({})) incidentIds.set(`incident-${i.tenant}`, i.id);
  const registry = new AgentRegistry(store.state, 10);
  await registry.create(
    { ...FIXTURE_AGENT, allow: ['drop'], createdAt: 1, createdBy: 'fixture' },
    hashSecret(AGENT_SECRET),
  );
  const hub = new AgentHub(
    { maxEventsPerReport: 100, maxSamplesPerReport: 100, staleSeconds: 30 },
    { event: (e) => void store.attacks.record(e) },
  );
  const ports: ApiPorts = {
    version: '0.0.0-test',
    startedAt: Date.now(),
    rules: {
      list: (q) => store.rules.list(q),
      get: (id) => store.rules.get(id),
      add: async (req, actor) => {
        const tenant = req.tenant ?? tenants.tenantOf(req.target) ?? '-';
        const checked = checkTarget(guards, tenant, req.target);
        if ('ok' in checked) return checked.ok ? { ok: true, rule: checked.rule, queued: false } : checked;
        const target = formatPrefix(checked);
        const rule = sampleRule(`m${++n}`, {
          tenant,
          target,
          family: checked.family,
          match: { family: checked.family, destination: { prefix: target } },
          intent: req.intent,
          origin: 'manual',
          reason: actor,
        });
        await store.rules.upsert(rule);
        await store.audit.append({
          at: n,
          actor,
          action: 'announce',
          tenant,
          ruleId: rule.id,
          dryRun: true,
          reason: 'manual',
        });
        return { ok: true, rule, queued: false };
      },
      withdraw: async (id, actor) => {
        const r = await store.rules.get(id);
        if (!r || r.state === 'withdrawn') return undefined;
        const w: Rule = { ...r, state: 'withdrawn' };
        await store.rules.upsert(w);
        await store.audit.append({
          at: ++n,
          actor,
          action: 'withdraw',
          tenant: r.tenant,
          ruleId: id,
          dryRun: true,
          reason: 'manual',
        });
        return w;
      },
    },
    attacks: store.attacks,
    audit: store.audit,
    tokens: store.tokens,
    tenants: () => tenants,
    mitigation: () => cfg,
    health: async () => ({
      ok: true,
      checks: { store: 'ok', adapters: { a: `${TENANTS.redcorp.prefix}1` } },
    }),
    reloadConfig: opts.reload ?? (async () => ({ ok: true, applied: [], restartRequired: [] })),
    exporters: opts.exporters ?? (() => [{ address: '127.0.0.1', datagrams: 3 }]),
    bgpPeers: () => [{ address: '127.0.0.1', state: 'established' }],
    rpki: {
      status: () => ({ originAs: 64500, vrps: { ipv4: 1, ipv6: 0, total: 1 }, stale: false }),
      validate: (prefix: string, asn?: number) =>
        prefix.includes('/') || /^[0-9a-f.:]+$/i.test(prefix)
          ? { prefix, originAs: asn ?? 64500, state: 'not-found', matched: [], covering: [], detail: 'test' }
          : undefined,
    },
    // the adjacency RIB carries every tenant's rules
    bgpAdjRibOut: (peer) =>
      peer === '127.0.0.1' ? Object.values(TENANTS).map((t) => ({ nlri: `${t.prefix}5/32` })) : undefined,
    // one capture per tenant's attack; the file's bytes name its target, so a leak shows in the body
    forensics: {
      list: async () => captures,
      pcap: async (id) => {
        const info = captures.find((c) => c.attackId === id);
        return info && { info, data: Buffer.from(`pcapng of ${info.target}`) };
      },
    },
    notify: {
      notifier,
      statusPages: () =>
        statusPagesConfigSchema.parse({
          tenants: Object.fromEntries(Object.keys(TENANTS).map((n) => [n, {}])),
        }),
      publicUrl: () => '',
      tenant: (name) => {
        const networks = tenants.prefixesOf(name);
        return networks && { name, networks };
      },
      now: Date.now,
    },
    metrics: {
      contentType: 'text/plain; version=0.0.4',
      enabled: () => true,
      render: async () =>
        Object.values(TENANTS)
          .map((t) => `floodgate_fixture{target="${t.prefix}5"} 1\n`)
          .join(''),
    },
    agents: { registry, hub },
  };
  return {
    store,
    ports,
    resolve: (param) => incidentIds.get(param) ?? param,
    close: async () => {
      await notifier.stop();
      await store.close();
    },
  };
}

export const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });

/** Ports that forward every call to whatever fixture `current()` returns: one API, a fresh store per run. */
export function delegatingPorts(current: () => ApiPorts): ApiPorts {
  const c = current;
  return {
    version: '0.0.0-test',
    startedAt: Date.now(),
    rules: {
      list: (q) => c().rules.list(q),
      get: (id) => c().rules.get(id),
      add: (r, a) => c().rules.add(r, a),
      withdraw: (id, a, why) => c().rules.withdraw(id, a, why),
    },
    attacks: { list: (q) => c().attacks.list(q) },
    audit: {
      query: (q) => c().audit.query(q),
      append: (r) => c().audit.append(r),
      verify: () => c().audit.verify(),
    },
    tokens: {
      create: (t) => c().tokens.create(t),
      list: (q) => c().tokens.list(q),
      get: (id) => c().tokens.get(id),
      findActiveBySecretHash: (h) => c().tokens.findActiveBySecretHash(h),
      revoke: (id, at) => c().tokens.revoke(id, at),
    },
    tenants: () => c().tenants(),
    mitigation: () => c().mitigation(),
    health: () => c().health(),
    reloadConfig: () => c().reloadConfig(),
    exporters: () => c().exporters(),
    bgpPeers: () => c().bgpPeers?.(),
    bgpAdjRibOut: (peer) => c().bgpAdjRibOut?.(peer),
    rpki: {
      status: () => c().rpki?.status(),
      validate: (prefix, asn) => c().rpki?.validate(prefix, asn),
    },
    notify: {
      // the routes keep the notifier they were registered with: forward each use to the current one
      notifier: new Proxy({} as Notifier, {
        get: (_t, key) => {
          const n = c().notify!.notifier;
          const v: unknown = Reflect.get(n, key);
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(n) : v;
        },
      }),
      statusPages: () => c().notify!.statusPages(),
      publicUrl: () => c().notify!.publicUrl(),
      tenant: (name) => c().notify!.tenant(name),
      now: Date.now,
    },
    forensics: {
      list: () => c().forensics!.list(),
      pcap: (id) => c().forensics!.pcap(id),
    },
    metrics: {
      contentType: 'text/plain; version=0.0.4',
      enabled: () => c().metrics!.enabled(),
      render: () => c().metrics!.render(),
    },
    agents: {
      registry: {
        list: (revoked) => c().agents!.registry.list(revoked),
        get: (id) => c().agents!.registry.get(id),
        create: (rec, hash) => c().agents!.registry.create(rec, hash),
        revoke: (id, at) => c().agents!.registry.revoke(id, at),
        findActiveByKeyHash: (h) => c().agents!.registry.findActiveByKeyHash(h),
      },
      hub: {
        report: (a, r) => c().agents!.hub.report(a, r),
        statusOf: (id) => c().agents!.hub.statusOf(id),
        forget: (id) => c().agents!.hub.forget(id),
      },
    },
  };
}
