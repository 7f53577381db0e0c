// The batched native UDP receiver (native/recvmmsg.c, Linux recvmmsg(2) in a thread per socket): its loader
// and a bind with the contract of bindListener (listeners.ts). A batch of up to 64 datagrams crosses into
// JavaScript as one call; each datagram is then a range of a reused buffer, valid only during onMessage
// (decoders copy what they keep: pending.ts, sink.ts RawHeaderTap). The byte and DataView views of each
// buffer are made once, so a datagram costs no object (docs/performance.md "Receive path", "round 5").
import { createRequire } from 'node:module';
import ipaddr from 'ipaddr.js';
import { ListenerCounters, type ListenSpec } from './listeners.js';

/** What native/recvmmsg.c exports (Node-API 8). */
export interface NativeAddon {
  /** RECV_VERSION in the C source: a build from an older source is refused, not misread. */
  readonly version: number;
  open(
    address: string,
    port: number,
    recvBufferSize: number,
    onBatch: (slot: number, count: number) => void,
  ): {
    handle: unknown;
    port: number;
    rcvbuf: number;
    data: ArrayBuffer[];
    meta: ArrayBuffer[];
    stride: number;
    metaWords: number;
  };
  close(handle: unknown): void;
  stats(handle: unknown): [batches: number, errors: number];
}

export const NATIVE_VERSION = 1;

/** Where `npm install` (scripts/build-native.mjs) puts the addon; src/flow and dist/flow are both two deep. */
export const ADDON_PATH = new URL('../../native/build/recvmmsg.node', import.meta.url);

export type LoadResult = { addon: NativeAddon; reason?: undefined } | { addon?: undefined; reason: string };

/** Loads the addon at `path`, or says why it cannot be used. */
export function loadNativeAddon(path: string | URL = ADDON_PATH): LoadResult {
  if (process.platform !== 'linux') return { reason: `recvmmsg is Linux only (this is ${process.platform})` };
  try {
    const p = typeof path === 'string' ? path : path.pathname;
    const addon = createRequire(import.meta.url)(p) as NativeAddon;
    if (typeof addon.open !== 'function') return { reason: `${p} is not the floodgate receiver` };
    if (addon.version !== NATIVE_VERSION) {
      return {
        reason: `${p} is a stale build (version ${addon.version}, want ${NATIVE_VERSION}): run npm install`,
      };
    }
    return { addon };
  } catch (e) {
    const first = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    return { reason: `cannot load the native receiver (run npm install with a C compiler): ${first}` };
  }
}

let loaded: LoadResult | undefined;
/** The built addon, loaded once per process. */
export function nativeAddon(): LoadResult {
  return (loaded ??= loadNativeAddon());
}

/** True when the addon is built and loads here (flow.receiver 'auto' then picks it). */
export function nativeAvailable(): boolean {
  return nativeAddon().addon !== undefined;
}

export type ReceiverMode = 'auto' | 'native' | 'dgram';

/** Which receiver a listener gets: 'auto' takes the native one when it loaded; 'native' without it is an error. */
export function chooseReceiver(mode: ReceiverMode, load: LoadResult): 'native' | 'dgram' {
  if (mode === 'dgram') return 'dgram';
  if (load.addon) return 'native';
  if (mode === 'native') throw new Error(`flow.receiver is 'native' but ${load.reason}`);
  return 'dgram';
}

export interface NativeListener {
  readonly counters: ListenerCounters;
  /** Stops the receive thread (joined) and closes the socket; batches not yet delivered are dropped. */
  close(): void;
  /** Batches handed to JavaScript, and receive errors other than interruption. */
  stats(): { batches: number; errors: number };
}

/**
 * Source address text per sender, built once: an exporter's datagrams all carry the same address, so the
 * per-datagram cost is a Map lookup (IPv4: keyed by the address; IPv6: by the XOR of its four words, then
 * a compare of at most 8 entries). Bounded at 65536 addresses per family, then it starts over.
 */
