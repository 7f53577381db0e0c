// UDP flow collector (imperative shell): listeners (listeners.ts) feed datagrams through the exporter table
// (exporter-table.ts) to the decoders; records go into double-buffered FlowBatches, screened (screen.ts) and
// handed to onBatch when full or after flushMs; template expiry sweeps; per-listener and per-exporter loss
// counters (pressure.ts) reported once a minute when non-zero.
import type dgram from 'node:dgram';
import type { Worker } from 'node:worker_threads';
import { FlowBatch } from './batch.js';
import { decodeDatagramAt } from './datagram.js';
import type { ErrorCounts } from './errors.js';
import type { ExporterState, ExporterStats } from './exporter.js';
import { ExporterTable } from './exporter-table.js';
import {
  bindNativeListener,
  chooseReceiver,
  nativeAddon,
  type NativeListener,
  type NativeOnMessage,
  type ReceiverMode,
} from './native-receive.js';
import { DEFAULT_FLOW_LIMITS, type FlowBudget, type FlowLimits } from './limits.js';
import {
  bindListener,
  closeSockets,
  DEFAULT_RECV_BUFFER,
  ListenerCounters,
  listenerBindError,
  listenerStats,
  type ListenSpec,
  type ListenerStats,
} from './listeners.js';
import type { SamplingOverride } from './sampling.js';
import { DEFAULT_SCREEN, screenBatch, type ScreenOptions } from './screen.js';
import { shapeCacheStats } from './shapes.js';
import type { BatchSink, PacketLength, RawHeaderTap } from './sink.js';
import {
  pressureOf,
  pressureSince,
  pressureTotals,
  type ExporterPressure,
  type PressureReport,
  type PressureSnapshot,
} from './pressure.js';
import type { DecodePool, PoolLog, WorkerSummary } from './workers/pool.js';
import type { WorkerCollectorOptions } from './workers/protocol.js';

export { DEFAULT_RECV_BUFFER, type ListenSpec, type ListenerStats } from './listeners.js';
export { sflowAgent, type SflowAgent } from './exporter-table.js';

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
  /** flow.receiver: 'native' = recvmmsg batches (native-receive.ts), 'dgram' = node:dgram (default here). */
  receiver?: ReceiverMode;
  now?: () => number;
  /** Called every pressureIntervalMs with what was lost in that interval, only when something was. */
  onPressure?: (report: PressureReport) => void;
  pressureIntervalMs?: number;
  /**
   * Decode worker threads (workers/pool.ts): 0 or absent = receive and decode on this thread. Given N > 0,
   * worker 0 binds the listeners, every worker decodes the exporters it owns and pre-aggregates, and onBatch
   * runs here with batches they post. rawTap is not supported then (the wiring keeps forensics on this thread).
   */
  workers?: number;
  /** Where worker restarts are logged (workers > 0). */
  log?: PoolLog;
  /**
   * Sees each datagram before it is decoded here; true = handed to another decoder (a decode worker's hand-off),
   * so this collector neither counts nor decodes it.
   */
  route?: (buf: Uint8Array, address: string, listener: number) => boolean;
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
  /** Per decode worker (flow.workers > 0): restarts, datagrams, records in and out of pre-aggregation. */
  workers?: WorkerSummary[];
}

export class FlowCollector implements BatchSink {
  batch: FlowBatch;
  private spare: FlowBatch;
  private readonly table: ExporterTable;
  private pool: DecodePool | undefined;
  readonly budget: FlowBudget;
  private readonly sockets: dgram.Socket[] = [];
  private readonly native: NativeListener[] = [];
  /** How the listeners receive (flow.receiver after 'auto' is resolved); 'workers' with flow.workers > 0 (worker 0 resolves it). */
  receiverKind: 'native' | 'dgram' | 'workers' | undefined;
  private timer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private readonly now: () => number;
  private readonly screen: ScreenOptions;
  datagrams = 0;
  rejected = 0;
  exporterLimit = 0;
  batches = 0;
  quarantinedRecords = 0;
  implausibleRecords = 0;
  recvBufferSizes: number[] = [];
  readonly rawTap: RawHeaderTap | undefined;

