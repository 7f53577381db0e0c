// Shared by the end-to-end tests and benchmark: sFlow v5 floods built with src/gen (one flow sample per
// sampled packet, 1-in-N sampling), a bounded paced UDP sender, free-port helpers, and `floodgate run`
// with an sFlow listener of its own. Loopback only.
import { createSocket, type Socket } from 'node:dgram';
import { createServer } from 'node:net';
import { FlowBatch } from '../../src/flow/batch.js';
import { toSflow } from '../../src/gen/export.js';
import { parseIp } from '../../src/net/index.js';
import { startFloodgate, type FloodgateProcess } from '../support/floodgate-process.js';

export interface FloodSpec {
  /** Victim address (IPv4 or IPv6). */
  readonly target: string;
  /** Sampled packets (flow samples) to build. */
  readonly samples: number;
  /** sFlow sampling rate, 1 in N (default 1000). */
  readonly samplingRate?: number;
  readonly proto?: number;
  readonly dstPort?: number;
  /** IP length of each sampled packet (default 512). */
  readonly packetBytes?: number;
  /** Distinct attacking sources (default 64). */
  readonly sources?: number;
  /** Flow samples per datagram (default 8, as small switches send). */
  readonly perDatagram?: number;
  /** sFlow agent address (default 127.0.80.9). */
  readonly agent?: string;
  /** First source host number, so that several agents can carry different sources (default 0). */
  readonly sourceOffset?: number;
}

function words(text: string): Uint32Array {
  const { bytes } = parseIp(text);
  const w = new Uint32Array(4);
  for (let k = 0; k < bytes.length / 4; k++)
    w[k] =
      (((bytes[4 * k] as number) << 24) |
        ((bytes[4 * k + 1] as number) << 16) |
        ((bytes[4 * k + 2] as number) << 8) |
        (bytes[4 * k + 3] as number)) >>>
      0;
  return w;
}

/** sFlow v5 datagrams of a UDP (default) flood on one target, agent 127.0.80.9 unless told. */
export function sflowFlood(spec: FloodSpec): Uint8Array[] {
  const family = spec.target.includes(':') ? 6 : 4;
  const dst = words(spec.target);
  const sources = spec.sources ?? 64;
  const b = new FlowBatch(spec.samples);
  const now = Date.now();
  for (let n = 0; n < spec.samples; n++) {
    const i = b.next();
    b.family[i] = family;
    const s = (n % sources) + (spec.sourceOffset ?? 0);
    if (family === 4) b.srcAddr[i * 4] = ((198 << 24) | (51 << 16) | (100 << 8) | (s + 1)) >>> 0;
    else b.srcAddr.set([0x20010db8, 0xbad, 0, s + 1], i * 4);
    b.dstAddr.set(family === 4 ? [dst[0] as number] : dst, i * 4);
    b.proto[i] = spec.proto ?? 17;
    b.srcPort[i] = 1024 + ((n * 7919) % 60000);
    b.dstPort[i] = spec.dstPort ?? 27015;
    b.packets[i] = 1;
    b.bytes[i] = spec.packetBytes ?? 512;
    b.samplingRate[i] = spec.samplingRate ?? 1000;
    b.startMs[i] = b.endMs[i] = now;
  }
  const agent = words(spec.agent ?? '127.0.80.9')[0] as number;
  return toSflow([b], agent, spec.perDatagram ?? 8).map((d) => d.payload);
}

/**
 * The one paced sender: datagrams to host:port, `burst` of them every `everyMs` on the clock (catching up
 * when a timer fires late, so the offered rate is the nominal one), until all are sent, a send fails or
 * stop() is called. `firstSentAt` is the wall-clock time (ms, fractional) right after the first datagram
 * left the socket; `error` is the first send error. `sendPaced` below is the awaitable form.
 */
