// Open-addressing hash table from an address key (family + four 32-bit words, the FlowBatch layout)
// to a stable entry id. Ids index the typed-array columns of the owner; they never move while the
// entry lives, so bucket rows and attacks can hold them. Linear probing with tombstones; the index is
// rebuilt when tombstones pile up. No allocation except when the table grows. Each index slot holds
// the id and the key's first word, so an IPv4 lookup is settled in the index without reading the keys
// (one cache miss per lookup instead of two).

const EMPTY = -1;
const TOMB = -2;

function hash(fam: number, w0: number, w1: number, w2: number, w3: number): number {
  let h = Math.imul(w0 ^ (fam << 24), 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15) ^ w1, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ w2, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16) ^ w3, 0x27d4eb2f);
  return (h ^ (h >>> 15)) >>> 0;
}

export class KeyTable {
  /** Entry columns: 4 key words and the family (0 = free id). */
  keys: Uint32Array;
  family: Uint8Array;
  capacity: number;
  size = 0;
  /** Slot pairs: id (EMPTY, TOMB) and the key's first word (as int32). */
  private index: Int32Array;
  private mask: number;
  private tombstones = 0;
  private free: Int32Array;
  private freeCount = 0;
  private nextId = 0;

  constructor(
    initialCapacity: number,
    readonly maxEntries: number,
    /** Called after the entry capacity grew, so the owner grows its columns. */
    private readonly onGrow: (capacity: number) => void = () => undefined,
  ) {
    this.capacity = Math.max(16, Math.min(initialCapacity, maxEntries));
    this.keys = new Uint32Array(this.capacity * 4);
    this.family = new Uint8Array(this.capacity);
    this.free = new Int32Array(this.capacity);
    const isz = indexSizeFor(this.capacity);
    this.index = new Int32Array(isz * 2).fill(EMPTY);
    this.mask = isz - 1;
  }

  find(fam: number, words: Uint32Array, off: number): number {
    const w0 = words[off] as number;
    const w1 = fam === 4 ? 0 : (words[off + 1] as number);
    const w2 = fam === 4 ? 0 : (words[off + 2] as number);
    const w3 = fam === 4 ? 0 : (words[off + 3] as number);
    return this.findWords(fam, w0, w1, w2, w3);
  }

  findWords(fam: number, w0: number, w1: number, w2: number, w3: number): number {
    const idx = this.index;
    const tag = w0 | 0;
    // an IPv4 key is its first word (the others are zero): the slot's word and the family settle it
    const v4 = fam === 4 && (w1 | w2 | w3) === 0;
    let p = hash(fam, w0, w1, w2, w3) & this.mask;
    for (;;) {
      const id = idx[2 * p] as number;
      if (id === EMPTY) return -1;
      if (id >= 0 && idx[2 * p + 1] === tag) {
        if (v4 ? this.family[id] === 4 : this.matches(id, fam, w0, w1, w2, w3)) return id;
      }
      p = (p + 1) & this.mask;
    }
  }

  /** Inserts a key known to be absent; returns its id, or -1 when the table is at maxEntries. */
  insertWords(fam: number, w0: number, w1: number, w2: number, w3: number): number {
    // an IPv4 key is its first word alone (find ignores the others; findWords relies on them being zero)
    if (fam === 4) w1 = w2 = w3 = 0;
    let id: number;
    if (this.freeCount > 0) id = this.free[--this.freeCount] as number;
    else {
      if (this.nextId >= this.capacity && !this.grow()) return -1;
      id = this.nextId++;
    }
    const k = id * 4;
    this.keys[k] = w0;
    this.keys[k + 1] = w1;
    this.keys[k + 2] = w2;
    this.keys[k + 3] = w3;
    this.family[id] = fam;
    this.size++;
    if ((this.size + this.tombstones) * 4 > this.index.length) this.rebuild(indexSizeFor(this.capacity));
    let p = hash(fam, w0, w1, w2, w3) & this.mask;
    while ((this.index[2 * p] as number) >= 0) p = (p + 1) & this.mask;
    if (this.index[2 * p] === TOMB) this.tombstones--;
    this.index[2 * p] = id;
    this.index[2 * p + 1] = w0 | 0;
    return id;
  }

  remove(id: number): void {
    const fam = this.family[id] as number;
    if (fam === 0) return;
    const k = id * 4;
    const w0 = this.keys[k] as number,
      w1 = this.keys[k + 1] as number,
      w2 = this.keys[k + 2] as number,
      w3 = this.keys[k + 3] as number;
    let p = hash(fam, w0, w1, w2, w3) & this.mask;
    while (this.index[2 * p] !== id) p = (p + 1) & this.mask;
    this.index[2 * p] = TOMB;
    this.tombstones++;
    this.family[id] = 0;
    this.free[this.freeCount++] = id;
    this.size--;
  }

  /** Highest id ever handed out + 1: iterate 0..idLimit and skip family 0. */
  get idLimit(): number {
    return this.nextId;
  }

  private matches(id: number, fam: number, w0: number, w1: number, w2: number, w3: number): boolean {
    const k = id * 4;
    const keys = this.keys;
    return (
      this.family[id] === fam &&
      keys[k] === w0 &&
      keys[k + 1] === w1 &&
      keys[k + 2] === w2 &&
      keys[k + 3] === w3
    );
  }

  private grow(): boolean {
    if (this.capacity >= this.maxEntries) return false;
    const cap = Math.min(this.maxEntries, this.capacity * 2);
    const keys = new Uint32Array(cap * 4);
    keys.set(this.keys);
    const family = new Uint8Array(cap);
    family.set(this.family);
    const free = new Int32Array(cap);
    free.set(this.free.subarray(0, this.freeCount));
    this.keys = keys;
    this.family = family;
    this.free = free;
    this.capacity = cap;
    this.onGrow(cap);
    this.rebuild(indexSizeFor(cap));
    return true;
  }

  private rebuild(size: number): void {
    const idx = new Int32Array(size * 2).fill(EMPTY);
    const mask = size - 1;
    const keys = this.keys;
    for (let id = 0; id < this.nextId; id++) {
      const fam = this.family[id] as number;
      if (fam === 0) continue;
      const k = id * 4;
      let p =
        hash(fam, keys[k] as number, keys[k + 1] as number, keys[k + 2] as number, keys[k + 3] as number) &
        mask;
      while (idx[2 * p] !== EMPTY) p = (p + 1) & mask;
      idx[2 * p] = id;
      idx[2 * p + 1] = (keys[k] as number) | 0;
    }
    this.index = idx;
    this.mask = mask;
    this.tombstones = 0;
  }
}

function indexSizeFor(capacity: number): number {
  let n = 32;
  while (n < capacity * 2) n *= 2;
  return n;
}