export class AddressCache {
  private readonly v4 = new Map<number, string>();
  private readonly v6 = new Map<number, { w: Uint32Array; text: string }[]>();
  private v6Entries = 0;

  lookup(words: Uint32Array, bytes: Uint8Array, o: number, family: number): string {
    const w0 = words[o] ?? 0;
    if (family === 4) {
      let t = this.v4.get(w0);
      if (t === undefined) {
        const b = o * 4;
        t = `${bytes[b]}.${bytes[b + 1]}.${bytes[b + 2]}.${bytes[b + 3]}`;
        if (this.v4.size >= 65536) this.v4.clear();
        this.v4.set(w0, t);
      }
      return t;
    }
    const key = (w0 ^ (words[o + 1] ?? 0) ^ (words[o + 2] ?? 0) ^ (words[o + 3] ?? 0)) >>> 0;
    let list = this.v6.get(key);
    if (list) {
      for (const e of list) {
        if (e.w[0] === w0 && e.w[1] === words[o + 1] && e.w[2] === words[o + 2] && e.w[3] === words[o + 3]) {
          return e.text;
        }
      }
    } else {
      list = [];
    }
    // bounded however the sources are chosen (equal XOR keys included): past 65536 entries, start over
    if (++this.v6Entries > 65536) {
      this.v6.clear();
      this.v6Entries = 1;
      list = [];
    }
    if (list.length === 0) this.v6.set(key, list);
    // at most 8 per key: sources forged to share a key cost a short scan, never a long one
    if (list.length >= 8) list.shift();
    const text = ipaddr.fromByteArray(Array.from(bytes.subarray(o * 4, o * 4 + 16))).toString();
    list.push({ w: words.slice(o, o + 4), text });
    return text;
  }
}

/**
 * Gets each datagram as octets [off, off + len) of `bytes` and of `view` (the same memory, offsets alike),
 * valid only during the call.
 */
export type NativeOnMessage = (
  bytes: Uint8Array,
  view: DataView,
  off: number,
  len: number,
  address: string,
  port: number,
) => void;

/** Binds one listener on the native receiver; `onMessage` gets each datagram as a range valid during the call. */
export function bindNativeListener(
  addon: NativeAddon,
  l: ListenSpec,
  recvBufferSize: number,
  onMessage: NativeOnMessage,
): NativeListener {
  const cache = new AddressCache();
  let data: Uint8Array[] = [];
  let views: DataView[] = [];
  let words: Uint32Array[] = [];
  let bytes: Uint8Array[] = [];
  let stride = 0;
  let mw = 0;
  const own: { counters?: ListenerCounters } = {};
  const h = addon.open(l.address, l.port, recvBufferSize, (slot, count) => {
    const d = data[slot];
    const v = views[slot];
    const w = words[slot];
    const b = bytes[slot];
    if (!d || !v || !w || !b) return;
    for (let i = 0; i < count; i++) {
      const m = i * mw;
      const len = w[m] ?? 0;
      // m+1: truncated (cannot happen: a stride holds the largest UDP payload); counted, not decoded
      if (w[m + 1] !== 0) {
        if (own.counters) own.counters.decodeErrors++;
        continue;
      }
      const address = cache.lookup(w, b, m + 4, w[m + 3] ?? 4);
      onMessage(d, v, i * stride, len, address, w[m + 2] ?? 0);
    }
  });
  data = h.data.map((a) => new Uint8Array(a));
  views = h.data.map((a) => new DataView(a));
  words = h.meta.map((a) => new Uint32Array(a));
  bytes = h.meta.map((a) => new Uint8Array(a));
  stride = h.stride;
  mw = h.metaWords;
  const counters = (own.counters = new ListenerCounters(l.address, h.port, h.rcvbuf));
  counters.readReceiveErrors = () => addon.stats(h.handle)[1];
  let open = true;
  return {
    counters,
    close() {
      if (!open) return;
      open = false;
      addon.close(h.handle);
    },
    stats() {
      const [batches, errors] = addon.stats(h.handle);
      return { batches, errors };
    },
  };
}
