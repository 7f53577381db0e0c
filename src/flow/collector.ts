// UDP flow collector (imperative shell): IPv4/IPv6 sockets with large receive buffers, exporter allowlist,
// per-exporter state and stats, double-buffered FlowBatches handed to onBatch when full or after flushMs.
import dgram from 'node:dgram';
import ipaddr from 'ipaddr.js';
import { FlowBatch } from './batch.js';
import { decodeDatagram } from './datagram.js';
import { ExporterState, type ExporterStats } from './exporter.js';
import type { SamplingOverride } from './sampling.js';
import type { BatchSink } from './sink.js';
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
  maxExporters?: number;
  /**
   * Receives each full (or timed-out partial) batch. The batch and its rows are valid only until the next call:
   * the collector reuses it (double buffering). `exporters[batch.exporter[i]]` is the record's exporter.
   */
  onBatch: (batch: FlowBatch, exporters: readonly ExporterState[]) => void;
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
  exporterLimit: number;
  batches: number;
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
  readonly exporters: ExporterState[] = [];
  private readonly byAddress = new Map<string, ExporterState>();
  private readonly allowed = new Map<string, boolean>();
  private readonly ranges: Range[];
  private readonly sockets: dgram.Socket[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;
  datagrams = 0;
  rejected = 0;
  exporterLimit = 0;
  batches = 0;
  recvBufferSizes: number[] = [];
  private readonly listeners: ListenerCounters[] = [];
  private pressureTimer: NodeJS.Timeout | undefined;
  private lastPressure: PressureSnapshot = { listeners: [], exporters: [] };

  constructor(private readonly opts: CollectorOptions) {
    const size = opts.batchSize ?? 4096;
    this.batch = new FlowBatch(size);
    this.spare = new FlowBatch(size);
    this.now = opts.now ?? Date.now;
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
    this.timer = undefined;
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
    this.opts.onBatch(full, this.exporters);
  }

  /**
   * Decodes one datagram from `address` (the socket handler; public so tests and replays can feed it).
   * `listener` is the index of the socket it came in on, for the per-listener counters.
   */
  ingest(buf: Uint8Array, address: string, nowMs = this.now(), listener = -1): void {
    this.datagrams++;
    const l = this.listeners[listener];
    if (l) l.datagrams++;
    let exp = this.byAddress.get(address);
    if (!exp) {
      const a = normalise(address);
      if (!this.isAllowed(a)) {
        this.rejected++;
        if (l) l.rejected++;
        return;
      }
      if (this.exporters.length >= (this.opts.maxExporters ?? 65536)) {
        this.exporterLimit++;
        if (l) l.rejected++;
        return;
      }
      exp = new ExporterState(this.exporters.length, a);
      exp.sampling.setOverride(this.opts.sampling?.[a]);
      this.exporters.push(exp);
      this.byAddress.set(address, exp);
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
    const exporters: ExporterPressure[] = this.exporters.map((e) => ({
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
      batches: this.batches,
      backpressure: pressureTotals(this.pressure(listeners)),
      listeners,
      exporters: this.exporters.map((e) => ({ ...e.stats(), ...splitErrors(e.errors) })),
    };
  }
}
