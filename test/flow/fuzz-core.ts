// Shared by the fuzz property test and scripts/fuzz-flow.ts: seed datagrams per format (real exporter fixtures +
// hand-built vectors), a mutator, and a checker that calls each decoder directly (no safety net) and verifies
// it returns a known error kind or writes only well-formed records.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FlowBatch } from '../../src/flow/batch.js';
import { udpOf } from '../../src/flow/capture.js';
import { recognise, type ExportFormat } from '../../src/flow/datagram.js';
import { FLOW_ERROR_KINDS, type FlowErrorKind } from '../../src/flow/errors.js';
import { ExporterState } from '../../src/flow/exporter.js';
import { decodeIpfix } from '../../src/flow/ipfix.js';
import { DEFAULT_FLOW_LIMITS } from '../../src/flow/limits.js';
import { decodeNetflow5 } from '../../src/flow/netflow5.js';
import { decodeNetflow9 } from '../../src/flow/netflow9.js';
import { readCapture } from '../../src/flow/pcap.js';
import { decodeSflow } from '../../src/flow/sflow.js';
import type { BatchSink } from '../../src/flow/sink.js';
import { FIXTURE_DIR, FIXTURES } from './fixtures.js';
import { ether, ipv4, ipv6, tcp, udp } from './traffic.js';
import {
  expandedFlowSample,
  flowSample,
  ipfix,
  ipfixOptionsTemplate,
  ipfixTemplate,
  nf9,
  rawHeader,
  sampledIpv6,
  set,
  sflow,
  v9OptionsTemplate,
  v9Template,
  w,
  counterSample,
  genericIfCounters,
} from './wire.js';

export const FORMATS: ExportFormat[] = ['netflow5', 'netflow9', 'ipfix', 'sflow5'];
const VERSION_PREFIX: Record<ExportFormat, number[]> = {
  netflow5: [0, 5],
  netflow9: [0, 9],
  ipfix: [0, 10],
  sflow5: [0, 0, 0, 5],
};

export function seeds(): Record<ExportFormat, Buffer[]> {
  const out: Record<ExportFormat, Buffer[]> = { netflow5: [], netflow9: [], ipfix: [], sflow5: [] };
  for (const f of FIXTURES) {
    for (const p of readCapture(readFileSync(join(FIXTURE_DIR, f.file))).packets) {
      const u = udpOf(p);
      const fmt = u && recognise(u.payload);
      if (u && fmt && out[fmt].length < 40) out[fmt].push(Buffer.from(u.payload));
    }
  }
  const v6 = ether(
    0x86dd,
    ipv6('2001:db8::1', '2001:db8::5', 6, tcp(1, 2, 2, new Uint8Array(0)), [
      [0, new Uint8Array(6)],
      [44, w().u16(1).u32(1).build()],
    ]),
    [
      [0x88a8, 1],
      [0x8100, 2],
    ],
  );
  const v4 = ether(
    0x0800,
    ipv4('10.0.0.1', '10.0.0.2', 17, udp(1, 2, new Uint8Array(8)), { options: new Uint8Array(4), mf: true }),
  );
  out.sflow5.push(
    sflow({ agent: '2001:db8::a', seq: 1 }, [
      expandedFlowSample({ rate: 100 }, [rawHeader(1, 100, v6)]),
      flowSample({ rate: 10 }, [
        rawHeader(1, 100, v4),
        sampledIpv6({
          length: 9,
          proto: 6,
          src: '::1',
          dst: '::2',
          sport: 1,
          dport: 2,
          flags: 2,
          priority: 0,
        }),
      ]),
      counterSample(1, 1, [genericIfCounters(1, 5, 6)]),
    ]),
  );
  const tmpl = ipfixTemplate(300, [
    [27, 16],
    [28, 16],
    [1234, 4, 9],
    [4, 1],
    [82, 65535],
    [7, 2],
    [11, 2],
    [1, 8],
    [2, 4],
    [152, 8],
    [153, 8],
    [302, 2],
  ]);
  const rec = w()
    .ip('2001:db8::1')
    .ip('2001:db8::2')
    .u32(1)
    .u8(6)
    .u8(3)
    .bytes([97, 98, 99])
    .u16(1)
    .u16(2)
    .u64(9)
    .u32(1)
    .u64(1)
    .u64(2)
    .u16(5)
    .build();
  out.ipfix.push(
    ipfix({ exportSecs: 1, seq: 0, domain: 1 }, [
      set(2, tmpl),
      set(
        3,
        ipfixOptionsTemplate(400, 1, [
          [302, 2],
          [305, 4],
          [306, 4],
          [160, 8],
        ]),
      ),
      set(400, w().u16(5).u32(1).u32(9).u64(5).build()),
      set(300, Buffer.concat([rec, rec])),
    ]),
  );
  out.ipfix.push(
    ipfix({ exportSecs: 1, seq: 2, domain: 1 }, [set(2, w().u16(300).u16(0).build()), set(300, rec)]),
  );
  out.netflow9.push(
    nf9({ uptime: 5, secs: 1, seq: 0, sourceId: 1 }, [
      set(
        0,
        v9Template(256, [
          [8, 4],
          [12, 4],
          [22, 4],
          [21, 4],
          [48, 1],
        ]),
      ),
      set(
        1,
        v9OptionsTemplate(
          257,
          [[1, 4]],
          [
            [34, 4],
            [48, 1],
          ],
        ),
      ),
      set(257, w().u32(0).u32(10).u8(1).build()),
      set(256, w().ip('1.1.1.1').ip('2.2.2.2').u32(1).u32(2).u8(1).build()),
    ]),
  );
  return out;
}

