// Conformance: pmacctd's sfprobe plugin exports sFlow v5 of a generated traffic pcap to our socket (RIG §7.5);
// floodgate's decode of the recorded datagrams must agree with tshark's, sample by sample and field by field.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/cli/commands/decode.js';
import { decodeCapture } from '../../src/flow/capture.js';
import { writePcap } from '../../src/flow/pcap-writer.js';
import { exportPcap, record, sfprobe, sflowSamples, tmp, type Recorded } from './harness.js';
import { attackMix } from './traffic.js';

const dir = tmp();
const traffic = join(dir, 'attack.pcap');
let rec: Recorded;

afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  writeFileSync(traffic, writePcap(attackMix()));
  rec = await record((port) => sfprobe(traffic, port, dir));
}, 60_000);

describe('pmacctd sfprobe → sFlow v5', () => {
  it('every flow sample agrees with tshark field by field', () => {
    expect(rec.datagrams.length).toBeGreaterThan(100);
    const file = join(dir, 'sflow.pcap');
    const pcap = exportPcap(rec);
    writeFileSync(file, pcap);
    const result = decodeCapture(pcap);
    expect(result.mode).toBe('export');
    const rows = rowsOf(result);
    const exp = result.exporters[0]!;
    expect(Object.values(exp.errors).reduce((a, b) => a + b, 0)).toBe(0);
    expect(exp.sequenceGaps).toBe(0);

    const expected = sflowSamples(file, rec.port);
    expect(expected.length).toBeGreaterThan(5000);
    expect(rows.length).toBe(expected.length);
    rows.forEach((r, k) => {
      expect(
        {
          src: r.src,
          dst: r.dst,
          proto: r.proto,
          sport: r.sport,
          dport: r.dport,
          tcpFlags: r.tcpFlags,
          tos: r.tos,
          packets: r.packets,
          bytes: r.bytes,
          samplingRate: r.samplingRate,
          inIf: r.inIf,
        },
        `sample ${k}`,
      ).toEqual(expected[k]);
      expect(r.format).toBe('sflow5');
      expect(r.exporter).toBe('127.0.0.1');
    });
    // the mix: 500 IPv6 NTP packets, 3000 SYNs (give or take what the probe dropped)
    expect(rows.filter((r) => r.src.includes(':')).length).toBe(
      expected.filter((e) => String(e.src).includes(':')).length,
    );
    expect(rows.filter((r) => r.tcpFlags === 2).length).toBeGreaterThan(2900);
  });
});
