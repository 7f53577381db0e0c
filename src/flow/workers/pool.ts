// The main thread's side of the decode workers (flow.workers > 0): starts them (worker 0 binds the listeners
// and hands each other worker the datagrams of the exporters it owns), hands every batch they post to onBatch
// and gives its buffer back, keeps a table of every worker's exporters under one id space for the detector,
// merges their counter snapshots per listener and per exporter, and restarts a worker that dies.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { FlowBatch } from '../batch.js';
import { ExporterState } from '../exporter.js';
import type { CollectorStats } from '../collector.js';
import { ListenerCounters, listenerStats, type ListenSpec } from '../listeners.js';
import { pressureOf, pressureTotals } from '../pressure.js';
import { mergeStats, retire, type Snapshot } from './merge.js';
import {
  batchSlot,
  chunkSlot,
  type ExporterInfo,
  type RecordCounts,
  type ToMain,
  type ToWorker,
} from './protocol.js';
import type { WorkerCollectorOptions, WorkerInit, WorkerStats } from './protocol.js';

export interface PoolLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface WorkerSummary extends RecordCounts {
  readonly index: number;
  readonly restarts: number;
  readonly datagrams: number;
}

interface Slot {
  worker: Worker | undefined;
  stats: WorkerStats | undefined;
  records: RecordCounts;
  restarts: number;
  /** What the workers that died before it counted (totals only): it stays in the totals. */
  retired: WorkerStats | undefined;
  retiredRecords: RecordCounts;
  stopped: (() => void) | undefined;
}

const zeroRecords = (): RecordCounts => ({
  recordsIn: 0,
  recordsOut: 0,
  handedOff: 0,
  lostInHandOff: 0,
  stalledMs: 0,
});

/** How the worker module is loaded: the compiled .js as it is, the TypeScript source through tsx. */
function spawnWorker(init: WorkerInit, transferList: MessagePort[]): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts'))
    return new Worker(new URL('./decode-worker.js', here), { workerData: init, transferList });
  const tsx = createRequire(here).resolve('tsx/package.json');
  const api = pathToFileURL(join(dirname(tsx), 'dist', 'esm', 'api', 'index.mjs')).href;
  const entry = new URL('./decode-worker.ts', here).href;
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(code, { eval: true, workerData: init, transferList });
}

export class DecodePool {
  readonly exporters: ExporterState[] = [];
  generation = 0;
  private readonly slots: Slot[];
  /** Per worker: its exporter ids → the main thread's. */
  private readonly ids: number[][];
  private readonly inflight: Int32Array;
  private listeners: { address: string; port: number; recvBufferBytes: number }[] = [];
  private stopping = false;

  constructor(
    private readonly count: number,
    private readonly options: WorkerCollectorOptions,
    private readonly onBatch: (batch: FlowBatch, exporters: readonly ExporterState[]) => void,
    private readonly log: PoolLog,
    private readonly statsMs = 500,
  ) {
    this.inflight = new Int32Array(new SharedArrayBuffer(4 * count * 2));
    this.ids = Array.from({ length: count }, () => []);
    this.slots = Array.from({ length: count }, () => ({
      worker: undefined,
      stats: undefined,
      records: zeroRecords(),
      restarts: 0,
      retired: undefined,
      retiredRecords: zeroRecords(),
      stopped: undefined,
    }));
  }

  /** Starts the decoding workers, then worker 0 (it binds and hands off); resolves with the bound addresses. */
  async start(): Promise<ListenSpec[]> {
    await Promise.all(
      this.slots
        .slice(1)
        .map((_, k) => new Promise<void>((resolve, reject) => this.spawn(k + 1, resolve, reject))),
    );
    await new Promise<void>((resolve, reject) => this.spawn(0, resolve, reject));
    return this.listeners.map(({ address, port }) => ({ address, port }));
  }