/** xorshift32 PRNG for the script (fast-check drives the suite). */
export function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

const BOUNDARY = [0, 1, 2, 3, 4, 0x7f, 0x80, 0xff];

/** Applies 1..4 random mutations: byte flips, boundary values at 16/32-bit fields, truncation, extension, splices. */
export function mutate(src: Uint8Array, r: () => number): Uint8Array {
  let b: Uint8Array = Uint8Array.from(src);
  const n = 1 + Math.floor(r() * 4);
  for (let k = 0; k < n; k++) {
    const at = Math.floor(r() * Math.max(1, b.length));
    switch (Math.floor(r() * 6)) {
      case 0:
        if (b.length) b[at] = Math.floor(r() * 256);
        break;
      case 1:
        for (let j = 0; j < 2 && at + j < b.length; j++)
          b[at + j] = BOUNDARY[Math.floor(r() * BOUNDARY.length)]!;
        break;
      case 2:
        for (let j = 0; j < 4 && at + j < b.length; j++) b[at + j] = r() < 0.5 ? 0xff : 0;
        break;
      case 3:
        b = b.subarray(0, at);
        break;
      case 4: {
        const extra = new Uint8Array(Math.floor(r() * 64)).map(() => Math.floor(r() * 256));
        const c = new Uint8Array(b.length + extra.length);
        c.set(b);
        c.set(extra, b.length);
        b = c;
        break;
      }
      default: {
        // duplicate a region (repeated sets / samples)
        const len = Math.floor(r() * 64);
        const c = new Uint8Array(b.length + len);
        c.set(b.subarray(0, at));
        c.set(b.subarray(at, at + len), at);
        c.set(b.subarray(at), at + Math.min(len, b.length - at));
        b = c;
      }
    }
  }
  return b;
}

export function randomDatagram(format: ExportFormat, r: () => number, max = 1500): Uint8Array {
  const p = VERSION_PREFIX[format];
  const b = new Uint8Array(p.length + Math.floor(r() * max)).map(() => Math.floor(r() * 256));
  b.set(p);
  return b;
}

/** Resets instead of growing: the fuzzer only checks what is written. */
class CheckingSink implements BatchSink {
  batch = new FlowBatch(256);
  checked = 0;
  rotate(): void {
    this.check();
    this.batch.reset();
  }
  check(): void {
    const b = this.batch;
    for (let i = 0; i < b.length; i++) {
      const fam = b.family[i];
      if (fam !== 4 && fam !== 6) throw new Error(`record ${i}: family ${fam}`);
      if (
        !Number.isFinite(b.startMs[i]!) ||
        !Number.isFinite(b.endMs[i]!) ||
        !Number.isFinite(b.bytes[i]!) ||
        !Number.isFinite(b.packets[i]!)
      )
        throw new Error(`record ${i}: non-finite value`);
      if (b.endMs[i]! < b.startMs[i]!) throw new Error(`record ${i}: end before start`);
      if (b.samplingRate[i]! < 1) throw new Error(`record ${i}: sampling rate ${b.samplingRate[i]}`);
    }
    this.checked += b.length;
  }
}

const DECODERS: Record<
  ExportFormat,
  (dv: DataView, exp: ExporterState, sink: BatchSink) => FlowErrorKind | undefined
> = {
  netflow5: decodeNetflow5,
  netflow9: decodeNetflow9,
  ipfix: decodeIpfix,
  sflow5: (dv, exp, sink) => decodeSflow(dv, exp, sink, 1_800_000_000_000),
};

export class FuzzTarget {
  readonly exp = new ExporterState(0, 'fuzz', { ...DEFAULT_FLOW_LIMITS, maxTemplatesPerExporter: 256 });
  private readonly sink = new CheckingSink();
  runs = 0;
  readonly kinds = new Map<string, number>();
  constructor(readonly format: ExportFormat) {}

  /** Throws (test failure) if the decoder throws or writes a malformed record. */
  run(buf: Uint8Array): void {
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const before = this.exp.records;
    const kind = DECODERS[this.format](dv, this.exp, this.sink);
    this.runs++;
    const key = kind ?? 'ok';
    this.kinds.set(key, (this.kinds.get(key) ?? 0) + 1);
    if (kind !== undefined && !FLOW_ERROR_KINDS.includes(kind))
      throw new Error(`unknown error kind ${String(kind)}`);
    if (this.exp.records < before) throw new Error('record count went backwards');
    this.sink.check();
    this.sink.batch.reset();
    // keep learnt state bounded like a long-running collector would
    if (this.runs % 5000 === 0) {
      for (let d = 0; d < 4; d++) this.exp.templates.deleteAll(d, false);
    }
  }
}
