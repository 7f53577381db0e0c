// Byte builders for hand-made NetFlow v5/v9, IPFIX and sFlow v5 vectors (tests, fuzz seeds, benchmarks).
import { parseIp } from '../../src/net/address.js';

export class W {
  private parts: number[] = [];
  u8(v: number): this {
    this.parts.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    return this.u8(v >>> 8).u8(v);
  }
  u32(v: number): this {
    return this.u16(Math.floor(v / 65536) & 0xffff).u16(v & 0xffff);
  }
  u64(v: number): this {
    return this.u32(Math.floor(v / 4294967296)).u32(v % 4294967296);
  }
  ip(text: string): this {
    return this.bytes(parseIp(text).bytes);
  }
  bytes(b: ArrayLike<number>): this {
    for (let i = 0; i < b.length; i++) this.parts.push(b[i]!);
    return this;
  }
  pad4(): this {
    while (this.parts.length % 4) this.parts.push(0);
    return this;
  }
  get length(): number {
    return this.parts.length;
  }
  build(): Buffer {
    return Buffer.from(this.parts);
  }
}

export const w = () => new W();

// ---- NetFlow v5 ----
export interface Nf5Rec {
  src: string;
  dst: string;
  inIf?: number;
  outIf?: number;
  pkts: number;
  bytes: number;
  first: number;
  last: number;
  sport: number;
  dport: number;
  flags?: number;
  proto: number;
  tos?: number;
  srcAs?: number;
  dstAs?: number;
}
export function nf5(
  h: { uptime: number; secs: number; nsecs?: number; seq: number; engine?: number; sampling?: number },
  recs: Nf5Rec[],
): Buffer {
  const b = w()
    .u16(5)
    .u16(recs.length)
    .u32(h.uptime)
    .u32(h.secs)
    .u32(h.nsecs ?? 0)
    .u32(h.seq)
    .u16(h.engine ?? 0)
    .u16(h.sampling ?? 0);
  for (const r of recs)
    b.ip(r.src)
      .ip(r.dst)
      .u32(0)
      .u16(r.inIf ?? 0)
      .u16(r.outIf ?? 0)
      .u32(r.pkts)
      .u32(r.bytes)
      .u32(r.first)
      .u32(r.last)
      .u16(r.sport)
      .u16(r.dport)
      .u8(0)
      .u8(r.flags ?? 0)
      .u8(r.proto)
      .u8(r.tos ?? 0)
      .u16(r.srcAs ?? 0)
      .u16(r.dstAs ?? 0)
      .u8(0)
      .u8(0)
      .u16(0);
  return b.build();
}

// ---- NetFlow v9 / IPFIX ----
/** [id, length, enterprise?] */
export type Spec = [number, number, number?];

export function set(id: number, body: Uint8Array, pad = true): Buffer {
  const b = w().u16(id);
  const len = 4 + body.length;
  const padded = pad ? Math.ceil(len / 4) * 4 : len;
  b.u16(padded).bytes(body);
  while (b.length < padded) b.u8(0);
  return b.build();
}

export function ipfixTemplate(id: number, fields: Spec[]): Buffer {
  const b = w().u16(id).u16(fields.length);
  for (const [fid, len, pen] of fields) {
    if (pen !== undefined)
      b.u16(fid | 0x8000)
        .u16(len)
        .u32(pen);
    else b.u16(fid).u16(len);
  }
  return b.build();
}

export function ipfixOptionsTemplate(id: number, scope: number, fields: Spec[]): Buffer {
  const b = w().u16(id).u16(fields.length).u16(scope);
  for (const [fid, len, pen] of fields) {
    if (pen !== undefined)
      b.u16(fid | 0x8000)
        .u16(len)
        .u32(pen);
    else b.u16(fid).u16(len);
  }
  return b.build();
}

export function ipfix(h: { exportSecs: number; seq: number; domain: number }, sets: Uint8Array[]): Buffer {
  const body = Buffer.concat(sets);
  return Buffer.concat([
    w()
      .u16(10)
      .u16(16 + body.length)
      .u32(h.exportSecs)
      .u32(h.seq)
      .u32(h.domain)
      .build(),
    body,
  ]);
}

export function v9Template(id: number, fields: Spec[]): Buffer {
  const b = w().u16(id).u16(fields.length);
  for (const [fid, len] of fields) b.u16(fid).u16(len);
  return b.build();
}

export function v9OptionsTemplate(id: number, scope: Spec[], fields: Spec[]): Buffer {
  const b = w()
    .u16(id)
    .u16(scope.length * 4)
    .u16(fields.length * 4);
  for (const [fid, len] of [...scope, ...fields]) b.u16(fid).u16(len);
  return b.build();
}

