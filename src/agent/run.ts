// `floodgate agent -c FILE`: the host agent's imperative shell. tcpdump samples packets 1 in N into the same
// Detector `floodgate run` uses (the file's detection section); every report interval it reads the /proc
// counters, queues a report (events, counters, the sampled headers of attacked targets) and delivers the
// queue through the circuit breaker; the controller's answer sets the rules of its nftables table.
import type { DetectionConfig } from '../detect/config.js';
import { Detector } from '../detect/detector.js';
import type { AttackEvent } from '../domain/attack.js';
import type { Rule } from '../domain/rule.js';
import type { AgentConfig } from './config.js';
import { BoundedQueue, closedBreaker, mayCall, onFailure, onSuccess, type Breaker } from './delivery.js';
import type { Poster } from './http.js';
import type { LocalMitigation } from './local.js';
import { rates, type HostReading } from './procnet.js';
import { agentReportAnswerSchema, type AgentReport } from './protocol.js';
import { insideNetworks } from './registry.js';
import { PacketSampler } from './sampler.js';
import type { Capture } from './tcpdump.js';
import type { PcapRecordSink } from './pcap-stream.js';

export interface AgentLog {
  info(o: object, m: string): void;
  warn(o: object, m: string): void;
  error(o: object, m: string): void;
}

export interface HostAgentDeps {
  readonly log: AgentLog;
  /** Undefined: no controller (detect and log only). */
  readonly post?: Poster;
  readonly mitigation?: LocalMitigation;
  readonly startCapture: (onRecord: PcapRecordSink) => Capture;
  readonly readHost: (now: number) => HostReading;
  readonly version: string;
  readonly now?: () => number;
}

export interface HostAgentStats {
  reports: number;
  delivered: number;
  failed: number;
  queued: number;
  dropped: number;
  breaker: Breaker['state'];
  events: number;
  /** Start/end events lost because the offline queue overflowed beyond what carrying over keeps. */
  eventsLost: number;
}

/** Start/end events carried from dropped reports into the oldest queued one, at most. */
const MAX_CARRIED = 100;

type WireEvent = NonNullable<AgentReport['events']>[number];

/** An AttackEvent as the report schema takes it (integer times; the signature's lists are plain arrays). */
function toWire(e: AttackEvent): WireEvent {
  const { implausibleNodes: _i, ...rest } = e;
  return { ...rest, at: Math.round(e.at), startedAt: Math.round(e.startedAt) } as unknown as WireEvent;
}

export class HostAgent {
  readonly detector: Detector;
  readonly sampler: PacketSampler;
  private capture: Capture | undefined;
  private readonly queue: BoundedQueue<AgentReport>;
  private breaker: Breaker;
  private timers: NodeJS.Timeout[] = [];
  private pendingEvents: AttackEvent[] = [];
  /** Open attacks by target: samples to that target newer than `sentUntil` go with the next report. */
  private readonly attacked = new Map<string, { sentUntil: number; match: (dst: string) => boolean }>();
  private prevHost: HostReading | undefined;
  private seq = 0;
  private stopping = false;
  private delivering = false;
  private restartTimer: NodeJS.Timeout | undefined;
  readonly stats: HostAgentStats;
  private readonly now: () => number;

  constructor(
    private readonly cfg: AgentConfig,
    private readonly detection: DetectionConfig,
    private readonly deps: HostAgentDeps,
  ) {
    this.now = deps.now ?? Date.now;
    this.detector = new Detector(detection, { node: 'agent' });
    this.sampler = new PacketSampler(cfg.capture.samplingRate, cfg.samples.ringSize, (b) =>
      this.detector.ingest(b, ['agent']),
    );
    this.queue = new BoundedQueue(cfg.queue.maxReports);
    this.breaker = closedBreaker(cfg.breaker);
    this.stats = {
      reports: 0,
      delivered: 0,
      failed: 0,
      queued: 0,
      dropped: 0,
      breaker: 'closed',
      events: 0,
      eventsLost: 0,
    };
  }

