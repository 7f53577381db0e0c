// UDP flow collector (imperative shell): IPv4/IPv6 sockets with large receive buffers, exporter allowlist,
// per-exporter state and stats in a bounded table (idle exporters evicted least recently seen first), template
// expiry sweeps, and double-buffered FlowBatches screened (screen.ts) and handed to onBatch when full or after
// flushMs. An sFlow exporter is its agent address + sub-agent id from the datagram (sflow_version_5.txt), so two
// agents relayed through one host are two exporters; NetFlow/IPFIX exporters are their UDP source.
import dgram from 'node:dgram';
import ipaddr from 'ipaddr.js';
import { formatIp, ipFromBytes } from '../net/index.js';
import { AddressMap } from './address-map.js';
import { FlowBatch } from './batch.js';
import { decodeDatagram } from './datagram.js';
import { emptyErrorCounts, FLOW_ERROR_KINDS, type ErrorCounts } from './errors.js';
import { ExporterState, type ExporterStats } from './exporter.js';
import { DEFAULT_FLOW_LIMITS, FlowBudget, type FlowLimits } from './limits.js';
import type { SamplingOverride } from './sampling.js';
import { DEFAULT_SCREEN, screenBatch, type ScreenOptions } from './screen.js';
import { shapeCacheStats } from './shapes.js';
import type { BatchSink, PacketLength, RawHeaderTap } from './sink.js';
import {
  pressureSince,
  pressureTotals,
  splitErrors,
  type ExporterPressure,
  type ListenerPressure,
  type PressureReport,
  type PressureSnapshot,
} from './pressure.js';
import { readListenerDrops } from './socket-drops-reader.js';

export const DEFAULT_RECV_BUFFER = 4 * 1024 * 1024;

export interface ListenSpec {
  address: string;
  port: number;
}

export interface CollectorOptions {
  listen: ListenSpec[];
  /** SO_RCVBUF request; the kernel caps it at net.core.rmem_max. */
  recvBufferSize?: number;
  /** Exporter addresses or prefixes allowed to send; empty or absent = everyone. */
  allow?: string[];
  /** Per exporter address sampling override. */
  sampling?: Record<string, SamplingOverride>;
  batchSize?: number;
  /** A partial batch is handed over after this long (ms). */
  flushMs?: number;
  limits?: FlowLimits;
  /** Quarantine and plausibility screening of records before detection; absent = the defaults. */
  screen?: ScreenOptions;
  /** Node name per exporter address or prefix (longest prefix wins); default the exporter's address. */
  nodes?: Readonly<Record<string, string>>;
  /** Plausibility ceiling per exporter address or prefix, and for every other exporter (0 = none). */
  ceilings?: Readonly<Record<string, { maxBps?: number; maxPps?: number }>>;
  defaultCeiling?: { maxBps?: number; maxPps?: number };
  /** How often templates are expired and idle exporters released (ms). */
  sweepMs?: number;
  /** Bytes of an sFlow sampled packet: IP length (default) or frame length. */
  packetLength?: PacketLength;
  /**
   * Receives each full (or timed-out partial) batch. The batch and its rows are valid only until the next call:
   * the collector reuses it (double buffering). `exporters[batch.exporter[i]]` is the record's exporter.
   */
  onBatch: (batch: FlowBatch, exporters: readonly ExporterState[]) => void;
  /** Sees every sFlow raw packet header as it is decoded (forensics); absent = no cost. */
  rawTap?: RawHeaderTap;
  now?: () => number;
  /** Called every pressureIntervalMs with what was lost in that interval, only when something was. */
  onPressure?: (report: PressureReport) => void;
  pressureIntervalMs?: number;
}

/** One bound socket's counters: what arrived, what we could not use, what the kernel dropped. */
export interface ListenerStats extends ListenerPressure {
  /** SO_RCVBUF the kernel granted (Linux doubles the request, capped at net.core.rmem_max). */
  readonly recvBufferBytes: number;
  readonly datagrams: number;
  /** Bytes waiting in the socket's receive queue now (/proc/net/udp rx_queue). */
  readonly rxQueueBytes: number;
  /** False where the kernel's per-socket drop counter cannot be read (not Linux): socketDrops is 0 then. */
  readonly socketDropsKnown: boolean;
}