export function nf9(
  h: { uptime: number; secs: number; seq: number; sourceId: number; count?: number },
  sets: Uint8Array[],
): Buffer {
  return Buffer.concat([
    w()
      .u16(9)
      .u16(h.count ?? sets.length)
      .u32(h.uptime)
      .u32(h.secs)
      .u32(h.seq)
      .u32(h.sourceId)
      .build(),
    ...sets,
  ]);
}

// ---- sFlow v5 ----
export function sflow(
  h: { agent: string; subAgent?: number; seq: number; uptime?: number },
  samples: Uint8Array[],
): Buffer {
  const v6 = h.agent.includes(':');
  const b = w()
    .u32(5)
    .u32(v6 ? 2 : 1)
    .ip(h.agent)
    .u32(h.subAgent ?? 0)
    .u32(h.seq)
    .u32(h.uptime ?? 0)
    .u32(samples.length);
  return Buffer.concat([b.build(), ...samples]);
}

/** A sample or record: format (enterprise 0), length, body padded to 4. */
export function xdr(format: number, body: Uint8Array): Buffer {
  const b = w().bytes(body).pad4().build();
  return Buffer.concat([w().u32(format).u32(b.length).build(), b]);
}

export interface FlowSampleHead {
  seq?: number;
  sourceType?: number;
  sourceIndex?: number;
  rate: number;
  pool?: number;
  drops?: number;
  input?: number;
  output?: number;
}

export function flowSample(h: FlowSampleHead, records: Uint8Array[]): Buffer {
  const b = w()
    .u32(h.seq ?? 1)
    .u32(((h.sourceType ?? 0) << 24) | (h.sourceIndex ?? 1))
    .u32(h.rate)
    .u32(h.pool ?? 0)
    .u32(h.drops ?? 0)
    .u32(h.input ?? 0)
    .u32(h.output ?? 0)
    .u32(records.length);
  return xdr(1, Buffer.concat([b.build(), ...records]));
}

export function expandedFlowSample(h: FlowSampleHead, records: Uint8Array[]): Buffer {
  const b = w()
    .u32(h.seq ?? 1)
    .u32(h.sourceType ?? 0)
    .u32(h.sourceIndex ?? 1)
    .u32(h.rate)
    .u32(h.pool ?? 0)
    .u32(h.drops ?? 0)
    .u32(0)
    .u32(h.input ?? 0)
    .u32(0)
    .u32(h.output ?? 0)
    .u32(records.length);
  return xdr(3, Buffer.concat([b.build(), ...records]));
}

export function rawHeader(protocol: number, frameLength: number, header: Uint8Array, stripped = 4): Buffer {
  return xdr(
    1,
    w().u32(protocol).u32(frameLength).u32(stripped).u32(header.length).bytes(header).pad4().build(),
  );
}

export function sampledIpv4(r: {
  length: number;
  proto: number;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  flags: number;
  tos: number;
}): Buffer {
  return xdr(
    3,
    w()
      .u32(r.length)
      .u32(r.proto)
      .ip(r.src)
      .ip(r.dst)
      .u32(r.sport)
      .u32(r.dport)
      .u32(r.flags)
      .u32(r.tos)
      .build(),
  );
}

export function sampledIpv6(r: {
  length: number;
  proto: number;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  flags: number;
  priority: number;
}): Buffer {
  return xdr(
    4,
    w()
      .u32(r.length)
      .u32(r.proto)
      .ip(r.src)
      .ip(r.dst)
      .u32(r.sport)
      .u32(r.dport)
      .u32(r.flags)
      .u32(r.priority)
      .build(),
  );
}

export function genericIfCounters(
  ifIndex: number,
  inOctets: number,
  outOctets: number,
  speed = 10_000_000_000,
): Buffer {
  const b = w().u32(ifIndex).u32(6).u64(speed).u32(1).u32(3).u64(inOctets);
  for (let k = 0; k < 6; k++) b.u32(k + 1);
  b.u64(outOctets);
  for (let k = 0; k < 5; k++) b.u32(k + 11);
  b.u32(0);
  return xdr(1, b.build());
}

export function counterSample(seq: number, source: number, records: Uint8Array[]): Buffer {
  return xdr(2, Buffer.concat([w().u32(seq).u32(source).u32(records.length).build(), ...records]));
}

export function extendedSwitch(srcVlan: number, dstVlan: number): Buffer {
  return xdr(1001, w().u32(srcVlan).u32(0).u32(dstVlan).u32(0).build());
}

/** Extended gateway: IPv4 next hop, own AS, src AS, src peer AS, one AS_SEQUENCE path, no communities, localpref. */
export function extendedGateway(o: { as: number; srcAs: number; peerAs: number; path: number[] }): Buffer {
  const b = w().u32(1).ip('192.0.2.1').u32(o.as).u32(o.srcAs).u32(o.peerAs).u32(1).u32(2).u32(o.path.length);
  for (const a of o.path) b.u32(a);
  return xdr(1003, b.u32(0).u32(100).build());
}
