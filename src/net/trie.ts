// Longest-prefix-match table: a path-compressed binary (PATRICIA-style) trie per family. Keys are
// held as four 32-bit words, the FlowBatch address layout, so lookupWords reads flow records
// directly and allocates nothing.

import { type Family, type IpAddress, familyBits } from './address.js';
import { type Prefix, maskBytes, prefixContains } from './prefix.js';

export interface TrieEntry<T> {
  readonly prefix: Prefix;
  readonly value: T;
}

/** Mask of the first `len` bits of word k (0..3), as a signed int32 like the results of `&`. */
function wordMask(len: number, k: number): number {
  const bits = len - k * 32;
  if (bits <= 0) return 0;
  if (bits >= 32) return -1;
  return (-1 << (32 - bits)) | 0;
}

class Node<T> {
  // Key bits masked to `len`, stored signed so they compare with `x & m` directly.
  readonly w0: number;
  readonly w1: number;
  readonly w2: number;
  readonly w3: number;
  readonly m0: number;
  readonly m1: number;
  readonly m2: number;
  readonly m3: number;
  entry: TrieEntry<T> | undefined = undefined;
  left: Node<T> | null = null;
  right: Node<T> | null = null;

  constructor(
    k0: number,
    k1: number,
    k2: number,
    k3: number,
    readonly len: number,
  ) {
    this.m0 = wordMask(len, 0);
    this.m1 = wordMask(len, 1);
    this.m2 = wordMask(len, 2);
    this.m3 = wordMask(len, 3);
    this.w0 = k0 & this.m0;
    this.w1 = k1 & this.m1;
    this.w2 = k2 & this.m2;
    this.w3 = k3 & this.m3;
  }

  matches(k0: number, k1: number, k2: number, k3: number): boolean {
    return (
      (k0 & this.m0) === this.w0 &&
      (k1 & this.m1) === this.w1 &&
      (k2 & this.m2) === this.w2 &&
      (k3 & this.m3) === this.w3
    );
  }

  word(k: number): number {
    return k === 0 ? this.w0 : k === 1 ? this.w1 : k === 2 ? this.w2 : this.w3;
  }
}

function bitAt(k0: number, k1: number, k2: number, k3: number, i: number): number {
  const w = i < 32 ? k0 : i < 64 ? k1 : i < 96 ? k2 : k3;
  return (w >>> (31 - (i & 31))) & 1;
}

/** Length of the common leading bits of node's key and (k0..k3), capped at `max`. */
function commonLen<T>(n: Node<T>, k0: number, k1: number, k2: number, k3: number, max: number): number {
  const ks = [k0, k1, k2, k3];
  for (let k = 0; k < 4; k++) {
    const x = (n.word(k) ^ (ks[k] as number)) | 0;
    if (x !== 0) return Math.min(max, k * 32 + Math.clz32(x));
  }
  return max;
}

/** Scratch words for lookups that start from bytes; module-level so lookup() allocates nothing either. */
const scratch = new Uint32Array(4);

function bytesToScratch(bytes: Uint8Array): void {
  for (let k = 0; k < 4; k++) {
    const i = k * 4;
    scratch[k] =
      i < bytes.length
        ? (((bytes[i] as number) << 24) |
            ((bytes[i + 1] as number) << 16) |
            ((bytes[i + 2] as number) << 8) |
            (bytes[i + 3] as number)) >>>
          0
        : 0;
  }
}

function isPrefix(x: Prefix | IpAddress): x is Prefix {
  return typeof (x as Prefix).length === 'number';
}

export class PrefixTrie<T> {
  private readonly root4 = new Node<T>(0, 0, 0, 0, 0);
  private readonly root6 = new Node<T>(0, 0, 0, 0, 0);
  private count = 0;

  get size(): number {
    return this.count;
  }

  private root(family: Family): Node<T> {
    return family === 4 ? this.root4 : this.root6;
  }

