// Builds the narrowest description of a target's attack traffic from the rows of the current window:
// components are tried in turn (protocol, source ports, destination ports, TCP flags, fragment,
// packet length, source prefixes) and one is kept only while the whole signature still covers at
// least minCoverage of the target's packets. The components map onto FlowSpec types 3, 6, 5, 9, 12,
// 10 and 2 (RFC 8955 §4.2.2). Runs once per attack update, not per record, so it may allocate.

import type { Signature } from '../domain/attack.js';
import { uint32ToIpv4String, wordsToIpString } from '../net/index.js';
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

interface Sel {
  stores: RowStore[];
  rows: number[];
  w: number[];
  keep: boolean[];
}

function topKeys(sel: Sel, key: (s: RowStore, r: number) => number | undefined): [number, number][] {
  const m = new Map<number, number>();
  for (let i = 0; i < sel.rows.length; i++) {
    if (!sel.keep[i]) continue;
    const k = key(sel.stores[i] as RowStore, sel.rows[i] as number);
    if (k === undefined) continue;
    m.set(k, (m.get(k) ?? 0) + (sel.w[i] as number));
  }
  return [...m.entries()].sort((a, b) => b[1] - a[1]);
}

/** Weight kept if the predicate is added. */
function coverageWith(sel: Sel, pred: (s: RowStore, r: number) => boolean): number {
  let c = 0;
  for (let i = 0; i < sel.rows.length; i++)
    if (sel.keep[i] && pred(sel.stores[i] as RowStore, sel.rows[i] as number)) c += sel.w[i] as number;
  return c;
}