export class PacedSender {
  private socket: Socket | undefined;
  private timer: NodeJS.Timeout | undefined;
  private done: Promise<void>;
  private finish: () => void = () => undefined;
  firstSentAt = NaN;
  sent = 0;
  error: Error | undefined;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly datagrams: readonly Uint8Array[],
    private readonly burst = 1,
    private readonly everyMs = 5,
    /** Local address the datagrams leave from (the exporter's address). */
    private readonly from = '127.0.80.9',
  ) {
    this.done = new Promise<void>((r) => (this.finish = r));
  }

  async start(): Promise<void> {
    const s = createSocket(this.host.includes(':') ? 'udp6' : 'udp4');
    await new Promise<void>((r) => s.bind(0, this.from, () => r()));
    this.socket = s;
    // the timer first: a list sent whole by the first call stops (and clears it) at once
    this.timer = setInterval(() => this.sendSome(), this.everyMs);
    this.sendSome();
  }

  private startedAt = 0;

  private sendSome(): void {
    const s = this.socket;
    if (s === undefined) return;
    // Catch up with the schedule (timers fire late under load), so the offered rate is the nominal one.
    if (this.startedAt === 0) this.startedAt = performance.now();
    // setInterval runs a fractional period in whole milliseconds (145.45 → 145), so a firing can come a
    // fraction early: without the 1 ms of slack its datagram would wait a whole period and leave in a
    // pair with the next one, which made a flood arrive in bursts at half its rate.
    const elapsed = performance.now() - this.startedAt + 1;
    const due = (Math.floor(elapsed / this.everyMs) + 1) * this.burst;
    for (let k = 0; this.sent < due && this.sent < this.datagrams.length; k++) {
      const d = this.datagrams[this.sent++] as Uint8Array;
      this.pending++;
      s.send(d, this.port, this.host, (err) => this.sentOne(err));
      if (Number.isNaN(this.firstSentAt)) this.firstSentAt = performance.timeOrigin + performance.now();
    }
    if (this.sent >= this.datagrams.length) void this.stop();
  }

  /** Resolves when every datagram was sent or the sender was stopped. */
  finished(): Promise<void> {
    return this.done;
  }

  /** Sends handed to the socket and not yet done: closing before they are would lose the last datagrams. */
  private pending = 0;
  private drained: (() => void) | undefined;

  private sentOne(err: Error | null): void {
    if (err) {
      this.error ??= err;
      void this.stop();
    }
    if (--this.pending === 0) this.drained?.();
  }

  private stopping: Promise<void> | undefined;

  /** Stops sending; resolves once the sends already handed over are done and the socket is closed. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (this.timer !== undefined) clearInterval(this.timer);
      this.timer = undefined;
      const s = this.socket;
      this.socket = undefined;
      if (this.pending > 0) await new Promise<void>((r) => (this.drained = r));
      if (s !== undefined) await new Promise<void>((r) => s.close(() => r()));
      this.finish();
    })();
    return this.stopping;
  }
}

/** A free UDP or TCP-agnostic port on host (bound and released; good enough on a private loopback address). */
export async function freeUdpPort(host: string): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, host, () => r()));
  const { port } = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** A free TCP port on host (bound and released). */
export async function freeTcpPort(host: string): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, host, () => r()));
  const { port } = s.address() as { port: number };
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/**
 * Sends every datagram from `from` to host:port with a PacedSender (`burst` every `everyMs`); resolves
 * once all have left and the socket is closed, rejects with the first send error.
 */
export async function sendPaced(
  from: string,
  host: string,
  port: number,
  datagrams: readonly Uint8Array[],
  burst: number,
  everyMs: number,
): Promise<void> {
  const sender = new PacedSender(host, port, datagrams, burst, everyMs, from);
  await sender.start();
  await sender.finished();
  if (sender.error) throw sender.error;
}

export interface SflowFloodgate {
  readonly fg: FloodgateProcess;
  /** The UDP port of its sFlow listener (on the same address as its API). */
  readonly flowPort: number;
}

/**
 * `floodgate run` with its API and one sFlow listener on `host` (free ports), the rest of its config as
 * given (`config.flow` keeps its other keys).
 */
export async function startSflowFloodgate(
  host: string,
  config: Record<string, unknown>,
  opts: { dir?: string } = {},
): Promise<SflowFloodgate> {
  const flowPort = await freeUdpPort(host);
  const flow = {
    ...(config.flow as object | undefined),
    listeners: [{ protocol: 'sflow', address: host, port: flowPort }],
  };
  const fg = await startFloodgate(
    { ...config, flow },
    { apiHost: host, apiPort: await freeTcpPort(host), ...opts },
  );
  return { fg, flowPort };
}
