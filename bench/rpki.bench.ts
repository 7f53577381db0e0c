// Route origin validation over a full-size VRP table (≈ 800 k VRPs, generated with the shape of the
// real one: mostly IPv4 /24s and IPv6 /48s under /16–/32 allocations): lookups per second (state only
// and with the VRP lists) and the memory the table holds.
import { makePrefix } from '../src/net/prefix.js';
import type { Prefix } from '../src/net/prefix.js';
import { VrpTable } from '../src/rpki/table.js';
import type { Vrp } from '../src/rpki/vrp.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function v4(n: number, len: number): Prefix {
  return makePrefix(
    { family: 4, bytes: Uint8Array.of(n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255) },
    len,
  );
}

function v6(hi: number, mid: number, len: number): Prefix {
  const b = new Uint8Array(16);
  b[0] = 0x20;
  b[1] = 0x01 + ((hi >>> 16) & 0x0f);
  b[2] = (hi >>> 8) & 255;
  b[3] = hi & 255;
  b[4] = (mid >>> 8) & 255;
  b[5] = mid & 255;
  return makePrefix({ family: 6, bytes: b }, len);
}

export function generateVrps(count: number, seed = 7): Vrp[] {
  const r = rng(seed);
  const out: Vrp[] = [];
  const n4 = Math.round(count * 0.78);
  for (let i = 0; i < n4; i++) {
    const len = r() < 0.7 ? 24 : 16 + Math.floor(r() * 8);
    const addr = ((1 + Math.floor(r() * 222)) << 24) | Math.floor(r() * 2 ** 24);
    out.push({
      prefix: v4(addr >>> 0, len),
      maxLength: r() < 0.8 ? len : Math.min(32, len + 8),
      asn: 1 + Math.floor(r() * 400_000),
    });
  }
  for (let i = n4; i < count; i++) {
    const len = r() < 0.6 ? 48 : 29 + Math.floor(r() * 19);
    out.push({
      prefix: v6(Math.floor(r() * 2 ** 20), Math.floor(r() * 65536), len),
      maxLength: r() < 0.8 ? len : Math.min(128, len + 16),
      asn: 1 + Math.floor(r() * 400_000),
    });
  }
  return out;
}

export async function run(): Promise<Record<string, number>> {
  const count = 800_000;
  const vrps = generateVrps(count);
  global.gc?.();
  const before = process.memoryUsage();
  const t0 = performance.now();
  const table = new VrpTable(vrps);
  const buildMs = performance.now() - t0;
  vrps.length = 0; // the table keeps its own references
  global.gc?.();
  const after = process.memoryUsage();

  // queries: blackhole-like host routes and /24s, half inside VRP space
  const r = rng(11);
  const all = [...table];
  const queries: Prefix[] = [];
  for (let i = 0; i < 100_000; i++) {
    const v = all[Math.floor(r() * all.length)]!;
    if (r() < 0.5)
      queries.push(
        v.prefix.family === 4
          ? v4(
              ((v.prefix.bytes[0]! << 24) |
                (v.prefix.bytes[1]! << 16) |
                (v.prefix.bytes[2]! << 8) |
                Math.floor(r() * 256)) >>>
                0,
              32,
            )
          : makePrefix({ family: 6, bytes: v.prefix.bytes }, 128),
      );
    else queries.push(v4((Math.floor(r() * 2 ** 32) >>> 0) & 0xffffff00, 24));
  }
  const asns = queries.map(() => 1 + Math.floor(r() * 400_000));
  // plain loops (no callback) and a checksum of the answers, so nothing is optimised away
  const rounds = 10;
  let valid = 0;
  for (let i = 0; i < 20_000; i++) if (table.state(queries[i]!, asns[i]!) === 'valid') valid++;
  let s = performance.now();
  for (let k = 0; k < rounds; k++)
    for (let i = 0; i < queries.length; i++) if (table.state(queries[i]!, asns[i]!) === 'valid') valid++;
  const stateRate = (rounds * queries.length) / ((performance.now() - s) / 1000);
  let covering = 0;
  s = performance.now();
  for (let i = 0; i < queries.length; i++) covering += table.validate(queries[i]!, asns[i]!).covering.length;
  const validateRate = queries.length / ((performance.now() - s) / 1000);
  return {
    vrps: table.size,
    buildMs: Math.round(buildMs),
    heapMB: Math.round((after.heapUsed - before.heapUsed) / 1e5) / 10,
    rssMB: Math.round(after.rss / 1e5) / 10,
    lookupsPerSecondState: Math.round(stateRate),
    lookupsPerSecondWithVrps: Math.round(validateRate),
    checksum: valid + covering,
  };
}