  /** Adds or replaces the value stored for exactly this prefix. */
  insert(prefix: Prefix, value: T): void {
    bytesToScratch(prefix.bytes);
    const k0 = scratch[0] as number,
      k1 = scratch[1] as number,
      k2 = scratch[2] as number,
      k3 = scratch[3] as number;
    const L = prefix.length;
    if (
      !Number.isInteger(L) ||
      L < 0 ||
      L > familyBits(prefix.family) ||
      prefix.bytes.length * 8 !== familyBits(prefix.family)
    ) {
      throw new RangeError(
        `not a valid IPv${prefix.family} prefix (length ${L}, ${prefix.bytes.length} bytes)`,
      );
    }
    const entry: TrieEntry<T> = Object.freeze({
      prefix: { family: prefix.family, bytes: maskBytes(prefix.bytes, L), length: L },
      value,
    });
    let node = this.root(prefix.family);
    for (;;) {
      // Invariant: node's key agrees with the new key on node.len bits and node.len <= L.
      if (node.len === L) {
        if (!node.entry) this.count++;
        node.entry = entry;
        return;
      }
      const goRight = bitAt(k0, k1, k2, k3, node.len) === 1;
      const child = goRight ? node.right : node.left;
      const attach = (n: Node<T>): void => {
        if (goRight) node.right = n;
        else node.left = n;
      };
      if (!child) {
        const leaf = new Node<T>(k0, k1, k2, k3, L);
        leaf.entry = entry;
        attach(leaf);
        this.count++;
        return;
      }
      const c = commonLen(child, k0, k1, k2, k3, Math.min(child.len, L));
      if (c === child.len) {
        node = child;
        continue;
      }
      // The new key branches off inside child's compressed path at bit c.
      if (c === L) {
        const mid = new Node<T>(k0, k1, k2, k3, L);
        mid.entry = entry;
        if (bitAt(child.w0, child.w1, child.w2, child.w3, L) === 1) mid.right = child;
        else mid.left = child;
        attach(mid);
      } else {
        const glue = new Node<T>(k0, k1, k2, k3, c);
        const leaf = new Node<T>(k0, k1, k2, k3, L);
        leaf.entry = entry;
        if (bitAt(k0, k1, k2, k3, c) === 1) {
          glue.right = leaf;
          glue.left = child;
        } else {
          glue.left = leaf;
          glue.right = child;
        }
        attach(glue);
      }
      this.count++;
      return;
    }
  }

  /** Removes exactly this prefix; returns whether it was present. */
  remove(prefix: Prefix): boolean {
    bytesToScratch(prefix.bytes);
    const k0 = scratch[0] as number,
      k1 = scratch[1] as number,
      k2 = scratch[2] as number,
      k3 = scratch[3] as number;
    const L = prefix.length;
    let parent: Node<T> | null = null;
    let node: Node<T> | null = this.root(prefix.family);
    while (node && node.len < L) {
      if (!node.matches(k0, k1, k2, k3)) return false;
      parent = node;
      node = bitAt(k0, k1, k2, k3, node.len) === 1 ? node.right : node.left;
    }
    if (!node || node.len !== L || !node.matches(k0, k1, k2, k3) || !node.entry) return false;
    node.entry = undefined;
    this.count--;
    if (!parent) return true; // a root stays
    // Splice out nodes that no longer carry an entry and branch nowhere.
    const replace = (p: Node<T>, old: Node<T>, n: Node<T> | null): void => {
      if (p.left === old) p.left = n;
      else p.right = n;
    };
    if (node.left && node.right) return true;
    replace(parent, node, node.left ?? node.right);
    if (parent.entry || parent.len === 0 || (parent.left && parent.right)) return true;
    // parent is now a value-less glue node with one child: find its parent and splice it out too.
    const grand = this.parentOf(prefix.family, parent);
    if (grand) replace(grand, parent, parent.left ?? parent.right);
    return true;
  }

  private parentOf(family: Family, target: Node<T>): Node<T> | null {
    let node: Node<T> | null = this.root(family);
    let parent: Node<T> | null = null;
    while (node && node !== target) {
      parent = node;
      node = bitAt(target.w0, target.w1, target.w2, target.w3, node.len) === 1 ? node.right : node.left;
    }
    return node ? parent : null;
  }

  /** The entry stored for exactly this prefix. */
  exact(prefix: Prefix): TrieEntry<T> | undefined {
    bytesToScratch(prefix.bytes);
    const k0 = scratch[0] as number,
      k1 = scratch[1] as number,
      k2 = scratch[2] as number,
      k3 = scratch[3] as number;
    let node: Node<T> | null = this.root(prefix.family);
    while (node && node.len < prefix.length) {
      if (!node.matches(k0, k1, k2, k3)) return undefined;
      node = bitAt(k0, k1, k2, k3, node.len) === 1 ? node.right : node.left;
    }
    if (!node || node.len !== prefix.length || !node.matches(k0, k1, k2, k3)) return undefined;
    return node.entry;
  }

  has(prefix: Prefix): boolean {
    return this.exact(prefix) !== undefined;
  }