class ListenerCounters {
  datagrams = 0;
  decodeErrors = 0;
  queueOverflows = 0;
  rejected = 0;
  constructor(
    readonly address: string,
    readonly port: number,
    readonly recvBufferBytes: number,
  ) {}
}

export interface CollectorStats {
  datagrams: number;
  rejected: number;
  /** Datagrams from a new exporter refused because the table was full of recently active ones. */
  exporterLimit: number;
  /** Exporters released because they were idle (table full, or idle past the template lifetime). */
  exportersEvicted: number;
  batches: number;
  /** Decode errors and refusals of every exporter seen, evicted ones included (per exporter: `exporters`). */
  errors: ErrorCounts;
  /** Records kept from detection: quarantined (sampling) and implausible (over a ceiling), all exporters. */
  quarantinedRecords: number;
  implausibleRecords: number;
  /** What all exporters hold together against flow.limits. */
  held: ReturnType<FlowBudget['snapshot']>;
  shapes: { shapes: number; fields: number; hits: number; misses: number };
  /** Totals of the per-listener and per-exporter loss counters below. */
  backpressure: ReturnType<typeof pressureTotals>;
  listeners: ListenerStats[];
  exporters: (ExporterStats & { decodeErrors: number; queueOverflows: number })[];
}

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

function normalise(address: string): string {
  if (address.startsWith('::ffff:') && address.includes('.')) return address.slice(7);
  return address;
}

export class FlowCollector implements BatchSink {
  batch: FlowBatch;
  private spare: FlowBatch;
  /** Indexed by exporter id (the batch's exporter column); a released slot is reused by a new exporter. */
  readonly exporters: ExporterState[] = [];
  /** Live exporters by identity, least recently seen first (coarse: re-ordered at most once a second). */
  private readonly byKey = new Map<string, ExporterState>();
  private readonly freeIds: number[] = [];
  private readonly allowed = new Map<string, boolean>();
  private readonly ranges: Range[];
  private readonly sockets: dgram.Socket[] = [];
  private timer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private readonly now: () => number;
  private readonly limits: FlowLimits;
  private readonly screen: ScreenOptions;
  readonly budget: FlowBudget;
  private readonly nodes: AddressMap<string>;
  private readonly ceilings: AddressMap<{ maxBps?: number; maxPps?: number }>;
  datagrams = 0;
  rejected = 0;
  exporterLimit = 0;
  exportersEvicted = 0;
  private readonly evictedErrors = emptyErrorCounts();
  batches = 0;
  quarantinedRecords = 0;
  implausibleRecords = 0;
  /** Changes whenever an exporter slot gets a new occupant (names by id must be re-read). */
  generation = 0;
  recvBufferSizes: number[] = [];
  readonly rawTap: RawHeaderTap | undefined;

  /** BatchSink: how the decoders count a sampled packet's bytes. */
  get packetLength(): PacketLength {
    return this.opts.packetLength ?? 'ip';
  }
  private readonly listeners: ListenerCounters[] = [];
  private pressureTimer: NodeJS.Timeout | undefined;
  private lastPressure: PressureSnapshot = { listeners: [], exporters: [] };

  constructor(private readonly opts: CollectorOptions) {
    const size = opts.batchSize ?? 4096;
    this.batch = new FlowBatch(size);
    this.spare = new FlowBatch(size);
    this.now = opts.now ?? Date.now;
    this.limits = opts.limits ?? DEFAULT_FLOW_LIMITS;
    this.screen = opts.screen ?? DEFAULT_SCREEN;
    this.budget = new FlowBudget(this.limits);
    this.nodes = new AddressMap(opts.nodes);
    this.ceilings = new AddressMap(opts.ceilings);
    this.rawTap = opts.rawTap;
    this.ranges = (opts.allow ?? []).map((a) =>
      a.includes('/')
        ? ipaddr.parseCIDR(a)
        : ([ipaddr.parse(a), ipaddr.parse(a).kind() === 'ipv4' ? 32 : 128] as Range),
    );
  }