  async start(): Promise<void> {
    if (this.deps.mitigation) await this.deps.mitigation.reset();
    this.startCapture();
    try {
      this.prevHost = this.deps.readHost(this.now());
    } catch (err) {
      this.deps.log.warn(
        { err: (err as Error).message },
        'cannot read /proc counters; reports go without them',
      );
    }
    this.timers.push(setInterval(() => this.tick(), this.detector.tickLength));
    this.timers.push(
      setInterval(
        () =>
          void this.cycle().catch((err: unknown) =>
            this.deps.log.error({ err: (err as Error).message }, 'report cycle failed'),
          ),
        this.cfg.reportIntervalMs,
      ),
    );
  }

  private startCapture(): void {
    const c = this.deps.startCapture(this.sampler.record);
    this.capture = c;
    this.deps.log.info(
      {
        interface: this.cfg.capture.interface,
        samplingRate: this.cfg.capture.samplingRate,
        pid: c.child.pid,
      },
      'packet capture started (tcpdump)',
    );
    void c.exited.then(({ code, stderr }) => {
      if (this.stopping) return;
      this.deps.log.error(
        { code, stderr: stderr.trim().slice(-500), streamError: c.stream.error ?? null },
        'tcpdump exited; restarting the capture in 5 s',
      );
      this.restartTimer = setTimeout(() => {
        if (!this.stopping) this.startCapture();
      }, 5000);
    });
  }

  /** Evaluates the detector (every detection.tick ms; public for tests that drive the clock). */
  tick(): void {
    let events: AttackEvent[];
    try {
      this.sampler.flushNow();
      events = this.detector.tick(this.now());
    } catch (err) {
      this.deps.log.error({ err: (err as Error).message }, 'detector tick failed');
      return;
    }
    for (const e of events) {
      this.stats.events++;
      this.pendingEvents.push(e);
      this.deps.log.info(
        {
          attackId: e.attackId,
          kind: e.kind,
          target: e.target,
          family: e.family,
          pps: Math.round(e.pps),
          bps: Math.round(e.bps),
          reason: e.reason,
        },
        `attack ${e.kind}`,
      );
      if (e.direction !== 'incoming') continue;
      if (e.kind === 'start' && !this.attacked.has(e.target)) {
        // pre-attack samples: everything the ring still holds for the target
        this.attacked.set(e.target, { sentUntil: 0, match: (dst) => insideNetworks([e.target], dst) });
      }
    }
  }

  /** One report interval: build a report, queue it, deliver what the breaker lets through. */
  async cycle(): Promise<void> {
    const now = this.now();
    const report = this.buildReport(now);
    if (this.deps.post) {
      for (const lost of this.queue.push(report)) this.carryOver(lost);
      await this.deliver();
    }
    if (this.deps.mitigation && this.breaker.state !== 'closed') await this.deps.mitigation.expire(now);
    this.stats.queued = this.queue.length;
    this.stats.dropped = this.queue.dropped;
  }

  /**
   * A report the full queue dropped: its counters and samples are lost, but its start and end events move
   * into the oldest queued report (updates are superseded by later ones), up to MAX_CARRIED events.
   */
  private carryOver(lost: AgentReport): void {
    const keep = (lost.events ?? []).filter((e) => e.kind !== 'update');
    const head = this.queue.peek();
    if (!head || keep.length === 0) return;
    const merged = [...keep, ...(head.events ?? [])];
    this.stats.eventsLost += Math.max(0, merged.length - MAX_CARRIED);
    head.events = merged.slice(-MAX_CARRIED);
  }

