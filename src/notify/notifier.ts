// The notification shell: subscribes to the operational event bus, turns events into notices, groups
// them into incidents (persisted), mutes what maintenance windows cover, routes each notice to the
// channels whose filters it passes, holds back what the rate limit refuses into one digest per channel
// and interval, and keeps failed deliveries in the dead-letter list. Events are handled one at a time
// (one writer for incidents); each channel delivers its messages in order on its own queue.
import type { TransportOptions } from '../adapters/http-retry.js';
import type { EventBus, OpsEvent } from '../domain/events.js';
import type { Rule } from '../domain/rule.js';
import type { DeadLetterRepository, IncidentRepository } from './ports.js';
import type { RuleRepository, StateRepository } from '../domain/store-port.js';
import { buildChannel } from './channels/index.js';
import { classify } from './classify.js';
import type { ChannelConfig, NotificationsConfig } from './config.js';
import { IdSource } from './ids.js';
import { acknowledge, applyNotice, isStale, resolve } from './incidents.js';
import { MaintenanceBook, mutedBy, type MaintenanceWindow } from './maintenance.js';
import { MemoryDeadLetters, MemoryIncidents } from './memory-repos.js';
import { fullBucket } from './rate-limit.js';
import { route } from './route.js';
import { noticeMessage } from './template.js';
import { Outbox } from './outbox.js';
import type { Channel, DeadLetter, Incident, Message, Notice } from './types.js';

export interface NotifierLog {
  info(o: object, m: string): void;
  warn(o: object, m: string): void;
  error(o: object, m: string): void;
}

export interface NotifierDeps {
  readonly config: NotificationsConfig;
  readonly bus: EventBus;
  readonly store: {
    readonly rules: Pick<RuleRepository, 'get'>;
    readonly state: StateRepository;
    readonly incidents?: IncidentRepository;
    readonly deadLetters?: DeadLetterRepository;
  };
  readonly ownerOf: (target: string) => string | undefined;
  readonly policyOf: (hostGroup: string) => string;
  readonly log: NotifierLog;
  readonly now?: () => number;
  /** Channels to use instead of building them from the config (tests). */
  readonly channels?: readonly Channel[];
  readonly transport?: TransportOptions;
}

export class Notifier {
  private readonly now: () => number;
  private readonly incidents: IncidentRepository;
  private readonly ids: IdSource;
  private readonly deadLetters: DeadLetterRepository;
  private readonly open = new Map<string, Incident>();
  /** Last attack update seen per open incident (updates are not notices, but show the attack goes on). */
  private readonly lastSeen = new Map<string, number>();
  private readonly channels: Outbox[];
  private readonly listeners = new Set<(i: Incident) => void>();
  private readonly maintenance: MaintenanceBook;
  private chain: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private muted = 0;
  private handled = 0;

  private constructor(
    private readonly deps: NotifierDeps,
    /** One built channel per deps.config.channels entry, in order. */
    built: readonly Channel[],
  ) {
    this.now = deps.now ?? Date.now;
    this.ids = new IdSource(this.now);
    this.incidents = deps.store.incidents ?? new MemoryIncidents();
    this.deadLetters = deps.store.deadLetters ?? new MemoryDeadLetters();
    this.maintenance = new MaintenanceBook(deps.config.maintenance, deps.store.state, () => this.newId('mw'));
    this.channels = deps.config.channels.map(
      (cfg, i) =>
        new Outbox(cfg, built[i]!, fullBucket(deps.config.rateLimit, this.now()), (m, r) =>
          this.deadLetter(cfg.name, m, r),
        ),
    );
  }

  static async start(deps: NotifierDeps): Promise<Notifier> {
    // each channel's module is imported here, only for the types configured (channels/index.ts)
    const byName = new Map((deps.channels ?? []).map((c) => [c.name, c]));
    const built = await Promise.all(
      deps.config.channels.map((cfg) => byName.get(cfg.name) ?? buildChannel(cfg, deps.transport ?? {})),
    );
    const n = new Notifier(deps, built);
    for (const i of await n.incidents.list({ states: ['open', 'acknowledged'] })) n.open.set(i.id, i);
    await n.maintenance.load();
    if (deps.config.enabled) n.unsubscribe = deps.bus.subscribe((e) => n.submit(e));
    n.timer = setInterval(() => {
      n.flushDigests();
      n.sweep();
    }, deps.config.rateLimit.digestIntervalMs);
    n.timer.unref();
    return n;
  }

  /** Queues an event; never throws, never blocks the publisher. */
  submit(event: OpsEvent): void {
    this.chain = this.chain
      .then(() => this.handle(event))
      .catch((err: unknown) =>
        this.deps.log.error({ err, event: event.type }, 'notify: event handling failed'),
      );
  }

