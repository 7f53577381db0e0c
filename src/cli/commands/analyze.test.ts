// `floodgate analyze` on generated captures: a DNS amplification on one host amid background traffic, and a
// SYN flood on an IPv6 host; families, tops, sizes and the FlowSpec rules are checked in JSON and text.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AnalyzeReport } from '../../forensics/analyze.js';
import { FlowBatch } from '../../flow/batch.js';
import { batchesToPcap } from '../../gen/packet.js';
import { runAnalyze } from './analyze.js';

const dir = mkdtempSync(join(tmpdir(), 'fg-analyze-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const v4 = (a: number, b: number, c: number, d: number) => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;

interface Row {
  src: number[];
  dst: number[];
  proto: number;
  sport: number;
  dport: number;
  packets: number;
  size: number;
  flags?: number;
}

function pcap(name: string, rows: Row[]): string {
  const b = new FlowBatch(rows.length);
  rows.forEach((r, k) => {
    const i = b.next();
    const six = r.src.length === 4 && r.src[0]! > 0xff;
    b.family[i] = six ? 6 : 4;
    if (six) {
      b.srcAddr.set(r.src, i * 4);
      b.dstAddr.set(r.dst, i * 4);
    } else {
      b.srcAddr[i * 4] = r.src[0]!;
      b.dstAddr[i * 4] = r.dst[0]!;
    }
    b.proto[i] = r.proto;
    b.srcPort[i] = r.sport;
    b.dstPort[i] = r.dport;
    b.tcpFlags[i] = r.flags ?? 0;
    b.packets[i] = r.packets;
    b.bytes[i] = r.packets * r.size;
    b.startMs[i] = 1_700_000_000_000 + k;
    b.endMs[i] = 1_700_000_002_000 + k;
  });
  const file = join(dir, name);
  writeFileSync(file, batchesToPcap([b]));
  return file;
}

function run(file: string, json: boolean): { code: number; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const code = runAnalyze(file, { json }, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

describe('floodgate analyze', () => {
  const victim = v4(203, 0, 113, 50);
  const amp = pcap('dns-amp.pcap', [
    // 40 reflectors × 50 responses of 1200 bytes from UDP port 53
    ...Array.from({ length: 40 }, (_, s) => ({
      src: [v4(198, 51, 100, s + 1)],
      dst: [victim],
      proto: 17,
      sport: 53,
      dport: 30000 + s,
      packets: 50,
      size: 1200,
    })),
    // background: web traffic to two other hosts, 200 packets in all
    {
      src: [v4(192, 0, 2, 7)],
      dst: [v4(203, 0, 113, 80)],
      proto: 6,
      sport: 51000,
      dport: 443,
      packets: 150,
      size: 600,
      flags: 0x18,
    },
    {
      src: [v4(192, 0, 2, 8)],
      dst: [v4(203, 0, 113, 81)],
      proto: 6,
      sport: 51001,
      dport: 80,
      packets: 50,
      size: 100,
      flags: 0x10,
    },
  ]);

  it('reports a DNS amplification: family, tops, sizes and the FlowSpec rules (JSON)', () => {
    const { code, out } = run(amp, true);
    expect(code).toBe(0);
    const r = JSON.parse(out[0]!) as AnalyzeReport;
    expect(r.packets).toBe(2200);
    expect(r.destinations[0]).toEqual({ key: '203.0.113.50', packets: 2000, share: 2000 / 2200 });
    expect(r.sourcePorts[0]).toEqual({ key: '17/53', packets: 2000, share: 2000 / 2200 });
    expect(r.protocols.map((p) => p.key)).toEqual(['udp', 'tcp']);
    expect(r.sources).toHaveLength(10); // top 10 of 42
    expect(r.sources[0]!.key).toBe('192.0.2.7'); // the single busiest source
    // 1200-byte IP packets + 14 bytes of Ethernet fall in the (1024, 1400] bin
    const bin = r.sizes.find((s) => s.upTo === 1400)!;
    expect(bin.packets).toBe(2000);
    expect(r.sizes.reduce((n, s) => n + s.packets, 0)).toBe(2200);
    // only the victim holds ≥ 10 % of the packets… and 203.0.113.80 holds 6.8 %
    expect(r.targets.map((t) => t.target)).toEqual(['203.0.113.50/32']);
    const t = r.targets[0]!;
    expect(t.family).toBe('dns_amplification');
    expect(t.signature.protocols).toEqual([17]);
    expect(t.signature.sourcePorts).toEqual([53]);
    expect(t.rules.map((x) => [x.intent, x.flowspec])).toEqual([
      ['rate-limit', 'flow4 dst 203.0.113.50/32 proto =17 sport =53'],
      ['drop', 'flow4 dst 203.0.113.50/32 proto =17 sport =53'],
    ]);
    expect(t.rules[1]!.actions).toEqual([{ kind: 'traffic-rate-bytes', asn: 0, bytesPerSecond: 0 }]);
  });

  it('prints the same report as text', () => {
    const { code, out, err } = run(amp, false);
    expect(code).toBe(0);
    const text = out.join('\n');
    expect(text).toContain('target 203.0.113.50/32: dns_amplification');
    expect(text).toMatch(/level 2 drop .*: flow4 dst 203\.0\.113\.50\/32 proto =17 sport =53 then discard/);
    expect(text).toContain('17/53');
    expect(err.join('\n')).toContain('2200 packets read, 0 not IP');
  });

  it('names a SYN flood on an IPv6 host', () => {
    const dst = [0x20010db8, 0, 0, 0x10];
    const file = pcap(
      'syn6.pcap',
      Array.from({ length: 20 }, (_, s) => ({
        src: [0x20010db8, 0xbad, 0, s + 1],
        dst,
        proto: 6,
        sport: 1024 + s,
        dport: 443,
        packets: 30,
        size: 60,
        flags: 0x02,
      })),
    );
    const r = JSON.parse(run(file, true).out[0]!) as AnalyzeReport;
    expect(r.targets).toHaveLength(1);
    expect(r.targets[0]!.target).toBe('2001:db8::10/128');
    expect(r.targets[0]!.family).toBe('syn_flood');
    expect(r.targets[0]!.rules[0]!.flowspec).toBe('flow6 dst 2001:db8::10/128 next-header =6 dport =443');
  });

  it('refuses what is not a capture and bad options, with a clear message', () => {
    const bad = join(dir, 'bad.pcap');
    writeFileSync(bad, 'not a capture at all');
    const r = run(bad, false);
    expect(r.code).toBe(1);
    expect(r.err[0]).toContain('is not a pcap or pcapng capture');
    const err: string[] = [];
    expect(runAnalyze(amp, { top: '0' }, { out: () => {}, err: (l) => err.push(l) })).toBe(1);
    expect(err[0]).toContain('--top');
    expect(run(join(dir, 'missing.pcap'), false).err[0]).toContain('cannot read');
  });
});