  private find(
    family: Family,
    k0: number,
    k1: number,
    k2: number,
    k3: number,
    maxLen: number,
  ): TrieEntry<T> | undefined {
    let best: TrieEntry<T> | undefined;
    let node: Node<T> | null = family === 4 ? this.root4 : this.root6;
    while (node !== null && node.len <= maxLen) {
      if (!node.matches(k0, k1, k2, k3)) break;
      if (node.entry !== undefined) best = node.entry;
      if (node.len === maxLen) break;
      node =
        ((family === 4 ? k0 : node.len < 32 ? k0 : node.len < 64 ? k1 : node.len < 96 ? k2 : k3) >>>
          (31 - (node.len & 31))) &
        1
          ? node.right
          : node.left;
    }
    return best;
  }

  /**
   * Longest-prefix match: the most specific entry containing the address, or for a prefix the most
   * specific entry containing all of it (entries longer than the prefix do not match).
   */
  lookup(key: IpAddress | Prefix): TrieEntry<T> | undefined {
    bytesToScratch(key.bytes);
    const maxLen = isPrefix(key) ? key.length : familyBits(key.family);
    return this.find(
      key.family,
      scratch[0] as number,
      scratch[1] as number,
      scratch[2] as number,
      scratch[3] as number,
      maxLen,
    );
  }

  /**
   * Hot path: longest match for the address at words[offset..offset+3] (FlowBatch layout). Returns the
   * stored entry object itself; allocates nothing.
   */
  lookupWords(family: Family, words: Uint32Array, offset: number): TrieEntry<T> | undefined {
    if (family === 4) return this.find(4, words[offset] as number, 0, 0, 0, 32);
    return this.find(
      6,
      words[offset] as number,
      words[offset + 1] as number,
      words[offset + 2] as number,
      words[offset + 3] as number,
      128,
    );
  }

  /** lookupWords returning only the value. */
  lookupValueWords(family: Family, words: Uint32Array, offset: number): T | undefined {
    return this.lookupWords(family, words, offset)?.value;
  }

  /** Every entry, IPv4 first, in address order with shorter prefixes before the ones they contain. */
  *entries(): IterableIterator<TrieEntry<T>> {
    yield* walk(this.root4);
    yield* walk(this.root6);
  }

  [Symbol.iterator](): IterableIterator<TrieEntry<T>> {
    return this.entries();
  }

  /** Every entry inside `prefix` (including an entry equal to it), in address order. */
  *coveredBy(prefix: Prefix): IterableIterator<TrieEntry<T>> {
    bytesToScratch(prefix.bytes);
    const k0 = scratch[0] as number,
      k1 = scratch[1] as number,
      k2 = scratch[2] as number,
      k3 = scratch[3] as number;
    let node: Node<T> | null = this.root(prefix.family);
    while (node && node.len < prefix.length) {
      if (!node.matches(k0, k1, k2, k3)) return;
      node = bitAt(k0, k1, k2, k3, node.len) === 1 ? node.right : node.left;
    }
    // node is the first one at or below the prefix length; its subtree is inside the prefix if it agrees on prefix.length bits.
    if (
      !node ||
      !prefixContains(prefix, {
        family: prefix.family,
        bytes: nodeBytes(node, prefix.family),
        length: node.len,
      })
    )
      return;
    yield* walk(node);
  }

  /** Every entry that contains `key` (an address or a whole prefix), shortest first. */
  covering(key: IpAddress | Prefix): TrieEntry<T>[] {
    const out: TrieEntry<T>[] = [];
    bytesToScratch(key.bytes);
    const k0 = scratch[0] as number,
      k1 = scratch[1] as number,
      k2 = scratch[2] as number,
      k3 = scratch[3] as number;
    const maxLen = isPrefix(key) ? key.length : familyBits(key.family);
    let node: Node<T> | null = this.root(key.family);
    while (node && node.len <= maxLen && node.matches(k0, k1, k2, k3)) {
      if (node.entry) out.push(node.entry);
      if (node.len === maxLen) break;
      node = bitAt(k0, k1, k2, k3, node.len) === 1 ? node.right : node.left;
    }
    return out;
  }

  clear(): void {
    for (const r of [this.root4, this.root6]) {
      r.left = r.right = null;
      r.entry = undefined;
    }
    this.count = 0;
  }
}

function nodeBytes<T>(n: Node<T>, family: Family): Uint8Array {
  const len = family === 4 ? 4 : 16;
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = (n.word(i >>> 2) >>> (24 - 8 * (i & 3))) & 0xff;
  return out;
}

function* walk<T>(start: Node<T>): IterableIterator<TrieEntry<T>> {
  // Iterative pre-order, left first: address order, shorter before longer.
  const stack: Node<T>[] = [start];
  while (stack.length > 0) {
    const n = stack.pop() as Node<T>;
    if (n.entry) yield n.entry;
    if (n.right) stack.push(n.right);
    if (n.left) stack.push(n.left);
  }
}
