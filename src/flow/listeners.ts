// The collector's UDP listeners: IPv4/IPv6 sockets with large receive buffers, and each socket's counters —
// what arrived, what could not be used, and what the kernel dropped before we saw it (/proc/net/udp).
import dgram from 'node:dgram';
import { bindError } from '../net/bind-error.js';
import type { ListenerPressure } from './pressure.js';
import { readListenerDrops } from './socket-drops-reader.js';

export const DEFAULT_RECV_BUFFER = 4 * 1024 * 1024;

export interface ListenSpec {
  address: string;
  port: number;
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

export class ListenerCounters {
  datagrams = 0;
  decodeErrors = 0;
  queueOverflows = 0;
  rejected = 0;
  /** Failed receive calls (ListenerPressure.receiveErrors): a count another thread keeps… */
  receiveErrors = 0;
  /** …or read from the receiver that keeps it (the native receiver's thread). */
  readReceiveErrors: (() => number) | undefined;
  constructor(
    readonly address: string,
    readonly port: number,
    readonly recvBufferBytes: number,
  ) {}
}

export interface BoundListener {
  readonly socket: dgram.Socket;
  readonly counters: ListenerCounters;
}

/** Binds one listener; `onMessage` gets each datagram (the socket's index is the caller's to know). */
export async function bindListener(
  l: ListenSpec,
  recvBufferSize: number,
  onMessage: (msg: Buffer, address: string) => void,
): Promise<BoundListener> {
  const type = l.address.includes(':') ? 'udp6' : 'udp4';
  const s = dgram.createSocket({ type, ipv6Only: type === 'udp6', recvBufferSize });
  s.on('message', (msg, rinfo) => onMessage(msg, rinfo.address));
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.bind(l.port, l.address, () => {
      s.off('error', reject);
      resolve();
    });
  });
  // a socket error after bind (e.g. ICMP on some platforms) must not kill the process
  s.on('error', () => undefined);
  const a = s.address();
  return { socket: s, counters: new ListenerCounters(a.address, a.port, s.getRecvBufferSize()) };
}

/** A listener that could not be bound, named as the config names it (flow.listeners[i]). */
export function listenerBindError(err: unknown, l: ListenSpec, index: number): Error {
  return bindError(err, `flow.listeners[${index}]`, 'UDP', l.address, l.port);
}

export function closeSockets(sockets: readonly dgram.Socket[]): Promise<void> {
  return Promise.all(sockets.map((s) => new Promise<void>((r) => s.close(() => r())))).then(() => undefined);
}

/** Per-listener counters with the kernel's drop counts read now from /proc (unless `readDrops` is false). */
export function listenerStats(listeners: readonly ListenerCounters[], readDrops = true): ListenerStats[] {
  const drops = readDrops ? readListenerDrops(listeners) : undefined;
  return listeners.map((l, i) => {
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
      receiveErrors: l.readReceiveErrors ? l.readReceiveErrors() : l.receiveErrors,
    };
  });
}
