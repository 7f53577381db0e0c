// One decode worker thread (flow.workers > 0): a FlowCollector of its own decodes the datagrams of the exporters
// it owns (by UDP source, protocol.ts ownerOf), so templates, sequence numbers and per-exporter counters stay
// in one place; screened records are pre-aggregated (accumulate.ts) and posted to the main thread's detector
// as one transferable buffer per batch. Worker 0 binds the listeners and hands other workers their datagrams.
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { ShardAccumulator } from '../accumulate.js';
import { FlowBatch } from '../batch.js';
import { FlowCollector } from '../collector.js';
import {
  batchSlot,
  ChunkWriter,
  CHUNK_BYTES,
  chunkSlot,
  MAX_BATCHES_IN_FLIGHT,
  MAX_CHUNKS_IN_FLIGHT,
  ownerOf,
  readChunk,
  waitBelow,
  type ExporterInfo,
  type RecordCounts,
  type ToMain,
  type ToWorker,
  type WorkerInit,
} from './protocol.js';

const init = workerData as WorkerInit;
const port = parentPort!;
const post = (m: ToMain, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
const slots = new Int32Array(init.inflight);
const capacity = init.options.batchSize ?? 4096;
const flushMs = init.options.flushMs ?? 20;
const counts: RecordCounts = { recordsIn: 0, recordsOut: 0, handedOff: 0, lostInHandOff: 0, stalledMs: 0 };

const spareBatches: ArrayBuffer[] = [];
const freshBatch = () => new FlowBatch(capacity, spareBatches.pop());
const acc = new ShardAccumulator(capacity);
let sentGeneration = -1;

/** Posts the accumulated records (this worker's exporter ids) with the exporter table when it changed. */
function postAccumulated(): void {
  if (acc.length === 0) return;
  counts.stalledMs += waitBelow(slots, batchSlot(init.index), MAX_BATCHES_IN_FLIGHT);
  const b = acc.swap(freshBatch());
  let exporters: ExporterInfo[] | undefined;
  if (collector.generation !== sentGeneration) {
    sentGeneration = collector.generation;
    exporters = collector.exporters.map((e) => ({
      id: e.id,
      address: e.address,
      node: e.node,
    }));
  }
  counts.recordsOut += b.length;
  Atomics.add(slots, batchSlot(init.index), 1);
  post({ type: 'batch', buffer: b.buffer, length: b.length, capacity, ...(exporters ? { exporters } : {}) }, [
    b.buffer,
  ]);
}

// Datagrams of exporters other workers own, packed per worker and posted after this turn of the event loop.
const peers = new Map<number, MessagePort>();
const writers = new Map<number, ChunkWriter>();
const spareChunks: ArrayBuffer[] = [];
let postScheduled = false;

function postChunk(w: number): void {
  const writer = writers.get(w);
  const peer = peers.get(w);
  if (!writer || writer.count === 0) return;
  if (!peer) {
    // the worker is (re)starting: keep what is packed for it until its channel arrives; past one chunk, the
    // oldest is lost with the restart the pool counts
    if (writer.length > CHUNK_BYTES / 2) {
      counts.lostInHandOff += writer.count;
      writer.take(writer.bytes.buffer as ArrayBuffer);
    }
    return;
  }
  counts.stalledMs += waitBelow(slots, chunkSlot(w, init.count), MAX_CHUNKS_IN_FLIGHT);
  const length = writer.length;
  const buffer = writer.take(spareChunks.pop() ?? new ArrayBuffer(CHUNK_BYTES));
  Atomics.add(slots, chunkSlot(w, init.count), 1);
  peer.postMessage({ buffer, length }, [buffer]);
}

function route(buf: Uint8Array, address: string, listener: number): boolean {
  if (init.count === 1) return false;
  const w = ownerOf(address, init.count);
  if (w === init.index) return false;
  let writer = writers.get(w);
  if (!writer) writers.set(w, (writer = new ChunkWriter()));
  if (!writer.add(buf, address, listener, Date.now())) {
    postChunk(w);
    writer.add(buf, address, listener, Date.now());
  }
  counts.handedOff++;
  if (!postScheduled) {
    postScheduled = true;
    setImmediate(() => {
      postScheduled = false;
      for (const w of writers.keys()) postChunk(w);
    });
  }
  return true;
}

const collector = new FlowCollector({
  ...init.options,
  listen: init.bind ? [...init.listeners] : [],
  // this worker's own timer flushes, then posts what it accumulated
  flushMs: 3_600_000,
  route,
  onBatch: (batch, exporters) => {
    counts.recordsIn += batch.length;
    const now = Date.now();
    const nodeOf = (e: number) => exporters[e]?.node ?? '';
    for (let i = 0; i < batch.length;) {
      i = acc.addFrom(batch, i, nodeOf, now);
      if (acc.full) postAccumulated();
    }
  },
});

function onPeerChunk(m: { buffer: ArrayBuffer; length: number }, from: MessagePort): void {
  readChunk(m.buffer, m.length, (buf, address, listener, nowMs) =>
    collector.ingest(buf, address, nowMs, listener),
  );
  Atomics.sub(slots, chunkSlot(init.index, init.count), 1);
  Atomics.notify(slots, chunkSlot(init.index, init.count));
  from.postMessage({ buffer: m.buffer }, [m.buffer]);
}

function addPeer(index: number, p: MessagePort): void {
  peers.set(index, p);
  p.on('message', (m: { buffer: ArrayBuffer; length?: number }) => {
    if (m.length === undefined) spareChunks.push(m.buffer);
    else onPeerChunk(m as { buffer: ArrayBuffer; length: number }, p);
  });
  p.on('close', () => {
    if (peers.get(index) === p) peers.delete(index);
  });
  if (writers.get(index)?.count) postChunk(index);
}

function sendStats(): void {
  post({ type: 'stats', stats: collector.stats(false), records: { ...counts } });
}

port.on('message', (m: ToWorker) => {
  if (m.type === 'return') spareBatches.push(m.buffer);
  else if (m.type === 'peer') addPeer(m.index, m.port);
  else if (m.type === 'stop') {
    clearInterval(flushTimer);
    clearInterval(statsTimer);
    void collector.stop().then(() => {
      for (const w of writers.keys()) postChunk(w);
      postAccumulated();
      sendStats();
      post({ type: 'stopped' });
      for (const p of peers.values()) p.close();
      port.close();
    });
  }
});

for (const p of init.peers) addPeer(p.index, p.port);
if (!init.bind) collector.countListeners(init.listeners);
const flushTimer = setInterval(() => {
  collector.flush();
  postAccumulated();
}, flushMs);
const statsTimer = setInterval(sendStats, init.statsMs);
const bound = await collector.start();
if (init.bind) {
  post({
    type: 'bound',
    listeners: bound.map((b, i) => ({ ...b, recvBufferBytes: collector.recvBufferSizes[i] ?? 0 })),
  });
}