  /** Resolves once every event submitted so far is handled and its deliveries are done. */
  async idle(): Promise<void> {
    await this.chain;
    await Promise.all(this.channels.map((c) => c.idle()));
  }

  private async ruleFor(event: OpsEvent): Promise<Rule | undefined> {
    if (event.type !== 'audit' || event.record.ruleId === undefined) return undefined;
    return this.deps.store.rules.get(event.record.ruleId).catch(() => undefined);
  }

  private async handle(event: OpsEvent): Promise<void> {
    if (event.type === 'attack' && event.event.kind === 'update') {
      for (const i of this.open.values())
        if (i.activeAttacks.includes(event.event.attackId)) this.lastSeen.set(i.id, event.at);
      return;
    }
    const rule = await this.ruleFor(event);
    const notice = classify(event, {
      ownerOf: this.deps.ownerOf,
      policyOf: this.deps.policyOf,
      runbooks: this.deps.config.runbooks,
      ...(rule ? { rule } : {}),
    });
    if (!notice) return;
    this.handled++;
    await this.process(notice);
  }

  private async process(notice: Notice): Promise<void> {
    const window = mutedBy(this.windows(), notice);
    const applied = applyNotice([...this.open.values()], notice, {
      ...this.deps.config.incidents,
      newId: () => this.newId('inc'),
      muted: window !== undefined,
    });
    let n = notice;
    if (applied) {
      await this.save(applied.incident);
      n = {
        ...notice,
        incidentId: applied.incident.id,
        incidentEffect: applied.effect,
        ...((notice.runbook ?? applied.incident.runbook)
          ? { runbook: notice.runbook ?? applied.incident.runbook }
          : {}),
      };
    }
    if (window) {
      this.muted++;
      return;
    }
    if (n.quiet && n.incidentEffect !== 'resolved') return;
    await this.tell(n, applied?.incident);
  }

  /** Dispatches, then remembers on the incident which channels now know about it. */
  private async tell(n: Notice, incident: Incident | undefined): Promise<void> {
    const newly = this.dispatch(n, incident);
    if (!incident || newly.length === 0 || incident.state === 'resolved') return;
    const current = this.open.get(incident.id) ?? incident;
    await this.save({ ...current, toldChannels: [...(current.toldChannels ?? []), ...newly] });
  }

  private async save(incident: Incident): Promise<void> {
    if (incident.state === 'resolved') {
      this.open.delete(incident.id);
      this.lastSeen.delete(incident.id);
    } else this.open.set(incident.id, incident);
    await this.incidents
      .upsert(incident)
      .catch((err: unknown) =>
        this.deps.log.error({ err, incident: incident.id }, 'notify: could not store incident'),
      );
    for (const l of this.listeners) {
      try {
        l(incident);
      } catch (err) {
        this.deps.log.warn({ err }, 'notify: incident listener failed');
      }
    }
  }

  /** Routes a notice to every channel; returns the channels told about its incident for the first time. */
  private dispatch(n: Notice, incident: Incident | undefined): string[] {
    const now = this.now();
    const told = new Set(incident?.toldChannels ?? []);
    const newly: string[] = [];
    for (const c of this.channels) {
      const r = route(c.cfg, this.deps.config.rateLimit, c.bucket, n, now, told.has(c.cfg.name));
      c.bucket = r.bucket;
      if (r.route === 'filtered') c.stats.filtered++;
      else if (r.route === 'digest') {
        c.digest.add(n);
        c.stats.digested++;
      } else {
        if (incident && !told.has(c.cfg.name)) newly.push(c.cfg.name);
        c.send(this.message(c.cfg, n, incident));
      }
    }
    return newly;
  }

  private message(cfg: ChannelConfig, n: Notice, incident: Incident | undefined): Message {
    return noticeMessage(cfg.template, n, incident, this.deps.config.publicUrl);
  }

  private async deadLetter(
    channel: string,
    m: Message,
    r: { error: string; attempts: number },
  ): Promise<void> {
    this.deps.log.warn(
      { channel, error: r.error, attempts: r.attempts },
      'notify: delivery failed after retries; kept in the dead-letter list',
    );
    try {
      await this.deadLetters.add({
        at: this.now(),
        channel,
        error: r.error,
        attempts: r.attempts,
        message: m,
      });
      await this.deadLetters.trim(this.deps.config.deadLetterLimit);
    } catch (err) {
      this.deps.log.error({ err }, 'notify: could not store a dead letter');
    }
  }

  /** Sends each channel's held-back notices as one digest message. */
  flushDigests(): void {
    const now = this.now();
    for (const c of this.channels) c.flush(now);
  }

  /**
   * Resolves incidents that went quiet with nothing in place — e.g. an attack whose end was never seen
   * because floodgate restarted during it — so they do not stay open forever.
   */
  sweep(): void {
    const now = this.now();
    const { staleAfterMs } = this.deps.config.incidents;
    for (const i of this.open.values()) {
      if (!isStale(i, this.lastSeen.get(i.id) ?? 0, now, staleAfterMs)) continue;
      void this.operate(
        i.id,
        'resolve',
        'floodgate',
        `no activity for ${Math.round(staleAfterMs / 60_000)} min`,
      );
    }
  }