  /** BatchSink: how the decoders count a sampled packet's bytes. */
  get packetLength(): PacketLength {
    return this.opts.packetLength ?? 'ip';
  }
  /** Indexed by exporter id (the batch's exporter column); a released slot is reused by a new exporter. */
  get exporters(): readonly ExporterState[] {
    return this.pool ? this.pool.exporters : this.table.exporters;
  }
  /** Changes whenever an exporter slot gets a new occupant (names by id must be re-read). */
  get generation(): number {
    return this.pool ? this.pool.generation : this.table.generation;
  }
  get exportersEvicted(): number {
    return this.table.exportersEvicted;
  }
  private readonly listeners: ListenerCounters[] = [];
  private pressureTimer: NodeJS.Timeout | undefined;
  private lastPressure: PressureSnapshot = { listeners: [], exporters: [] };

  constructor(private readonly opts: CollectorOptions) {
    const size = opts.batchSize ?? 4096;
    this.batch = new FlowBatch(size);
    this.spare = new FlowBatch(size);
    this.now = opts.now ?? Date.now;
    this.screen = opts.screen ?? DEFAULT_SCREEN;
    this.table = new ExporterTable(opts.limits ?? DEFAULT_FLOW_LIMITS, opts, () => this.flush());
    this.budget = this.table.budget;
    this.rawTap = opts.rawTap;
  }

  /** Binds every listener; resolves with the bound addresses (port 0 → ephemeral). */
  async start(): Promise<ListenSpec[]> {
    if ((this.opts.workers ?? 0) > 0) return this.startWorkers(this.opts.workers ?? 0);
    const bound: ListenSpec[] = [];
    const route = this.opts.route;
    const load = nativeAddon();
    const kind = chooseReceiver(this.opts.receiver ?? 'dgram', load);
    this.receiverKind = kind;
    for (const l of this.opts.listen) {
      const index = this.sockets.length + this.native.length;
      const onMessage = (msg: Uint8Array, address: string) => {
        if (!route?.(msg, address, index)) this.ingest(msg, address, this.now(), index);
      };
      // native: the datagram as a range of the receive buffer's views (no object per datagram)
      const onNative: NativeOnMessage = route
        ? (bytes, _view, off, len, address) => onMessage(bytes.subarray(off, off + len), address)
        : (bytes, view, off, len, address) =>
            this.ingestAt(bytes, view, off, len, address, this.now(), index);
      const size = this.opts.recvBufferSize ?? DEFAULT_RECV_BUFFER;
      let b;
      try {
        b =
          kind === 'native' && load.addon
            ? bindNativeListener(load.addon, l, size, onNative)
            : await bindListener(l, size, onMessage);
      } catch (err) {
        // the listeners bound so far are closed again: a failed start holds no port
        await this.stop();
        throw listenerBindError(err, l, index);
      }
      this.recvBufferSizes.push(b.counters.recvBufferBytes);
      if ('socket' in b) this.sockets.push(b.socket);
      else this.native.push(b);
      bound.push({ address: b.counters.address, port: b.counters.port });
      this.listeners.push(b.counters);
    }
    const ms = this.opts.flushMs ?? 20;
    this.timer = setInterval(() => this.flush(), ms);
    this.timer.unref();
    this.sweepTimer = setInterval(() => this.sweep(), this.opts.sweepMs ?? 10_000);
    this.sweepTimer.unref();
    this.startPressure();
    return bound;
  }

  private async startWorkers(n: number): Promise<ListenSpec[]> {
    const { DecodePool } = await import('./workers/pool.js');
    // flow.receiver goes along in `rest`: worker 0 receives with it (the hand-off copies each datagram)
    const { onBatch, rawTap, now, onPressure, pressureIntervalMs, route, workers, log, ...rest } = this.opts;
    void [rawTap, now, onPressure, pressureIntervalMs, route, workers];
    const quiet = { warn: () => undefined, error: () => undefined };
    this.pool = new DecodePool(n, workerOptions(rest, n), onBatch, log ?? quiet);
    const bound = await this.pool.start();
    this.receiverKind = 'workers';
    this.startPressure();
    return bound;
  }

  /** The decode worker threads (flow.workers > 0; undefined while one restarts), for tests and diagnostics. */
  workerThreads(): readonly (Worker | undefined)[] {
    return this.pool?.threads() ?? [];
  }

  /** Creates counters for listeners another thread binds (a decode worker that is handed their datagrams). */
  countListeners(specs: readonly ListenSpec[]): void {
    for (const l of specs) this.listeners.push(new ListenerCounters(l.address, l.port, 0));
  }

  private startPressure(): void {
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
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.timer = undefined;
    this.sweepTimer = undefined;
    if (this.pressureTimer) clearInterval(this.pressureTimer);
    this.pressureTimer = undefined;
    await closeSockets(this.sockets);
    this.sockets.length = 0;
    for (const n of this.native.splice(0)) n.close();
    await this.pool?.stop();
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
    this.ingestAt(
      buf,
      new DataView(buf.buffer, buf.byteOffset, buf.byteLength),
      0,
      buf.length,
      address,
      nowMs,
      listener,
    );
  }

