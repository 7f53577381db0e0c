// MaxMind DB (MMDB, format 2.0, https://maxmind.github.io/MaxMind-DB/) reader for geo lockdown: walks the
// binary search tree and decodes the data section just enough to enumerate (network, country) pairs.
// Works with GeoLite2/GeoIP2 Country ({country: {iso_code}}) and ip-location-db ({country_code}) files.
// Every offset is bounds-checked: a corrupt or hostile file gives a GeoIpError, never a crash or a hang.
import { readFileSync } from 'node:fs';
import { formatIp } from '../../net/address.js';
import { GeoIpError, type GeoIpReader } from './geoip.js';

const MARKER = Buffer.from([0xab, 0xcd, 0xef, ...Buffer.from('MaxMind.com')]);
const MAX_METADATA = 128 * 1024;

export interface MmdbMetadata {
  readonly nodeCount: number;
  readonly recordSize: 24 | 28 | 32;
  readonly ipVersion: 4 | 6;
  readonly databaseType: string;
  readonly majorVersion: number;
}

type Value = string | number | bigint | boolean | Uint8Array | Value[] | { [k: string]: Value } | null;

/** Data-section decoder (spec "Output Data Section"): control byte, extended types, sizes, pointers. */
class Decoder {
  constructor(
    private readonly buf: Uint8Array,
    /** Absolute offset pointers are relative to (start of data section or of metadata). */
    private readonly base: number,
    private readonly end: number,
  ) {}

  private byte(at: number): number {
    if (at < 0 || at >= this.end) throw new GeoIpError(`MMDB: read past the data section at ${at}`);
    return this.buf[at]!;
  }

  private uint(at: number, n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + this.byte(at + i);
    return v;
  }

  /** Decodes the value at absolute offset `at`; returns it and the offset after it. */
  decode(at: number, depth = 0): [Value, number] {
    if (depth > 32) throw new GeoIpError('MMDB: data nested deeper than 32 levels');
    const ctrl = this.byte(at++);
    let type = ctrl >> 5;
    if (type === 1) {
      // Pointer: 1+ss bytes, value relative to the section base (spec "Pointer - 1").
      const ss = (ctrl >> 3) & 3;
      const vvv = ctrl & 7;
      let p: number;
      if (ss === 0) p = vvv * 256 + this.uint(at, 1);
      else if (ss === 1) p = vvv * 65536 + this.uint(at, 2) + 2048;
      else if (ss === 2) p = vvv * 16777216 + this.uint(at, 3) + 526336;
      else p = this.uint(at, 4);
      const next = at + ss + 1;
      const target = this.base + p;
      if (this.byte(target) >> 5 === 1) throw new GeoIpError('MMDB: pointer to a pointer');
      return [this.decode(target, depth + 1)[0], next];
    }
    if (type === 0) type = 7 + this.byte(at++);
    let size = ctrl & 0x1f;
    if (type !== 14) {
      if (size === 29) size = 29 + this.uint(at++, 1);
      else if (size === 30) {
        size = 285 + this.uint(at, 2);
        at += 2;
      } else if (size === 31) {
        size = 65821 + this.uint(at, 3);
        at += 3;
      }
    }
    const need = (n: number) => {
      if (at + n > this.end) throw new GeoIpError(`MMDB: value of ${n} bytes runs past the section`);
    };
    switch (type) {
      case 2:
        need(size);
        return [Buffer.from(this.buf.subarray(at, at + size)).toString('utf8'), at + size];
      case 3:
        need(8);
        return [Buffer.from(this.buf.subarray(at, at + 8)).readDoubleBE(0), at + 8];
      case 4:
        need(size);
        return [this.buf.subarray(at, at + size), at + size];
      case 5:
      case 6:
      case 9:
      case 10: {
        need(size);
        let v = 0n;
        for (let i = 0; i < size; i++) v = (v << 8n) | BigInt(this.buf[at + i]!);
        return [v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v, at + size];
      }
      case 8: {
        need(size);
        let v = 0;
        for (let i = 0; i < size; i++) v = v * 256 + this.buf[at + i]!;
        return [size === 4 ? v | 0 : v, at + size];
      }
      case 7: {
        const out: { [k: string]: Value } = {};
        for (let i = 0; i < size; i++) {
          const [k, a] = this.decode(at, depth + 1);
          if (typeof k !== 'string') throw new GeoIpError('MMDB: map key is not a string');
          const [v, b] = this.decode(a, depth + 1);
          out[k] = v;
          at = b;
        }
        return [out, at];
      }
      case 11: {
        const out: Value[] = [];
        for (let i = 0; i < size; i++) {
          const [v, b] = this.decode(at, depth + 1);
          out.push(v);
          at = b;
        }
        return [out, at];
      }
      case 14:
        return [size !== 0, at];
      case 15:
        need(4);
        return [Buffer.from(this.buf.subarray(at, at + 4)).readFloatBE(0), at + 4];
      default:
        throw new GeoIpError(`MMDB: unknown data type ${type}`);
    }
  }
}