  /** Binds every listener; resolves with the bound addresses (port 0 → ephemeral). */
  async start(): Promise<ListenSpec[]> {
    const bound: ListenSpec[] = [];
    for (const l of this.opts.listen) {
      const type = l.address.includes(':') ? 'udp6' : 'udp4';
      const s = dgram.createSocket({
        type,
        ipv6Only: type === 'udp6',
        recvBufferSize: this.opts.recvBufferSize ?? DEFAULT_RECV_BUFFER,
      });
      const index = this.sockets.length;
      s.on('message', (msg, rinfo) => this.ingest(msg, rinfo.address, this.now(), index));
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.bind(l.port, l.address, () => {
          s.off('error', reject);
          resolve();
        });
      });
      // a socket error after bind (e.g. ICMP on some platforms) must not kill the process
      s.on('error', () => undefined);
      this.recvBufferSizes.push(s.getRecvBufferSize());
      this.sockets.push(s);
      const a = s.address();
      bound.push({ address: a.address, port: a.port });
      this.listeners.push(new ListenerCounters(a.address, a.port, s.getRecvBufferSize()));
    }
    const ms = this.opts.flushMs ?? 20;
    this.timer = setInterval(() => this.flush(), ms);
    this.timer.unref();
    this.sweepTimer = setInterval(() => this.sweep(), this.opts.sweepMs ?? 10_000);
    this.sweepTimer.unref();
    if (this.opts.onPressure) {
      const report = this.opts.onPressure;
      this.lastPressure = this.pressure();
      this.pressureTimer = setInterval(() => {
        const cur = this.pressure();
        const r = pressureSince(this.lastPressure, cur);
        this.lastPressure = cur;
        if (r) report(r);
      }, this.opts.pressureIntervalMs ?? 60_000);
      this.pressureTimer.unref();
    }
    return bound;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.timer = undefined;
    this.sweepTimer = undefined;
    if (this.pressureTimer) clearInterval(this.pressureTimer);
    this.pressureTimer = undefined;
    await Promise.all(this.sockets.map((s) => new Promise<void>((r) => s.close(() => r()))));
    this.sockets.length = 0;
    this.flush();
  }

  /** Hands over the current batch if it holds anything. */
  flush(): void {
    if (this.batch.length > 0) this.rotate();
  }

  rotate(): void {
    const full = this.batch;
    this.batch = this.spare;
    this.batch.reset();
    this.spare = full;
    this.batches++;
    this.screenOut(full);
    if (full.length > 0) this.opts.onBatch(full, this.exporters);
  }

  private screenOut(b: FlowBatch): void {
    let q = 0;
    let p = 0;
    for (const e of this.exporters) {
      q -= e.quarantinedRecords;
      p -= e.implausibleRecords;
    }
    if (screenBatch(b, this.exporters, this.now(), this.screen) === 0) return;
    for (const e of this.exporters) {
      q += e.quarantinedRecords;
      p += e.implausibleRecords;
    }
    this.quarantinedRecords += q;
    this.implausibleRecords += p;
  }

  /**
   * Decodes one datagram from `address` (the socket handler; public so tests and replays can feed it).
   * `listener` is the index of the socket it came in on, for the per-listener counters.
   */
  ingest(buf: Uint8Array, address: string, nowMs = this.now(), listener = -1): void {
    this.datagrams++;
    const l = this.listeners[listener];
    if (l) l.datagrams++;
    const agent = this.agentOf(buf, address);
    const key = agent ? agent.key : address;
    let exp = this.byKey.get(key);
    if (exp && exp.source !== normalise(address) && !this.isAllowed(normalise(address))) exp = undefined;
    if (!exp) {
      const source = normalise(address);
      // the allowlist is checked on the UDP source: the agent address inside a datagram is the sender's claim
      if (!this.isAllowed(source)) {
        this.rejected++;
        if (l) l.rejected++;
        return;
      }
      exp = this.admit(key, agent?.address ?? source, nowMs);
      if (!exp) {
        this.exporterLimit++;
        if (l) l.rejected++;
        return;
      }
      exp.source = source;
      if (agent) exp.subAgentId = agent.subAgent;
    } else if (nowMs - exp.lastSeenMs >= 1000) {
      // keep byKey in least-recently-seen order (coarsely, so a busy exporter costs no map churn)
      this.byKey.delete(key);
      this.byKey.set(key, exp);
    }
    if (l) {
      const before = splitErrors(exp.errors);
      decodeDatagram(buf, exp, this, nowMs);
      const after = splitErrors(exp.errors);
      l.decodeErrors += after.decodeErrors - before.decodeErrors;
      l.queueOverflows += after.queueOverflows - before.queueOverflows;
    } else decodeDatagram(buf, exp, this, nowMs);
    if (this.batch.full) this.rotate();
  }

  /** Last sFlow agent seen per UDP source: a busy IPv4 agent costs two reads per datagram, no string. */
  private readonly lastAgent = new Map<string, { v4: number; sub: number; agent: SflowAgent }>();

  private agentOf(buf: Uint8Array, source: string): SflowAgent | undefined {
    if (buf.length < 28 || buf[3] !== 5 || buf[0] !== 0 || buf[1] !== 0 || buf[2] !== 0) return undefined;
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    if (dv.getUint32(4) === 1) {
      const v4 = dv.getUint32(8);
      const sub = dv.getUint32(12);
      const hit = this.lastAgent.get(source);
      if (hit && hit.v4 === v4 && hit.sub === sub) return hit.agent;
      const agent = sflowAgent(buf);
      if (agent && this.lastAgent.size < this.limits.maxExporters)
        this.lastAgent.set(source, { v4, sub, agent });
      else if (agent && hit) hit.agent = agent;
      return agent;
    }
    return sflowAgent(buf);
  }

  /** A state for a new exporter: a free slot, a new one, or the slot of the least recently seen idle one. */
  private admit(key: string, address: string, nowMs: number): ExporterState | undefined {
    let id = this.freeIds.pop();
    if (id === undefined && this.exporters.length < this.limits.maxExporters) id = this.exporters.length;
    if (id === undefined) {
      const lru = this.byKey.entries().next().value as [string, ExporterState] | undefined;
      if (!lru || nowMs - lru[1].lastSeenMs < this.limits.exporterIdleMs) return undefined;
      id = this.evict(lru[0], lru[1]);
    }
    const exp = new ExporterState(id, address, this.limits, this.budget);
    exp.sampling.setOverride(this.opts.sampling?.[address]);
    exp.node = this.nodes.lookup(address) ?? address;
    const ceiling = this.ceilings.lookup(address) ?? this.opts.defaultCeiling;
    exp.maxBps = ceiling?.maxBps ?? 0;
    exp.maxPps = ceiling?.maxPps ?? 0;
    exp.lastSeenMs = nowMs;
    this.exporters[id] = exp;
    this.byKey.set(key, exp);
    this.generation++;
    return exp;
  }

  /** Releases an exporter's state; returns its id for reuse. Rows it wrote are handed on first. */
  private evict(key: string, exp: ExporterState): number {
    this.flush();
    for (const k of FLOW_ERROR_KINDS) this.evictedErrors[k] += exp.errors[k];
    this.byKey.delete(key);
    exp.release();
    this.exportersEvicted++;
    return exp.id;
  }

  /** Node names with an exporter flagged implausible at `nowMs` (screen.ts). */
  implausibleNodes(nowMs: number): string[] {
    const out = new Set<string>();
    for (const e of this.byKey.values()) if (e.implausible(nowMs)) out.add(e.node);
    return [...out];
  }

  /** Expires templates (RFC 7011 §8.4) and releases exporters idle past the template lifetime. */
  sweep(nowMs = this.now()): void {
    for (const [key, exp] of this.byKey) {
      if (nowMs - exp.lastSeenMs > Math.max(this.limits.templateTimeoutMs, this.limits.exporterIdleMs)) {
        this.freeIds.push(this.evict(key, exp));
      } else exp.templates.sweep(nowMs);
    }
  }

  private isAllowed(a: string): boolean {
    if (this.ranges.length === 0) return true;
    const hit = this.allowed.get(a);
    if (hit !== undefined) return hit;
    let ok = false;
    if (ipaddr.isValid(a)) {
      const ip = ipaddr.parse(a);
      ok = this.ranges.some(([net, bits]) => net.kind() === ip.kind() && ip.match(net, bits));
    }
    if (this.allowed.size < 65536) this.allowed.set(a, ok);
    return ok;
  }

  private errorTotals(): ErrorCounts {
    const out = { ...this.evictedErrors };
    for (const e of this.byKey.values()) for (const k of FLOW_ERROR_KINDS) out[k] += e.errors[k];
    return out;
  }

  /** Per-listener counters with the kernel's drop counts read now from /proc. */
  listenerStats(): ListenerStats[] {
    const drops = readListenerDrops(this.listeners);
    return this.listeners.map((l, i) => {
      const d = drops?.[i];
      return {
        address: l.address,
        port: l.port,
        recvBufferBytes: l.recvBufferBytes,
        datagrams: l.datagrams,
        socketDrops: d?.drops ?? 0,
        socketDropsKnown: d !== undefined && d.sockets > 0,
        rxQueueBytes: d?.rxQueueBytes ?? 0,
        decodeErrors: l.decodeErrors,
        queueOverflows: l.queueOverflows,
        rejected: l.rejected,
      };
    });
  }

  /** Cumulative loss counters now, per listener and per exporter. */
  pressure(listeners: readonly ListenerStats[] = this.listenerStats()): PressureSnapshot {
    const exporters: ExporterPressure[] = [...this.byKey.values()].map((e) => ({
      address: e.address,
      ...splitErrors(e.errors),
      lostDatagrams: e.lostDatagrams,
      lostRecords: e.lostRecords,
    }));
    return {
      listeners: listeners.map((l) => ({
        address: l.address,
        port: l.port,
        socketDrops: l.socketDrops,
        decodeErrors: l.decodeErrors,
        queueOverflows: l.queueOverflows,
        rejected: l.rejected,
      })),
      exporters,
    };
  }

  stats(): CollectorStats {
    const listeners = this.listenerStats();
    return {
      datagrams: this.datagrams,
      rejected: this.rejected,
      exporterLimit: this.exporterLimit,
      exportersEvicted: this.exportersEvicted,
      batches: this.batches,
      errors: this.errorTotals(),
      quarantinedRecords: this.quarantinedRecords,
      implausibleRecords: this.implausibleRecords,
      held: this.budget.snapshot(),
      shapes: shapeCacheStats(),
      backpressure: pressureTotals(this.pressure(listeners)),
      listeners,
      exporters: [...this.byKey.values()]
        .sort((a, b) => a.id - b.id)
        .map((e) => ({ ...e.stats(), ...splitErrors(e.errors) })),
    };
  }
}

export interface SflowAgent {
  readonly address: string;
  readonly subAgent: number;
  /** Identity in the exporter table. */
  readonly key: string;
}

/** sFlow v5 agent address and sub-agent id from the datagram header, or undefined (not sFlow or malformed). */
export function sflowAgent(buf: Uint8Array): SflowAgent | undefined {
  if (buf.length < 28 || buf[0] !== 0 || buf[1] !== 0 || buf[2] !== 0 || buf[3] !== 5) return undefined;
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const type = dv.getUint32(4);
  const len = type === 1 ? 4 : type === 2 ? 16 : 0;
  if (len === 0 || buf.length < 12 + len) return undefined;
  const address = formatIp(ipFromBytes(buf.subarray(8, 8 + len)));
  const subAgent = dv.getUint32(8 + len);
  return { address, subAgent, key: `sflow ${address}/${subAgent}` };
}
