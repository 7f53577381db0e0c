// Destination sharding and shard ownership, pure. A record goes to the shard of its destination prefix
// (/24 and /48 by default), so every host — and every detection prefix no longer than the shard prefix — is
// counted whole by one detector. Owners are chosen by rendezvous (highest random weight) hashing over the
// live detectors, capped so that every detector gets its fair share (⌊shards/n⌋ or ⌈shards/n⌉): every
// detector computes the same answer from the same member list, and a join or death moves about 1/n of the
// shards (plus a few between the others to keep the counts even).

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

/**
 * The owner of every shard among `members` (all undefined when there are none). Pure rendezvous alone can
 * leave a live detector with nothing (8 shards, 2 detectors: about 1 run in 100 gives one of them all 8),
 * so the (shard, member) pairs are taken in descending weight order and a member stops taking shards at
 * its fair share: ⌊shards/n⌋ each, and ⌈shards/n⌉ for the first shards % n members to reach it. Every shard
 * gets an owner (the shares sum to `shards`, and a shard is refused only by members already full); when no
 * cap binds this is exactly ownerOf. Ties go to the smaller shard, then the smaller id, so the answer does
 * not depend on the order of `members`.
 */
export function assignShards(members: readonly string[], shards: number): (string | undefined)[] {
  const ids = [...new Set(members)].sort();
  const owners = new Array<string | undefined>(shards).fill(undefined);
  if (ids.length === 0) return owners;
  const n = ids.length;
  const pairs: number[] = [];
  const weights = new Float64Array(shards * n);
  for (let s = 0; s < shards; s++)
    for (let i = 0; i < n; i++) {
      weights[s * n + i] = weight(s, ids[i] as string);
      pairs.push(s * n + i);
    }
  // the index is shard-major then member, so the tie order (smaller shard, then smaller id) is the index order
  pairs.sort((a, b) => (weights[b] as number) - (weights[a] as number) || a - b);
  const share = Math.floor(shards / n);
  let extra = shards % n;
  const count = new Array<number>(n).fill(0);
  for (const p of pairs) {
    const s = Math.floor(p / n);
    const i = p % n;
    if (owners[s] !== undefined) continue;
    const c = count[i] as number;
    if (c === share && extra > 0) extra--;
    else if (c >= share) continue;
    owners[s] = ids[i];
    count[i] = c + 1;
  }
  return owners;
}

/** Shards `me` should own given the live members (its fair share, see assignShards). */
export function shardsOf(me: string, members: readonly string[], shards: number): number[] {
  const out: number[] = [];
  assignShards(members, shards).forEach((o, s) => {
    if (o === me) out.push(s);
  });
  return out;
}