  buildReport(now: number): AgentReport {
    let counters: AgentReport['counters'];
    try {
      const cur = this.deps.readHost(now);
      if (this.prevHost) {
        const r = rates(this.prevHost, cur);
        const iface = r.interfaces[this.cfg.capture.interface];
        counters = {
          seconds: r.seconds,
          interfaces: iface ? { [this.cfg.capture.interface]: iface } : {},
          snmp: Object.fromEntries(
            ['Ip', 'Icmp', 'Tcp', 'Udp', 'Ip6', 'Udp6'].filter((k) => r.snmp[k]).map((k) => [k, r.snmp[k]!]),
          ),
        };
      }
      this.prevHost = cur;
    } catch {
      // counted as missing counters in this report
    }
    const events = this.pendingEvents;
    this.pendingEvents = [];
    const samples: NonNullable<AgentReport['samples']> = [];
    const budget = this.cfg.samples.maxPerReport;
    for (const [target, a] of this.attacked) {
      const room = budget - samples.length;
      if (room <= 0) break;
      const got = this.sampler.samplesFor(a.match, a.sentUntil, room);
      for (const s of got)
        samples.push({
          at: Math.round(s.at),
          link: s.link,
          data: Buffer.from(s.data).toString('base64'),
          origLen: s.origLen,
        });
      if (got.length > 0) a.sentUntil = got[got.length - 1]!.at;
      if (events.some((e) => e.target === target && e.kind === 'end')) this.attacked.delete(target);
    }
    this.stats.reports++;
    return {
      seq: ++this.seq,
      sentAt: Math.round(now),
      version: this.deps.version,
      samplingRate: this.cfg.capture.samplingRate,
      ...(counters ? { counters } : {}),
      capture: { ...this.sampler.stats },
      events: events.map(toWire),
      samples,
      held: this.deps.mitigation?.heldIds() ?? [],
      queued: this.queue.length,
    };
  }

  private async deliver(): Promise<void> {
    if (this.delivering || !this.deps.post) return;
    this.delivering = true;
    try {
      for (let n = 0; n < this.cfg.queue.flushPerInterval && this.queue.length > 0; n++) {
        const gate = mayCall(this.breaker, this.now());
        this.setBreaker(gate.breaker);
        if (!gate.allowed) return;
        const report = this.queue.peek()!;
        const ok = await this.post({ ...report, queued: this.queue.length - 1 });
        if (!ok) {
          this.setBreaker(onFailure(this.breaker, this.cfg.breaker, this.now()));
          this.stats.failed++;
          return;
        }
        this.queue.shift();
        this.stats.delivered++;
        this.setBreaker(onSuccess(this.breaker, this.cfg.breaker));
      }
    } finally {
      this.delivering = false;
    }
  }

  private setBreaker(b: Breaker): void {
    if (b.state !== this.breaker.state)
      this.deps.log[b.state === 'open' ? 'warn' : 'info'](
        {
          from: this.breaker.state,
          to: b.state,
          waitMs: b.state === 'open' ? b.waitMs : undefined,
          queued: this.queue.length,
        },
        `circuit breaker ${b.state}`,
      );
    this.breaker = b;
    this.stats.breaker = b.state;
  }

  /** Posts one report; true when the controller took it (its answer applied). */
  private async post(report: AgentReport): Promise<boolean> {
    let res;
    try {
      res = await this.deps.post!('/api/v1/agents/report', JSON.stringify(report));
    } catch (err) {
      this.deps.log.warn(
        { err: (err as Error).message, seq: report.seq },
        'report failed: controller unreachable',
      );
      return false;
    }
    if (res.status !== 200) {
      this.deps.log.warn(
        { status: res.status, body: res.body.slice(0, 500), seq: report.seq },
        'report refused',
      );
      // a refused report (4xx) will never be taken: dropping it keeps the queue moving; 401 means the key is revoked
      return res.status >= 400 && res.status < 500 && res.status !== 401 && res.status !== 429 ? true : false;
    }
    let answer;
    try {
      answer = agentReportAnswerSchema.parse(JSON.parse(res.body));
    } catch (err) {
      this.deps.log.warn(
        { err: (err as Error).message },
        'controller answer unreadable; mitigations unchanged',
      );
      return true;
    }
    if (answer.refused.length > 0)
      this.deps.log.warn({ refused: answer.refused }, 'controller refused events');
    if (this.deps.mitigation) await this.deps.mitigation.apply(answer.mitigations as unknown as Rule[]);
    return true;
  }

  /** Stops capture and timers, sends what is queued once more, removes the agent's nftables rules. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearInterval(t);
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.capture?.stop();
    if (this.capture) await this.capture.exited;
    if (this.deps.mitigation) await this.deps.mitigation.apply([]);
  }
}