  // ---- incidents (API) ----

  onIncident(listener: (i: Incident) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  listIncidents(q: Parameters<IncidentRepository['list']>[0]): Promise<Incident[]> {
    return this.incidents.list(q);
  }

  getIncident(id: string): Promise<Incident | undefined> {
    return this.incidents.get(id);
  }

  /** Acknowledge or resolve through the same queue as events; the follow-up notice goes to the channels. */
  operate(
    id: string,
    op: 'acknowledge' | 'resolve',
    by: string,
    note?: string,
  ): Promise<Incident | 'not-found' | 'conflict'> {
    const result = this.chain.then(async () => {
      const current = this.open.get(id) ?? (await this.incidents.get(id));
      if (!current) return 'not-found' as const;
      const at = this.now();
      const next = op === 'acknowledge' ? acknowledge(current, by, at, note) : resolve(current, by, at, note);
      if (!next) return 'conflict' as const;
      await this.save(next);
      const kind = op === 'acknowledge' ? ('incident.acknowledged' as const) : ('incident.resolved' as const);
      await this.tell(
        {
          kind,
          severity: 'info',
          at,
          tenant: next.tenant,
          subject: next.subject,
          title: `Incident ${next.id} ${op === 'acknowledge' ? 'acknowledged' : 'resolved'} by ${by}: ${next.title}`,
          detail: note ?? `${op === 'acknowledge' ? 'Acknowledged' : 'Resolved'} through the API.`,
          facts: { Incident: next.id, By: by },
          incidentId: next.id,
          incidentEffect: op === 'acknowledge' ? 'acknowledged' : 'resolved',
          ...(next.runbook ? { runbook: next.runbook } : {}),
        },
        next,
      );
      return this.open.get(next.id) ?? next;
    });
    this.chain = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  // ---- dead letters (API) ----

  listDeadLetters(limit?: number): Promise<DeadLetter[]> {
    return this.deadLetters.list(limit);
  }

  /** Resends a dead letter on its channel now; removed from the list when it goes through. */
  async retryDeadLetter(id: number): Promise<{ ok: boolean; error?: string } | undefined> {
    const letter = await this.deadLetters.get(id);
    if (!letter) return undefined;
    const c = this.channels.find((x) => x.cfg.name === letter.channel);
    if (!c) return { ok: false, error: `channel ${letter.channel} is no longer configured` };
    const r = await c.channel.deliver(letter.message);
    if (!r.ok) return { ok: false, error: r.error };
    await this.deadLetters.remove(id);
    return { ok: true };
  }

  /** Sends a test notice to one channel, past filters and the rate limit. */
  async test(channel: string): Promise<{ ok: boolean; error?: string } | undefined> {
    const c = this.channels.find((x) => x.cfg.name === channel);
    if (!c) return undefined;
    const at = this.now();
    const n: Notice = {
      kind: 'test',
      severity: 'info',
      at,
      tenant: '*',
      subject: 'test',
      title: `floodgate test notification for ${channel}`,
      detail: 'If you can read this, the channel works.',
      facts: { Channel: channel },
    };
    const r = await c.channel.deliver(this.message(c.cfg, n, undefined));
    return r.ok ? { ok: true } : { ok: false, error: r.error };
  }

  // ---- maintenance windows ----

  windows(): MaintenanceWindow[] {
    return this.maintenance.list();
  }

  addWindow(w: Omit<MaintenanceWindow, 'id'>): Promise<MaintenanceWindow> {
    return this.maintenance.add(w, this.now());
  }

  removeWindow(id: string): Promise<boolean> {
    return this.maintenance.remove(id);
  }

  private newId(prefix: string): string {
    return this.ids.next(prefix);
  }

  stats(): Record<string, unknown> {
    return {
      handled: this.handled,
      muted: this.muted,
      openIncidents: this.open.size,
      channels: Object.fromEntries(
        this.channels.map((c) => [
          c.cfg.name,
          { type: c.cfg.type, pendingDigest: c.digest.size, ...c.stats },
        ]),
      ),
    };
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    if (this.timer) clearInterval(this.timer);
    const held = this.channels.reduce((n, c) => n + c.digest.size, 0);
    if (held)
      this.deps.log.warn({ held }, 'notify: stopping with notices held for a digest; they are not sent');
    // let queued deliveries finish, but never hold the shutdown longer than a few seconds
    await Promise.race([this.idle(), new Promise((r) => setTimeout(r, 5000).unref())]);
    await Promise.all(this.channels.map((c) => c.channel.close().catch(() => undefined)));
  }
}
