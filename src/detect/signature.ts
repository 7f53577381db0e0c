// Builds the narrowest description of a target's attack traffic from the rows of the current window:
// components are tried in turn (protocol, source ports, destination ports, TCP flags, fragment,
// packet length, source prefixes) and one is kept only while the whole signature still covers at
// least minCoverage of the target's packets. The components map onto FlowSpec types 3, 6, 5, 9, 12,
// 10 and 2 (RFC 8955 §4.2.2). Runs once per attack update, not per record, so it may allocate.

import type { Signature } from '../domain/attack.js';
import { uint32ToIpv4String, wordsToIpString } from '../net/index.js';
import { type Column, grownColumn } from './columns.js';
import type { RowStore } from './rows.js';
import { addContribution } from './counters.js';
import { METRIC_COUNT } from './metrics.js';
import { FRAG_LATER } from '../flow/batch.js';

export type RowColumn = 'inHost' | 'inPrefix' | 'inGroup' | 'outHost' | 'outPrefix' | 'outGroup';

export interface SignatureOptions {
  readonly minCoverage: number;
  readonly maxPorts: number;
  readonly maxSourcePrefixes: number;
  /** Most rows the signature reads; past it, a random sample of about that many (default: all). */
  readonly maxRows?: number;
}

export interface TrafficProfile {
  readonly signature: Signature;
  /** Distinct destination (incoming) or source (outgoing) hosts seen in the rows. */
  readonly hosts: number;
  /** Share of packets of the busiest host. */
  readonly topHostShare: number;
  /** Exporter index carrying the most packets. */
  readonly topExporter: number;
  /** Packets and bytes of the rows described, per exporter index. */
  readonly byExporter: ReadonlyMap<number, { packets: number; bytes: number }>;
  /** Full metric vector (METRIC_COUNT columns) of the rows described, for classification. */
  readonly mix: Float64Array;
  /** Share of packets going to hosts that have attacks of their own. */
  readonly attackedShare: number;
  /** Index of one row of the busiest host, to name it. */
  readonly topHostRow: { readonly store: RowStore; readonly row: number } | undefined;
  /** Rows the signature was built from (all of the target's, or the sample past maxRows). */
  readonly rowsRead: number;
}

/**
 * The rows a profile reads, as dense columns (grown, reused across calls): each component below is a
 * pass over these with a counting array (or, for hosts and source prefixes, a Map), not a closure call
 * and a Map update per row per component.
 */
class Sel {
  n = 0;
  cap = 0;
  /** Store index (into the profile's stores) and row of each selected row. */
  store = new Uint16Array(0);
  row = new Int32Array(0);
  w = new Float64Array(0);
  keep = new Uint8Array(0);
  proto = new Uint8Array(0);
  flags = new Uint8Array(0);
  frag = new Uint8Array(0);
  family = new Uint8Array(0);
  srcPort = new Uint16Array(0);
  dstPort = new Uint16Array(0);
  size = new Uint16Array(0);
  src0 = new Uint32Array(0);
  src1 = new Uint32Array(0);
  dstLow = new Uint32Array(0);
  host = new Int32Array(0);
  exporter = new Uint32Array(0);

  /** Empty, with room for `rows` (more are made as they come). */
  reset(rows: number): void {
    this.n = 0;
    while (this.cap < rows) this.grow();
  }

  /** Doubles the columns, keeping the n rows selected so far. */
  grow(): void {
    const c = Math.max(1024, this.cap * 2);
    const copy = <T extends Column>(old: T, kind: new (length: number) => T): T =>
      grownColumn(old, kind, c, this.n);
    this.store = copy(this.store, Uint16Array);
    this.row = copy(this.row, Int32Array);
    this.w = copy(this.w, Float64Array);
    this.keep = copy(this.keep, Uint8Array);
    this.proto = copy(this.proto, Uint8Array);
    this.flags = copy(this.flags, Uint8Array);
    this.frag = copy(this.frag, Uint8Array);
    this.family = copy(this.family, Uint8Array);
    this.srcPort = copy(this.srcPort, Uint16Array);
    this.dstPort = copy(this.dstPort, Uint16Array);
    this.size = copy(this.size, Uint16Array);
    this.src0 = copy(this.src0, Uint32Array);
    this.src1 = copy(this.src1, Uint32Array);
    this.dstLow = copy(this.dstLow, Uint32Array);
    this.host = copy(this.host, Int32Array);
    this.exporter = copy(this.exporter, Uint32Array);
    this.cap = c;
  }

