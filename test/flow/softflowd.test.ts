// Conformance: softflowd (NetFlow v5, v9, IPFIX) exports a generated traffic pcap to our socket; the recorded
// datagrams are decoded by floodgate and by tshark, and every record must agree field by field. The same
// exports are also sent live into the FlowCollector.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeCapture } from '../../src/flow/capture.js';
import { FlowCollector } from '../../src/flow/collector.js';
import { writePcap } from '../../src/flow/pcap-writer.js';
import { rowsOf } from '../../src/cli/commands/decode.js';
import {
  compareFlows,
  exportPcap,
  LOOP,
  record,
  softflowd,
  tmp,
  tsharkFlows,
  type Recorded,
} from './harness.js';
import { attackMix } from './traffic.js';

const dir = tmp();
const traffic = join(dir, 'attack.pcap');
const recs = new Map<number, Recorded>();

afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  writeFileSync(traffic, writePcap(attackMix()));
  for (const v of [5, 9, 10] as const) recs.set(v, await record((port) => softflowd(traffic, v, port, dir)));
});

describe.each([
  [5, 'netflow5', 5000],
  [9, 'netflow9', 5500],
  [10, 'ipfix', 5500],
] as const)('softflowd -v %i', (v, format, expected) => {
  it('every record agrees with tshark field by field', () => {
    const rec = recs.get(v)!;
    expect(rec.datagrams.length).toBeGreaterThan(100);
    const file = join(dir, `export-v${v}.pcap`);
    writeFileSync(file, exportPcap(rec));
    const result = decodeCapture(exportPcap(rec));
    expect(result.mode).toBe('export');
    const rows = rowsOf(result);
    // RIG §7.2: 5000 IPv4 flows (+ 500 IPv6 where the format can carry them)
    expect(rows.length).toBe(expected);
    expect(new Set(rows.map((r) => r.format))).toEqual(new Set([format]));
    const exp = result.exporters[0]!;
    expect(Object.values(exp.errors).reduce((a, b) => a + b, 0)).toBe(0);
    // softflowd 1.1.0 stamps IPFIX messages with the count *including* their own records (RFC 7011 §3.1 says
    // before), so a conformant collector sees a shift on every message; v5 and v9 must be gap-free
    if (v !== 10) expect(exp.sequenceGaps).toBe(0);
    compareFlows(rows, tsharkFlows(file, rec.port));
    // the generated mix spans 10 s: every flow's start lies inside it
    const t0 = 1795490000000;
    for (const r of rows) {
      expect(r.startMs).toBeGreaterThanOrEqual(t0 - 1000);
      expect(r.endMs).toBeLessThanOrEqual(t0 + 11_000);
      expect(r.endMs).toBeGreaterThanOrEqual(r.startMs);
    }
  });
});

describe('FlowCollector fed live by softflowd', () => {
  let collector: FlowCollector | undefined;
  afterAll(async () => collector?.stop());

  it('receives every NetFlow v5 record into reused FlowBatches with per-exporter stats', async () => {
    let records = 0;
    const seen = new Set<object>();
    const dsts = new Map<number, number>();
    collector = new FlowCollector({
      listen: [{ address: LOOP, port: 0 }],
      onBatch: (b, exporters) => {
        seen.add(b);
        records += b.length;
        for (let i = 0; i < b.length; i++) {
          expect(exporters[b.exporter[i]!]!.address).toBe('127.0.0.1');
          dsts.set(b.dstAddr[i * 4]!, (dsts.get(b.dstAddr[i * 4]!) ?? 0) + b.packets[i]!);
        }
      },
    });
    const [bound] = await collector.start();
    expect(collector.recvBufferSizes[0]).toBeGreaterThanOrEqual(1 << 20);
    await softflowd(traffic, 5, bound!.port, dir);
    const t0 = Date.now();
    while (records < 5000 && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 20));
    expect(records).toBe(5000);
    // double buffering: only two batch objects ever handed over
    expect(seen.size).toBeLessThanOrEqual(2);
    // 203.0.113.5 received 2000 DNS + 3000 SYN packets
    expect(dsts.get(0xcb007105)).toBe(5000);
    const s = collector.stats();
    expect(s.exporters).toHaveLength(1);
    expect(s.exporters[0]).toMatchObject({
      address: '127.0.0.1',
      records: 5000,
      lastFormat: 'netflow5',
      sequenceGaps: 0,
    });
    expect(s.exporters[0]!.datagrams).toBe(recs.get(5)!.datagrams.length);
  });
});