  /** Stops worker 0 first (no more datagrams come in, its hand-offs are posted), then the others. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.stopOne(0);
    await Promise.all(this.slots.slice(1).map((_, k) => this.stopOne(k + 1)));
  }

  private stopOne(i: number): Promise<void> {
    const s = this.slots[i] as Slot;
    const w = s.worker;
    if (!w) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => void w.terminate(), 10_000);
      s.stopped = () => {
        clearTimeout(timer);
        resolve();
      };
      w.postMessage({ type: 'stop' } satisfies ToWorker);
    });
  }

  /** The live worker threads (tests kill one to see it restarted). */
  threads(): (Worker | undefined)[] {
    return this.slots.map((s) => s.worker);
  }

  private spawn(i: number, started?: () => void, failed?: (err: unknown) => void): void {
    const s = this.slots[i] as Slot;
    Atomics.store(this.inflight, batchSlot(i), 0);
    Atomics.store(this.inflight, chunkSlot(i, this.count), 0);
    const bind = i === 0;
    // hand-off channels between worker 0 and each other worker: this worker's ends travel in its workerData
    const peers: { index: number; port: MessagePort }[] = [];
    for (const [k, other] of this.slots.entries()) {
      if (k === i || (i !== 0 && k !== 0) || !other.worker) continue;
      const { port1, port2 } = new MessageChannel();
      peers.push({ index: k, port: port1 });
      other.worker.postMessage({ type: 'peer', index: i, port: port2 } satisfies ToWorker, [port2]);
    }
    const init: WorkerInit = {
      index: i,
      count: this.count,
      options: this.options,
      bind,
      // a restarted worker 0 binds the ports the first one got (port 0 in the config = whatever was given)
      listeners:
        this.listeners.length > 0
          ? this.listeners.map((l) => ({ address: l.address, port: l.port }))
          : this.options.listen,
      inflight: this.inflight.buffer as SharedArrayBuffer,
      statsMs: this.statsMs,
      peers,
    };
    const w = spawnWorker(
      init,
      peers.map((p) => p.port),
    );
    s.worker = w;
    let up = false;
    const ready = () => {
      if (up) return;
      up = true;
      started?.();
    };
    w.on('message', (m: ToMain) => {
      if (m.type === 'bound') {
        if (this.listeners.length === 0) this.listeners = m.listeners;
        ready();
      } else if (m.type === 'batch') this.deliver(i, w, m);
      else if (m.type === 'stats') {
        s.stats = m.stats;
        s.records = m.records;
      } else if (m.type === 'stopped') s.stopped?.();
    });
    if (!bind) w.once('online', ready);
    let lastError: unknown;
    w.on('error', (err) => {
      lastError = err;
      this.log.error({ err, worker: i }, 'flow decode worker failed');
    });
    w.on('exit', (code) => {
      if (s.worker !== w) return;
      s.worker = undefined;
      s.stopped?.();
      if (!up && failed) {
        // at start (e.g. the port is taken): the caller gets the worker's own error
        failed(lastError ?? new Error(`flow decode worker ${i} exited with ${code} before it was up`));
        return;
      }
      if (this.stopping) return;
      // keep what it counted, forget its exporters (their state died with it), start it again
      if (s.stats) s.retired = retire(s.retired, s.stats);
      for (const k of Object.keys(s.records) as (keyof RecordCounts)[]) s.retiredRecords[k] += s.records[k];
      s.stats = undefined;
      s.records = zeroRecords();
      s.restarts++;
      this.log.error({ worker: i, code, restarts: s.restarts }, 'flow decode worker exited; restarting it');
      const delay = Math.min(5000, 100 * 2 ** Math.min(s.restarts - 1, 6));
      setTimeout(() => {
        if (!this.stopping) this.spawn(i);
      }, delay).unref();
    });
  }

