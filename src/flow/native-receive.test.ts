// The recvmmsg receiver over real loopback sockets (127.0.103.x and ::1): datagrams arrive intact with their
// source, the largest UDP payloads fit, close wakes a blocked thread, and a stalled JavaScript thread turns
// into kernel drops that /proc/net/udp counts (delivered + dropped = sent), never into an unbounded queue.
import { execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../../test/support/wait.js';
import {
  AddressCache,
  bindNativeListener,
  chooseReceiver,
  loadNativeAddon,
  nativeAddon,
  nativeAvailable,
  type NativeAddon,
} from './native-receive.js';
import { listenerStats } from './listeners.js';
import { pressureOf, pressureTotals } from './pressure.js';
import { readListenerDrops } from './socket-drops-reader.js';

const HOST = '127.0.103.1';
const SRC = ['127.0.103.2', '127.0.103.3'];

describe('receive errors', () => {
  it("the receive thread's failed calls show per listener and in the totals (/api/v1/exporters, /healthz)", () => {
    let errors = 0;
    const fake: NativeAddon = {
      version: 1,
      open: () => ({
        handle: {},
        port: 2055,
        rcvbuf: 1 << 20,
        data: [],
        meta: [],
        stride: 65536,
        metaWords: 8,
      }),
      close: () => undefined,
      stats: () => [7, errors],
    };
    const l = bindNativeListener(fake, { address: '127.0.103.9', port: 2055 }, 1 << 20, () => undefined);
    expect(listenerStats([l.counters], false)[0]?.receiveErrors).toBe(0);
    errors = 3;
    const stats = listenerStats([l.counters], false);
    expect(stats[0]?.receiveErrors).toBe(3);
    expect(pressureTotals(pressureOf(stats, [])).receiveErrors).toBe(3);
  });
});

describe('chooseReceiver', () => {
  const addon = { addon: { version: 1 } as NativeAddon };
  const missing = { reason: 'no compiler' };
  it.each([
    ['auto', addon, 'native'],
    ['auto', missing, 'dgram'],
    ['native', addon, 'native'],
    ['dgram', addon, 'dgram'],
    ['dgram', missing, 'dgram'],
  ] as const)('%s with %o → %s', (mode, load, want) => {
    expect(chooseReceiver(mode, load)).toBe(want);
  });
  it("refuses 'native' without the addon, saying why", () => {
    expect(() => chooseReceiver('native', missing)).toThrow(/flow.receiver is 'native' but no compiler/);
  });
  it('says why an addon cannot be loaded', () => {
    const r = loadNativeAddon('/nonexistent/recvmmsg.node');
    expect(r.addon).toBeUndefined();
    expect(r.reason).toMatch(/cannot load the native receiver/);
    // one line for the log, without the require stack
    expect(r.reason).toMatch(/Cannot find module '\/nonexistent\/recvmmsg.node'$/);
  });
});

describe('AddressCache', () => {
  /** One metadata record's address words as the addon writes them (network order bytes). */
  function meta(addr: number[]): { w: Uint32Array; b: Uint8Array } {
    const b = new Uint8Array(16);
    b.set(addr);
    return { w: new Uint32Array(b.buffer), b };
  }
  it('gives IPv4 and IPv6 text as node:dgram does, the same string object each time', () => {
    const c = new AddressCache();
    const v4 = meta([192, 0, 2, 77]);
    const t = c.lookup(v4.w, v4.b, 0, 4);
    expect(t).toBe('192.0.2.77');
    expect(c.lookup(v4.w, v4.b, 0, 4)).toBe(t);
    const v6 = meta([0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x67, 1]);
    expect(c.lookup(v6.w, v6.b, 0, 6)).toBe('fd00::6701');
    const lo = meta([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(c.lookup(lo.w, lo.b, 0, 6)).toBe('::1');
  });
  it('keeps IPv6 sources whose words XOR alike apart, however many there are', () => {
    const c = new AddressCache();
    // words (k, k, 0, 0) all XOR to 0
    const addrs = Array.from({ length: 20 }, (_, k) => meta([0x20, 1, 0, k + 1, 0x20, 1, 0, k + 1]));
    for (let round = 0; round < 2; round++) {
      for (const [k, a] of addrs.entries())
        expect(c.lookup(a.w, a.b, 0, 6)).toBe(`2001:${(k + 1).toString(16)}:2001:${(k + 1).toString(16)}::`);
    }
  });
});

async function sender(type: 'udp4' | 'udp6', address: string): Promise<dgram.Socket> {
  const s = dgram.createSocket(type);
  await new Promise<void>((r) => s.bind(0, address, () => r()));
  return s;
}
const send = (s: dgram.Socket, b: Uint8Array, port: number, host: string) =>
  new Promise<void>((res, rej) => s.send(b, port, host, (e) => (e ? rej(e) : res())));
const close = (s: dgram.Socket) => new Promise<void>((r) => s.close(() => r()));
const digest = (b: Uint8Array) => createHash('sha1').update(b).digest('hex');

/** Datagram i: its index in the first 4 octets, then a pattern; sizes from 1 octet to a jumbo-sized one. */
function payload(i: number, size: number): Uint8Array {
  const b = new Uint8Array(Math.max(4, size));
  new DataView(b.buffer).setUint32(0, i);
  for (let k = 4; k < b.length; k++) b[k] = (k * 31 + i) & 0xff;
  return b;
}

const load = nativeAddon();
// Linux is where CI runs; there npm install must have built the addon (scripts/build-native.mjs).
const linux = process.platform === 'linux';

describe.runIf(linux)('native receiver', () => {
  it('loads the addon built by npm install', () => {
    expect(load.reason).toBeUndefined();
    expect(nativeAvailable()).toBe(true);
    expect(typeof load.addon?.open).toBe('function');
  });

  it.each([
    ['IPv4', 'udp4', HOST, SRC, 65507],
    ['IPv6', 'udp6', '::1', ['::1', '::1'], 65527],
  ] as const)(
    '%s: mixed sizes from two sources arrive intact with their source',
    async (_n, type, host, srcs, max) => {
      const addon = load.addon!;
      const got: { i: number; hash: string; address: string; port: number; len: number }[] = [];
      let received = 0;
      let wake = () => undefined as void;
      const l = bindNativeListener(
        addon,
        { address: host, port: 0 },
        4 << 20,
        (bytes, view, off, len, address, port) => {
          expect(view.buffer).toBe(bytes.buffer);
          const msg = bytes.subarray(off, off + len);
          received += msg.length;
          wake();
          got.push({
            i: view.getUint32(off), // the view reads what the bytes hold
            hash: digest(msg),
            address,
            port,
            len: msg.length,
          });
        },
      );
      const senders = await Promise.all(srcs.map((a) => sender(type, a)));
      const sizes = [4, 1, 100, 1400, 1500, 9000, 30000, max];
      const want = new Map<number, { hash: string; address: string; port: number; len: number }>();
      let sent = 0;
      try {
        for (let i = 0; i < 400; i++) {
          const s = senders[i % 2]!;
          const b = payload(i, sizes[i % sizes.length]!);
          // at most 128 KiB in flight: a small default receive buffer (rmem_max 208 KiB) never drops one
          while (sent > received && sent - received + b.length > 128 * 1024) {
            await new Promise<void>((r) => {
              wake = r;
              setTimeout(r, 100);
            });
          }
          sent += b.length;
          want.set(i, { hash: digest(b), address: srcs[i % 2]!, port: s.address().port, len: b.length });
          await send(s, b, l.counters.port, host);
        }
        await waitFor('every datagram', () => got.length >= 400, 30_000, 20);
      } finally {
        l.close();
        await Promise.all(senders.map(close));
      }
      expect(got).toHaveLength(400);
      expect(got.map((g) => g.i).sort((a, b) => a - b)).toEqual([...want.keys()]);
      for (const g of got) expect({ ...g, i: undefined }).toEqual({ ...want.get(g.i), i: undefined });
      expect(got.filter((g) => g.len === max)).toHaveLength(400 / sizes.length);
      expect(l.counters.decodeErrors).toBe(0);
      expect(l.stats().batches).toBeGreaterThan(0);
    },
  );

  it('close wakes a thread blocked in recvmmsg, releases the port, and is idempotent', async () => {
    const addon = load.addon!;
    const l = bindNativeListener(addon, { address: HOST, port: 0 }, 1 << 20, () => undefined);
    const port = l.counters.port;
    expect(readListenerDrops([{ address: HOST, port }])?.[0]?.sockets).toBe(1);
    // the thread is blocked in the kernel now (no datagram was sent); close joins it
    l.close();
    l.close();
    expect(readListenerDrops([{ address: HOST, port }])?.[0]?.sockets).toBe(0);
    const rebound = bindNativeListener(addon, { address: HOST, port }, 1 << 20, () => undefined);
    expect(rebound.counters.port).toBe(port);
    rebound.close();
  });

  it('a bind error is thrown, not a crash', async () => {
    const s = await sender('udp4', HOST);
    try {
      expect(() =>
        bindNativeListener(load.addon!, { address: HOST, port: s.address().port }, 0, () => undefined),
      ).toThrow(/bind: Address already in use/);
      expect(() =>
        bindNativeListener(load.addon!, { address: '300.1.1.1', port: 0 }, 0, () => undefined),
      ).toThrow(/bad IPv4 address/);
    } finally {
      await close(s);
    }
  });

  it('a stalled JavaScript thread turns into kernel drops: delivered + dropped = sent', async () => {
    const addon = load.addon!;
    let delivered = 0;
    // the smallest receive buffer the kernel grants: the slot pool (8 × 64) plus this queue is all that waits
    const l = bindNativeListener(addon, { address: HOST, port: 0 }, 4096, () => delivered++);
    const port = l.counters.port;
    const SENT = 3000;
    try {
      // execFileSync blocks this (the JavaScript) thread while the child sends: nothing is delivered meanwhile
      const script = `const s=require('dgram').createSocket('udp4');s.bind(0,'${SRC[0]}',async()=>{const b=Buffer.alloc(1000);for(let i=0;i<${SENT};i++)await new Promise(r=>s.send(b,${port},'${HOST}',r));s.close()})`;
      execFileSync(process.execPath, ['-e', script], { timeout: 60_000 });
      expect(delivered).toBe(0);
      const drops = () => readListenerDrops([{ address: HOST, port }])?.[0]?.drops ?? 0;
      await waitFor('delivered + dropped = sent', () => delivered + drops() === SENT, 30_000, 50);
      expect(drops()).toBeGreaterThan(0);
      // bounded: at most the slot pool (8 batches of 64) plus what the small socket queue held
      expect(delivered).toBeLessThan(SENT / 2);
      expect(delivered).toBeGreaterThan(0);
    } finally {
      l.close();
    }
  });
});
