// Destination sharding and shard ownership, pure. A record goes to the shard of its destination prefix
// (/24 and /48 by default), so every host — and every detection prefix no longer than the shard prefix — is
// counted whole by one detector. Owners are chosen by rendezvous (highest random weight) hashing over the
// live detectors: every detector computes the same answer from the same member list, and a join or death
// moves only the shards that must move (about 1/n of them).

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function fnvWord(h: number, w: number): number {
  for (let k = 0; k < 4; k++) {
    h ^= (w >>> (24 - 8 * k)) & 0xff;
    h = Math.imul(h, FNV_PRIME);
  }
  return h;
}

/** Keeps the first `len` bits of a 32-bit word at position `word` of a 128-bit address. */
function maskWord(w: number, word: number, len: number): number {
  const bits = len - word * 32;
  if (bits >= 32) return w >>> 0;
  if (bits <= 0) return 0;
  return (w & (0xffffffff << (32 - bits))) >>> 0;
}

/**
 * Shard of the destination at `off` in a 4-words-per-record address column (FlowBatch.dstAddr layout).
 * Family 4 uses word 0 only.
 */
export function shardOf(
  family: number,
  addr: Uint32Array,
  off: number,
  prefix4: number,
  prefix6: number,
  shards: number,
): number {
  let h = fnvWord(FNV_OFFSET, family);
  if (family === 6) {
    for (let w = 0; w < 4; w++) h = fnvWord(h, maskWord(addr[off + w] as number, w, prefix6));
  } else {
    h = fnvWord(h, maskWord(addr[off] as number, 0, prefix4));
  }
  return (h >>> 0) % shards;
}

function weight(shard: number, member: string): number {
  let h = fnvWord(FNV_OFFSET, shard);
  for (let i = 0; i < member.length; i++) {
    h ^= member.charCodeAt(i) & 0xff;
    h = Math.imul(h, FNV_PRIME);
    h ^= member.charCodeAt(i) >>> 8;
    h = Math.imul(h, FNV_PRIME);
  }
  // final avalanche (murmur3 fmix32) so members differing in their last byte spread evenly
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The owner of `shard` among `members` (undefined when there is none). Ties go to the smaller id. */
export function ownerOf(shard: number, members: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestW = -1;
  for (const m of members) {
    const w = weight(shard, m);
    if (w > bestW || (w === bestW && best !== undefined && m < best)) {
      best = m;
      bestW = w;
    }
  }
  return best;
}

/** Shards `me` should own given the live members. */
export function shardsOf(me: string, members: readonly string[], shards: number): number[] {
  const out: number[] = [];
  for (let s = 0; s < shards; s++) if (ownerOf(s, members) === me) out.push(s);
  return out;
}