  private deliver(i: number, w: Worker, m: Extract<ToMain, { type: 'batch' }>): void {
    if (m.exporters) this.adopt(i, m.exporters);
    const batch = new FlowBatch(m.capacity, m.buffer);
    batch.length = m.length;
    const ids = this.ids[i] as number[];
    for (let r = 0; r < batch.length; r++) batch.exporter[r] = ids[batch.exporter[r] as number] as number;
    try {
      this.onBatch(batch, this.exporters);
    } finally {
      Atomics.sub(this.inflight, batchSlot(i), 1);
      Atomics.notify(this.inflight, batchSlot(i));
      if (this.slots[i]?.worker === w)
        w.postMessage({ type: 'return', buffer: m.buffer } satisfies ToWorker, [m.buffer]);
    }
  }

  /** A worker's exporter table changed: the slots it names get (new) occupants. */
  private adopt(worker: number, list: readonly ExporterInfo[]): void {
    for (const e of list) this.globalId(worker, e.id, e.address, e.node);
    this.generation++;
  }

  /**
   * The main thread's id of exporter `local` of `worker`: ids are handed out densely, as the main-thread
   * collector does, and a slot whose occupant changed (eviction, a restarted worker) gets a new mirror.
   */
  private globalId(worker: number, local: number, address: string, node: string): number {
    const ids = this.ids[worker] as number[];
    let id = ids[local];
    if (id === undefined) ids[local] = id = this.exporters.length;
    const cur = this.exporters[id];
    if (!cur || cur.address !== address || cur.node !== node) {
      const mirror = new ExporterState(id, address);
      mirror.node = node;
      this.exporters[id] = mirror;
      this.generation++;
    }
    return id;
  }

  /** Counters of every worker (a dead one's included), per listener and per exporter under the global ids. */
  stats(): CollectorStats {
    const snaps: Snapshot[] = [];
    for (const [worker, s] of this.slots.entries()) {
      if (s.stats) snaps.push({ worker, stats: s.stats, live: true });
      if (s.retired) snaps.push({ worker, stats: s.retired, live: false });
    }
    const listeners = listenerStats(this.listenerCounters(snaps.map((x) => x.stats)));
    const merged = mergeStats(snaps, (w, l, a, n) => this.globalId(w, l, a, n), listeners);
    for (const e of merged.exporters) {
      const m = this.exporters[e.id];
      if (!m || m.address !== e.address) continue;
      m.lastSeenMs = e.lastSeenMs;
      m.implausibleUntilMs = e.implausibleUntilMs;
    }
    return {
      ...merged,
      backpressure: pressureTotals(pressureOf(listeners, merged.exporters)),
      workers: this.summary(),
    };
  }

  /** Node names with an exporter flagged implausible at `nowMs` (as of the workers' last snapshots). */
  implausibleNodes(nowMs: number): string[] {
    const out = new Set<string>();
    for (const s of this.slots)
      for (const e of s.stats?.exporters ?? []) if (e.implausibleUntilMs > nowMs) out.add(e.node);
    return [...out];
  }

  /** The listeners as worker 0 bound them, counted by every worker. */
  private listenerCounters(all: readonly WorkerStats[]): ListenerCounters[] {
    return this.listeners.map((l, i) => {
      const c = new ListenerCounters(l.address, l.port, l.recvBufferBytes);
      for (const s of all) {
        const w = s.listeners[i];
        if (!w) continue;
        c.datagrams += w.datagrams;
        c.decodeErrors += w.decodeErrors;
        c.queueOverflows += w.queueOverflows;
        c.rejected += w.rejected;
        c.receiveErrors += w.receiveErrors;
      }
      return c;
    });
  }

  private summary(): WorkerSummary[] {
    return this.slots.map((s, index) => {
      const r = { ...s.retiredRecords };
      for (const k of Object.keys(r) as (keyof RecordCounts)[]) r[k] += s.records[k];
      const datagrams = (s.stats?.datagrams ?? 0) + (s.retired?.datagrams ?? 0);
      return { index, restarts: s.restarts, datagrams, ...r };
    });
  }
}