  /** Shrinks back after a burst (a whole-window profile of a heavy attack should not pin its columns). */
  release(): void {
    if (this.cap <= 65_536) return;
    this.n = 0;
    this.cap = 0;
    this.grow();
  }
}

const sel = new Sel();
/** Counting arrays for keys below 2¹⁶, with the keys in order of first appearance (as a Map keeps them). */
const counts = new Float64Array(65_536);
const seenKeys = new Int32Array(65_536);

/**
 * Weight per key of the kept rows, heaviest first (ties in order of first appearance): for keys below
 * 2¹⁶ (`col`, with `skip` rows left out), the counting array.
 */
function topSmall(
  col: Uint8Array | Uint16Array | Uint32Array,
  skip?: (i: number) => boolean,
): [number, number][] {
  let distinct = 0;
  const keep = sel.keep;
  const w = sel.w;
  for (let i = 0; i < sel.n; i++) {
    if (keep[i] === 0 || (skip !== undefined && skip(i))) continue;
    const k = col[i] as number;
    if (counts[k] === 0) seenKeys[distinct++] = k;
    counts[k] = (counts[k] as number) + (w[i] as number);
  }
  const out: [number, number][] = new Array(distinct);
  for (let j = 0; j < distinct; j++) {
    const k = seenKeys[j] as number;
    out[j] = [k, counts[k] as number];
    counts[k] = 0;
  }
  return out.sort((a, b) => b[1] - a[1]);
}

/** As topSmall, for keys of any size (a Map). */
function topAny(key: (i: number) => number): [number, number][] {
  const m = new Map<number, number>();
  const keep = sel.keep;
  const w = sel.w;
  for (let i = 0; i < sel.n; i++) {
    if (keep[i] === 0) continue;
    const k = key(i);
    m.set(k, (m.get(k) ?? 0) + (w[i] as number));
  }
  return [...m.entries()].sort((a, b) => b[1] - a[1]);
}

/** Weight kept if the predicate is added. */
function coverageWith(pred: (i: number) => boolean): number {
  let c = 0;
  for (let i = 0; i < sel.n; i++) if (sel.keep[i] !== 0 && pred(i)) c += sel.w[i] as number;
  return c;
}

function narrow(pred: (i: number) => boolean): void {
  for (let i = 0; i < sel.n; i++) if (sel.keep[i] !== 0 && !pred(i)) sel.keep[i] = 0;
}

/** Rows of target `id` in `column` with packets, in buckets from fromEpoch on. */
function countRows(stores: readonly RowStore[], column: RowColumn, id: number, fromEpoch: number): number {
  let n = 0;
  for (const st of stores) {
    if (st.length === 0 || st.epoch < fromEpoch) continue;
    const col = st[column];
    const pkts = st.pkts;
    for (let r = 0; r < st.length; r++) if (col[r] === id && (pkts[r] as number) > 0) n++;
  }
  return n;
}