function lastIndexOf(buf: Uint8Array, needle: Uint8Array): number {
  const from = Math.max(0, buf.length - MAX_METADATA - needle.length);
  outer: for (let i = buf.length - needle.length; i >= from; i--) {
    for (let j = 0; j < needle.length; j++) if (buf[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** The country code of a record: GeoIP2/GeoLite2 shape first, then the flat ip-location-db shape. */
function countryOf(v: Value): string | undefined {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Uint8Array) return undefined;
  const c = v.country;
  if (c && typeof c === 'object' && !Array.isArray(c) && !(c instanceof Uint8Array)) {
    const iso = c.iso_code;
    if (typeof iso === 'string') return iso;
  }
  return typeof v.country_code === 'string' ? v.country_code : undefined;
}

export class MmdbReader implements GeoIpReader {
  readonly metadata: MmdbMetadata;
  private readonly treeSize: number;
  private readonly data: Decoder;
  private readonly dataStart: number;
  private readonly countries = new Map<number, string | undefined>();

  constructor(private readonly buf: Uint8Array) {
    const m = lastIndexOf(buf, MARKER);
    if (m < 0) throw new GeoIpError('MMDB: metadata marker not found (not a MaxMind DB file)');
    const metaStart = m + MARKER.length;
    const [meta] = new Decoder(buf, metaStart, buf.length).decode(metaStart);
    const o = meta as { [k: string]: Value };
    const nodeCount = o?.node_count;
    const recordSize = o?.record_size;
    const ipVersion = o?.ip_version;
    const major = o?.binary_format_major_version;
    if (
      typeof nodeCount !== 'number' ||
      (recordSize !== 24 && recordSize !== 28 && recordSize !== 32) ||
      (ipVersion !== 4 && ipVersion !== 6)
    ) {
      throw new GeoIpError('MMDB: metadata lacks node_count, record_size 24/28/32 or ip_version 4/6');
    }
    if (major !== 2) throw new GeoIpError(`MMDB: binary format major version ${String(major)} is not 2`);
    this.metadata = {
      nodeCount,
      recordSize,
      ipVersion,
      databaseType: String(o.database_type ?? ''),
      majorVersion: major,
    };
    this.treeSize = (nodeCount * recordSize * 2) / 8;
    // 16 zero bytes separate the tree from the data section.
    this.dataStart = this.treeSize + 16;
    if (this.dataStart > m) throw new GeoIpError('MMDB: search tree larger than the file');
    this.data = new Decoder(buf, this.dataStart, m);
  }

  static open(path: string): MmdbReader {
    return new MmdbReader(readFileSync(path));
  }

  /** Left (bit 0) or right (bit 1) record of a node (spec "Search Tree Section"). */
  private record(node: number, bit: 0 | 1): number {
    const b = this.buf;
    const rs = this.metadata.recordSize;
    const at = (node * rs * 2) / 8;
    if (at + (rs * 2) / 8 > this.treeSize) throw new GeoIpError(`MMDB: node ${node} outside the tree`);
    if (rs === 24) {
      const o = at + bit * 3;
      return b[o]! * 65536 + b[o + 1]! * 256 + b[o + 2]!;
    }
    if (rs === 28) {
      if (bit === 0)
        return ((b[at + 3]! & 0xf0) >> 4) * 16777216 + b[at]! * 65536 + b[at + 1]! * 256 + b[at + 2]!;
      return (b[at + 3]! & 0x0f) * 16777216 + b[at + 4]! * 65536 + b[at + 5]! * 256 + b[at + 6]!;
    }
    const o = at + bit * 4;
    return b[o]! * 16777216 + b[o + 1]! * 65536 + b[o + 2]! * 256 + b[o + 3]!;
  }

  private country(record: number): string | undefined {
    const off = this.dataStart + (record - this.metadata.nodeCount) - 16;
    if (this.countries.has(off)) return this.countries.get(off);
    const c = countryOf(this.data.decode(off)[0]);
    this.countries.set(off, c);
    return c;
  }

  forEachNetwork(visit: (network: string, country: string | undefined) => void): void {
    const n = this.metadata.nodeCount;
    const bits = this.metadata.ipVersion === 4 ? 32 : 128;
    const stack: { node: number; depth: number; addr: Uint8Array }[] = [
      { node: 0, depth: 0, addr: new Uint8Array(bits / 8) },
    ];
    let steps = 0;
    while (stack.length > 0) {
      const { node, depth, addr } = stack.pop()!;
      for (const bit of [1, 0] as const) {
        if (++steps > 8 * n + 16)
          throw new GeoIpError('MMDB: search tree walk does not terminate (corrupt file)');
        const child = addr.slice();
        if (bit) child[depth >> 3]! |= 0x80 >> (depth & 7);
        const rec = this.record(node, bit);
        if (rec === n) continue; // no data for this network
        if (rec < n) {
          if (depth + 1 >= bits) throw new GeoIpError('MMDB: tree deeper than the address');
          stack.push({ node: rec, depth: depth + 1, addr: child });
          continue;
        }
        const text = formatIp({ family: bits === 32 ? 4 : 6, bytes: child });
        visit(`${text}/${depth + 1}`, this.country(rec));
      }
    }
  }
}