function narrow(sel: Sel, pred: (s: RowStore, r: number) => boolean): void {
  for (let i = 0; i < sel.rows.length; i++)
    if (sel.keep[i] && !pred(sel.stores[i] as RowStore, sel.rows[i] as number)) sel.keep[i] = false;
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
  const sel: Sel = { stores: [], rows: [], w: [], keep: [] };
  const mix = new Float64Array(METRIC_COUNT);
  // packets and bytes by exporter index (dense small integers: arrays, not a Map lookup per row)
  const exPackets: number[] = [];
  const exBytes: number[] = [];
  /** Exporter indices in the order they first appear (the order byExporter keeps). */
  const exOrder: number[] = [];
  // A heavy attack keeps hundreds of thousands of rows a second, and each component below scans the
  // selection again (with a Map): past maxRows, the profile is built from a random sample of about
  // maxRows of the target's rows (a hash of the row's position, so no period in the traffic lines up
  // with it). Everything it reports is a share (the mix is classified by ratios, node shares are
  // normalised), so the sample's own total is its base.
  const rowsOf = countRows(stores, column, id, fromEpoch);
  const keepOne = Math.max(1, Math.ceil(rowsOf / (opts.maxRows ?? Infinity)));
  const cut = Math.floor(0x100000000 / keepOne);
  let total = 0;
  let seen = 0;
  for (const st of stores) {
    if (st.length === 0 || st.epoch < fromEpoch) continue;
    const col = st[column];
    for (let r = 0; r < st.length; r++) {
      if (col[r] !== id) continue;
      const w = st.pkts[r] as number;
      if (!(w > 0)) continue;
      // (the first row always, so that a target with packets never has an empty sample)
      if (keepOne === 1 || seen === 0 || mixHash(seen) < cut) {
        total += w;
        sel.stores.push(st);
        sel.rows.push(r);
        sel.w.push(w);
        sel.keep.push(true);
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
  const outgoing = column.startsWith('out');
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
  const hostCol = outgoing ? 'outHost' : 'inHost';
  const hostTop = topKeys(sel, (s, r) =>
    outgoing ? (s.src0[r] as number) ^ (s.src1[r] as number) : s.dstLow[r],
  );
  const byHostId = topKeys(sel, (s, r) => s[hostCol][r]);
  const topHostId = byHostId[0]?.[0];
  let topHostRow: TrafficProfile['topHostRow'];
  for (let i = 0; i < sel.rows.length && topHostId !== undefined; i++) {
    const st = sel.stores[i] as RowStore;
    if (st[hostCol][sel.rows[i] as number] === topHostId) {
      topHostRow = { store: st, row: sel.rows[i] as number };
      break;
    }
  }
  const exporters = topKeys(sel, (s, r) => s.exporter[r]);
  let attackedW = 0;
  if (attacked) for (const [h, w] of byHostId) if (h >= 0 && attacked(h)) attackedW += w;

  const protos = smallestCover(
    topKeys(sel, (s, r) => s.proto[r]),
    need,
    3,
  );
  if (protos) {
    const set = new Set(protos);
    narrow(sel, (s, r) => set.has(s.proto[r] as number));
    sig.protocols = protos;
  }
  const ported = protos !== undefined && protos.every((p) => p === 6 || p === 17 || p === 132);
  if (ported) {
    for (const which of ['srcPort', 'dstPort'] as const) {
      // Non-first fragments carry no ports (RFC 8955 §4.2.2: port components never match them).
      const ports = smallestCover(
        topKeys(sel, (s, r) => ((s.frag[r] as number) & FRAG_LATER ? undefined : s[which][r])),
        need,
        opts.maxPorts,
        total * MIN_KEY_SHARE,
      );
      if (!ports) continue;
      const set = new Set(ports);
      if (coverageWith(sel, (s, r) => set.has(s[which][r] as number)) < need) continue;
      narrow(sel, (s, r) => set.has(s[which][r] as number));
      if (which === 'srcPort') sig.sourcePorts = ports;
      else sig.destinationPorts = ports;
    }
  }
  if (protos?.length === 1 && protos[0] === 6) {
    const flags = topKeys(sel, (s, r) => s.flags[r])[0]?.[0];
    if (flags !== undefined && flags !== 0) {
      const has = (s: RowStore, r: number) => ((s.flags[r] as number) & flags) === flags;
      if (coverageWith(sel, has) >= need) {
        narrow(sel, has);
        sig.tcpFlags = flags;
      }
    }
  }
  const isFrag = (s: RowStore, r: number) => (s.frag[r] as number) !== 0;
  if (coverageWith(sel, isFrag) >= need) {
    narrow(sel, isFrag);
    sig.fragment = true;
  }
  // Packet length: the weighted 1st..99th percentile of the kept rows' average sizes.
  {
    const sizes = topKeys(sel, (s, r) => s.size[r]).sort((a, b) => a[0] - b[0]);
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
      const inRange = (s: RowStore, r: number) => (s.size[r] as number) >= lo && (s.size[r] as number) <= hi;
      if (coverageWith(sel, inRange) >= need) {
        narrow(sel, inRange);
        sig.packetLength = { min: lo, max: hi };
      }
    }
  }
  // Dominant source prefixes (/24 for IPv4, /48 for IPv6): only when few cover the attack.
  if (opts.maxSourcePrefixes > 0) {
    const fam = topKeys(sel, (s, r) => s.family[r]);
    if (fam.length === 1) {
      const v6 = fam[0]?.[0] === 6;
      const keyOf = (s: RowStore, r: number) =>
        v6
          ? ((s.src0[r] as number) >>> 0) * 65536 + ((s.src1[r] as number) >>> 16)
          : (s.src0[r] as number) >>> 8;
      const prefixes = smallestCover(
        topKeys(sel, keyOf),
        need,
        opts.maxSourcePrefixes,
        total * MIN_KEY_SHARE,
      );
      if (prefixes) {
        const set = new Set(prefixes);
        narrow(sel, (s, r) => set.has(keyOf(s, r)));
        sig.sourcePrefixes = prefixes.map((k) => {
          if (!v6) return `${uint32ToIpv4String((k * 256) >>> 0)}/24`;
          const w = new Uint32Array([Math.floor(k / 65536), (k % 65536) * 65536, 0, 0]);
          return `${wordsToIpString(w, 0, 6)}/48`;
        });
      }
    }
  }
  let covered = 0;
  for (let i = 0; i < sel.rows.length; i++) if (sel.keep[i]) covered += sel.w[i] as number;
  sig.coverage = Math.round((covered / total) * 1000) / 1000;
  return {
    signature: sig,
    hosts: hostTop.length,
    topHostShare: (hostTop[0]?.[1] ?? 0) / total,
    topExporter: exporters[0]?.[0] ?? 0,
    byExporter,
    attackedShare: attackedW / total,
    mix,
    topHostRow,
    rowsRead: sel.rows.length,
  };
}
