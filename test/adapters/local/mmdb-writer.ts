// Minimal MaxMind DB (format 2.0) writer for tests: an IPv6 (or IPv4) tree with 24-bit records, IPv4
// networks under ::/96, records {country: {iso_code}} or {country_code}, a shared string reached through a
// pointer, and a metadata map using extended types (uint64, array). Enough to exercise a reader end to end.
import { parsePrefix } from '../../../src/net/prefix.js';

type Child = { kind: 'node'; idx: number } | { kind: 'empty' } | { kind: 'data'; off: number };

const ctrl = (type: number, size: number): number[] => (type <= 7 ? [(type << 5) | size] : [size, type - 7]); // extended: type byte after the control byte

function str(s: string): number[] {
  const b = [...Buffer.from(s, 'utf8')];
  if (b.length >= 29) throw new Error('test writer: short strings only');
  return [...ctrl(2, b.length), ...b];
}
function uint(type: 5 | 6 | 9, v: number): number[] {
  const bytes: number[] = [];
  for (let x = v; x > 0; x = Math.floor(x / 256)) bytes.unshift(x % 256);
  return [...ctrl(type, bytes.length), ...bytes];
}
const map = (pairs: number): number[] => ctrl(7, pairs);
const pointer = (p: number): number[] => [(1 << 5) | (0 << 3) | ((p >> 8) & 7), p & 0xff];

export function writeMmdb(
  rows: readonly (readonly [string, string])[],
  opts: { ipVersion?: 4 | 6; flat?: boolean } = {},
): Uint8Array {
  const ipVersion = opts.ipVersion ?? 6;
  const bits = ipVersion === 4 ? 32 : 128;
  const nodes: [Child, Child][] = [[{ kind: 'empty' }, { kind: 'empty' }]];
  const data: number[] = [];
  // shared string "iso_code" at offset 0, referenced by pointer from every record
  const isoKeyOff = data.length;
  data.push(...str('iso_code'));
  const recordFor = new Map<string, number>();
  for (const [cidr, cc] of rows) {
    let off = recordFor.get(cc);
    if (off === undefined) {
      off = data.length;
      if (opts.flat) data.push(...map(1), ...str('country_code'), ...str(cc));
      else data.push(...map(1), ...str('country'), ...map(1), ...pointer(isoKeyOff), ...str(cc));
      recordFor.set(cc, off);
    }
    const p = parsePrefix(cidr);
    const bytes = new Uint8Array(bits / 8);
    const shift = p.family === 4 && bits === 128 ? 96 : 0;
    bytes.set(p.bytes, shift / 8);
    const len = p.length + shift;
    let node = 0;
    for (let d = 0; d < len; d++) {
      const bit = (bytes[d >> 3]! >> (7 - (d & 7))) & 1;
      if (d === len - 1) {
        nodes[node]![bit] = { kind: 'data', off };
        break;
      }
      const c = nodes[node]![bit]!;
      if (c.kind === 'node') node = c.idx;
      else {
        nodes.push([{ kind: 'empty' }, { kind: 'empty' }]);
        nodes[node]![bit] = { kind: 'node', idx: nodes.length - 1 };
        node = nodes.length - 1;
      }
    }
  }
  const n = nodes.length;
  const tree: number[] = [];
  for (const pair of nodes) {
    for (const c of pair) {
      const v = c.kind === 'node' ? c.idx : c.kind === 'empty' ? n : n + 16 + c.off;
      tree.push((v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff);
    }
  }
  const meta = [
    ...map(7),
    ...str('node_count'),
    ...uint(6, n),
    ...str('record_size'),
    ...uint(5, 24),
    ...str('ip_version'),
    ...uint(5, ipVersion),
    ...str('database_type'),
    ...str('Test-Country'),
    ...str('binary_format_major_version'),
    ...uint(5, 2),
    ...str('build_epoch'),
    ...uint(9, 1_795_000_000),
    ...str('languages'),
    ...ctrl(11, 1),
    ...str('en'),
  ];
  return Uint8Array.from([
    ...tree,
    ...new Array(16).fill(0),
    ...data,
    0xab,
    0xcd,
    0xef,
    ...Buffer.from('MaxMind.com'),
    ...meta,
  ]);
}