/** A well-mixed 32-bit hash of a row's position (murmur3's finaliser): the sample's coin. */
function mixHash(x: number): number {
  let h = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A listed port or prefix must carry at least this share of the target's packets. */
const MIN_KEY_SHARE = 0.05;

/** Smallest set of the top keys (at most max, each weighing at least minWeight) reaching `need`, or undefined. */
function smallestCover(
  top: [number, number][],
  need: number,
  max: number,
  minWeight = 0,
): number[] | undefined {
  let acc = 0;
  const out: number[] = [];
  for (const [k, w] of top) {
    if (out.length >= max || w < minWeight) return undefined;
    out.push(k);
    acc += w;
    if (acc >= need) return out.sort((a, b) => a - b);
  }
  return undefined;
}

/**
 * Profile of target `id` from the rows of buckets with epoch ≥ fromEpoch (the detector passes the
 * buckets since the attack began, so the signature describes the attack rather than the benign rest of
 * the window). `attacked` tells which hosts have attacks of their own (prefix and group targets).
 */
export function buildProfile(
  stores: readonly RowStore[],
  column: RowColumn,
  id: number,
  opts: SignatureOptions,
  fromEpoch = Number.NEGATIVE_INFINITY,
  attacked?: (hostId: number) => boolean,
): TrafficProfile {
  const mix = new Float64Array(METRIC_COUNT);
  // packets and bytes by exporter index (dense small integers: arrays, not a Map lookup per row)
  const exPackets: number[] = [];
  const exBytes: number[] = [];
  /** Exporter indices in the order they first appear (the order byExporter keeps). */
  const exOrder: number[] = [];
  // A heavy attack keeps hundreds of thousands of rows a second, and each component below scans the
  // selection again: past maxRows, the profile is built from a random sample of about
  // maxRows of the target's rows (a hash of the row's position, so no period in the traffic lines up
  // with it). Everything it reports is a share (the mix is classified by ratios, node shares are
  // normalised), so the sample's own total is its base.
  const rowsOf = countRows(stores, column, id, fromEpoch);
  const keepOne = Math.max(1, Math.ceil(rowsOf / (opts.maxRows ?? Infinity)));
  const cut = Math.floor(0x100000000 / keepOne);
  sel.reset(Math.min(rowsOf, Math.ceil(rowsOf / keepOne) + 1024));
  const outgoing = column.startsWith('out');
  const hostCol = outgoing ? 'outHost' : 'inHost';
  let total = 0;
  let seen = 0;
  for (let si = 0; si < stores.length; si++) {
    const st = stores[si] as RowStore;
    if (st.length === 0 || st.epoch < fromEpoch) continue;
    const col = st[column];
    const hosts = st[hostCol];
    for (let r = 0; r < st.length; r++) {
      if (col[r] !== id) continue;
      const w = st.pkts[r] as number;
      if (!(w > 0)) continue;
      // (the first row always, so that a target with packets never has an empty sample)
      if (keepOne === 1 || seen === 0 || mixHash(seen) < cut) {
        total += w;
        if (sel.n === sel.cap) sel.grow();
        const i = sel.n++;
        sel.store[i] = si;
        sel.row[i] = r;
        sel.w[i] = w;
        sel.keep[i] = 1;
        sel.proto[i] = st.proto[r] as number;
        sel.flags[i] = st.flags[r] as number;
        sel.frag[i] = st.frag[r] as number;
        sel.family[i] = st.family[r] as number;
        sel.srcPort[i] = st.srcPort[r] as number;
        sel.dstPort[i] = st.dstPort[r] as number;
        sel.size[i] = st.size[r] as number;
        sel.src0[i] = st.src0[r] as number;
        sel.src1[i] = st.src1[r] as number;
        sel.dstLow[i] = st.dstLow[r] as number;
        sel.host[i] = hosts[r] as number;
        sel.exporter[i] = st.exporter[r] as number;
        addContribution(mix, 0, METRIC_COUNT, st, r, 1);
        const ex = st.exporter[r] as number;
        if (exPackets[ex] === undefined) exOrder.push(ex);
        exPackets[ex] = (exPackets[ex] ?? 0) + w;
        exBytes[ex] = (exBytes[ex] ?? 0) + (st.bytes[r] as number);
      }
      seen++;
    }
  }
  const byExporter = new Map<number, { packets: number; bytes: number }>();
  for (const ex of exOrder) byExporter.set(ex, { packets: exPackets[ex] ?? 0, bytes: exBytes[ex] ?? 0 });
  const need = total * opts.minCoverage;
  const sig: { -readonly [K in keyof Signature]: Signature[K] } = { coverage: total > 0 ? 1 : 0 };
  if (total === 0)
    return {
      signature: sig,
      hosts: 0,
      topHostShare: 0,
      topExporter: 0,
      byExporter,
      attackedShare: 0,
      topHostRow: undefined,
      mix,
      rowsRead: 0,
    };

  // Host spread and the dominant exporter are measured on all of the target's rows read (the sample past maxRows).
  // (a host target's rows are all its own: one host, no pass needed)
  const hostTarget = column === hostCol;
  const hostTop = hostTarget
    ? [[0, total] as [number, number]]
    : outgoing
      ? topAny((i) => (sel.src0[i] as number) ^ (sel.src1[i] as number))
      : topAny((i) => sel.dstLow[i] as number);
  const byHostId = hostTarget ? [[id, total] as [number, number]] : topAny((i) => sel.host[i] as number);
  const topHostId = byHostId[0]?.[0];
  let topHostRow: TrafficProfile['topHostRow'];
  for (let i = 0; i < sel.n && topHostId !== undefined; i++) {
    if (sel.host[i] === topHostId) {
      topHostRow = { store: stores[sel.store[i] as number] as RowStore, row: sel.row[i] as number };
      break;
    }
  }
  // the busiest exporter (the first to appear among equals)
  let topExporter = 0;
  let topExporterW = -1;
  for (const ex of exOrder)
    if ((exPackets[ex] as number) > topExporterW) {
      topExporter = ex;
      topExporterW = exPackets[ex] as number;
    }
  let attackedW = 0;
  if (attacked) for (const [h, w] of byHostId) if (h >= 0 && attacked(h)) attackedW += w;

  const protos = smallestCover(topSmall(sel.proto), need, 3);
  if (protos) {
    const set = new Set(protos);
    narrow((i) => set.has(sel.proto[i] as number));
    sig.protocols = protos;
  }
  const ported = protos !== undefined && protos.every((p) => p === 6 || p === 17 || p === 132);
  if (ported) {
    // Non-first fragments carry no ports (RFC 8955 §4.2.2: port components never match them).
    const later = (i: number) => ((sel.frag[i] as number) & FRAG_LATER) !== 0;
    for (const col of [sel.srcPort, sel.dstPort]) {
      const ports = smallestCover(topSmall(col, later), need, opts.maxPorts, total * MIN_KEY_SHARE);
      if (!ports) continue;
      const set = new Set(ports);
      if (coverageWith((i) => set.has(col[i] as number)) < need) continue;
      narrow((i) => set.has(col[i] as number));
      if (col === sel.srcPort) sig.sourcePorts = ports;
      else sig.destinationPorts = ports;
    }
  }
  if (protos?.length === 1 && protos[0] === 6) {
    const flags = topSmall(sel.flags)[0]?.[0];
    if (flags !== undefined && flags !== 0) {
      const has = (i: number) => ((sel.flags[i] as number) & flags) === flags;
      if (coverageWith(has) >= need) {
        narrow(has);
        sig.tcpFlags = flags;
      }
    }
  }
  const isFrag = (i: number) => (sel.frag[i] as number) !== 0;
  if (coverageWith(isFrag) >= need) {
    narrow(isFrag);
    sig.fragment = true;
  }
  // Packet length: the weighted 1st..99th percentile of the kept rows' average sizes.
  {
    const sizes = topSmall(sel.size).sort((a, b) => a[0] - b[0]);
    const kept = sizes.reduce((a, [, w]) => a + w, 0);
    let acc = 0;
    let lo: number | undefined;
    let hi: number | undefined;
    for (const [size, w] of sizes) {
      acc += w;
      if (lo === undefined && acc >= kept * 0.01) lo = size;
      if (hi === undefined && acc >= kept * 0.99) hi = size;
    }
    if (lo !== undefined && hi !== undefined) {
      const inRange = (i: number) => (sel.size[i] as number) >= lo && (sel.size[i] as number) <= hi;
      if (coverageWith(inRange) >= need) {
        narrow(inRange);
        sig.packetLength = { min: lo, max: hi };
      }
    }
  }
  // Dominant source prefixes (/24 for IPv4, /48 for IPv6): only when few cover the attack.
  if (opts.maxSourcePrefixes > 0) {
    const fam = topSmall(sel.family);
    if (fam.length === 1) {
      const v6 = fam[0]?.[0] === 6;
      const keyOf = (i: number) =>
        v6
          ? ((sel.src0[i] as number) >>> 0) * 65536 + ((sel.src1[i] as number) >>> 16)
          : (sel.src0[i] as number) >>> 8;
      const prefixes = smallestCover(topAny(keyOf), need, opts.maxSourcePrefixes, total * MIN_KEY_SHARE);
      if (prefixes) {
        const set = new Set(prefixes);
        narrow((i) => set.has(keyOf(i)));
        sig.sourcePrefixes = prefixes.map((k) => {
          if (!v6) return `${uint32ToIpv4String((k * 256) >>> 0)}/24`;
          const w = new Uint32Array([Math.floor(k / 65536), (k % 65536) * 65536, 0, 0]);
          return `${wordsToIpString(w, 0, 6)}/48`;
        });
      }
    }
  }
  let covered = 0;
  for (let i = 0; i < sel.n; i++) if (sel.keep[i] !== 0) covered += sel.w[i] as number;
  sig.coverage = Math.round((covered / total) * 1000) / 1000;
  const rowsRead = sel.n;
  sel.release();
  return {
    signature: sig,
    hosts: hostTop.length,
    topHostShare: (hostTop[0]?.[1] ?? 0) / total,
    topExporter,
    byExporter,
    attackedShare: attackedW / total,
    mix,
    topHostRow,
    rowsRead,
  };
}