  /**
   * ingest for the datagram at octets [off, off + len) of `bytes` and `view` (one memory, the same offsets):
   * the native receiver's buffers, whose views are made once.
   */
  ingestAt(
    bytes: Uint8Array,
    view: DataView,
    off: number,
    len: number,
    address: string,
    nowMs: number,
    listener: number,
  ): void {
    this.datagrams++;
    const l = this.listeners[listener];
    if (l) l.datagrams++;
    const exp = this.table.lookup(bytes, off, len, address, nowMs);
    if (typeof exp === 'string') {
      if (exp === 'not-allowed') this.rejected++;
      else this.exporterLimit++;
      if (l) l.rejected++;
      return;
    }
    if (l) {
      // the exporter's running error totals before and after: two reads, nothing allocated
      const d0 = exp.decodeErrors;
      const q0 = exp.queueOverflows;
      decodeDatagramAt(bytes, view, off, len, exp, this, nowMs);
      l.decodeErrors += exp.decodeErrors - d0;
      l.queueOverflows += exp.queueOverflows - q0;
    } else decodeDatagramAt(bytes, view, off, len, exp, this, nowMs);
    if (this.batch.full) this.rotate();
  }

  /** Node names with an exporter flagged implausible at `nowMs` (screen.ts). */
  implausibleNodes(nowMs: number): string[] {
    return this.pool ? this.pool.implausibleNodes(nowMs) : this.table.implausibleNodes(nowMs);
  }

  /** Expires templates (RFC 7011 §8.4) and releases exporters idle past the template lifetime. */
  sweep(nowMs = this.now()): void {
    this.table.sweep(nowMs);
  }

  /** Per-listener counters with the kernel's drop counts read now from /proc. */
  listenerStats(readDrops = true): ListenerStats[] {
    return listenerStats(this.listeners, readDrops);
  }

  /** Cumulative loss counters now, per listener and per exporter. */
  pressure(): PressureSnapshot {
    if (this.pool) {
      const st = this.pool.stats();
      return pressureOf(st.listeners, st.exporters);
    }
    return pressureOf(this.listenerStats(), [...this.table.live()].map(exporterPressure));
  }

  /** Everything counted; `readDrops` false skips reading the kernel's drop counters (a worker's snapshot). */
  stats(readDrops = true): CollectorStats {
    if (this.pool) return this.pool.stats();
    const listeners = this.listenerStats(readDrops);
    const exporters = [...this.table.live()];
    return {
      datagrams: this.datagrams,
      rejected: this.rejected,
      exporterLimit: this.exporterLimit,
      exportersEvicted: this.table.exportersEvicted,
      batches: this.batches,
      errors: this.table.errorTotals(),
      quarantinedRecords: this.quarantinedRecords,
      implausibleRecords: this.implausibleRecords,
      held: this.budget.snapshot(),
      shapes: shapeCacheStats(),
      backpressure: pressureTotals(pressureOf(listeners, exporters.map(exporterPressure))),
      listeners,
      exporters: exporters
        .sort((a, b) => a.id - b.id)
        .map((e) => ({ ...e.stats(), decodeErrors: e.decodeErrors, queueOverflows: e.queueOverflows })),
    };
  }
}

function exporterPressure(e: ExporterState): ExporterPressure {
  return {
    address: e.address,
    decodeErrors: e.decodeErrors,
    queueOverflows: e.queueOverflows,
    lostDatagrams: e.lostDatagrams,
    lostRecords: e.lostRecords,
  };
}

/**
 * A worker's share of the collector-wide bounds: the totals (templates, pending octets, exporters) are split
 * evenly, so the process as a whole holds what flow.limits says; per-exporter bounds stay as they are.
 */
function workerOptions(o: Omit<CollectorOptions, 'onBatch'>, n: number): WorkerCollectorOptions {
  const l = o.limits ?? DEFAULT_FLOW_LIMITS;
  const share = (v: number) => Math.max(1, Math.ceil(v / n));
  return {
    ...o,
    limits: {
      ...l,
      maxTemplatesTotal: share(l.maxTemplatesTotal),
      maxTemplateBytesTotal: share(l.maxTemplateBytesTotal),
      maxPendingBytesTotal: share(l.maxPendingBytesTotal),
      maxExporters: share(l.maxExporters),
    },
  };
}
