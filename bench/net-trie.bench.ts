// Longest-prefix-match throughput of PrefixTrie.lookupWords over FlowBatch-layout addresses,
// 10k prefixes per family (lengths /8–/32 and /16–/128), half of the probes inside a stored prefix.

import { pathToFileURL } from 'node:url';
import { makePrefix } from '../src/net/prefix.js';
import { PrefixTrie } from '../src/net/trie.js';
import { ipToWords } from '../src/net/address.js';

const PREFIXES = 10_000;
const PROBES = 1 << 16;

/** Deterministic xorshift32 so runs are comparable. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

function randomBytes(next: () => number, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = next() & 0xff;
  return b;
}

function measure(family: 4 | 6): { lookupsPerSec: number; hitRate: number; buildMs: number } {
  const next = rng(family === 4 ? 0x1234567 : 0x7654321);
  const n = family === 4 ? 4 : 16;
  const minLen = family === 4 ? 8 : 16;
  const maxLen = family === 4 ? 32 : 128;
  const trie = new PrefixTrie<number>();
  const stored: Uint8Array[] = [];
  const t0 = performance.now();
  for (let i = 0; i < PREFIXES; i++) {
    const bytes = randomBytes(next, n);
    const len = minLen + (next() % (maxLen - minLen + 1));
    const p = makePrefix({ family, bytes }, len);
    trie.insert(p, i);
    stored.push(bytes);
  }
  const buildMs = performance.now() - t0;
  const words = new Uint32Array(PROBES * 4);
  for (let i = 0; i < PROBES; i++) {
    // even probes: an address inside a stored prefix; odd: random
    const bytes = i % 2 === 0 ? (stored[next() % stored.length] as Uint8Array) : randomBytes(next, n);
    ipToWords({ family, bytes }, words, i * 4);
  }
  let hits = 0;
  for (let i = 0; i < PROBES; i++) if (trie.lookupWords(family, words, i * 4)) hits++; // warm-up
  const rounds = 20;
  const start = performance.now();
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < PROBES; i++) if (trie.lookupWords(family, words, i * 4) === undefined) hits += 0;
  }
  const sec = (performance.now() - start) / 1000;
  return {
    lookupsPerSec: Math.round((rounds * PROBES) / sec),
    hitRate: hits / PROBES,
    buildMs: Math.round(buildMs),
  };
}

export async function run(): Promise<Record<string, number>> {
  const v4 = measure(4);
  const v6 = measure(6);
  return {
    'net.trie.lookupWords.v4.10k.lookups_per_s': v4.lookupsPerSec,
    'net.trie.lookupWords.v6.10k.lookups_per_s': v6.lookupsPerSec,
    'net.trie.insert.v4.10k.ms': v4.buildMs,
    'net.trie.insert.v6.10k.ms': v6.buildMs,
    'net.trie.lookupWords.v4.hit_rate': v4.hitRate,
    'net.trie.lookupWords.v6.hit_rate': v6.hitRate,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await run(), null, 2));
}
