// `floodgate decode` over the kept real-exporter fixtures: JSON lines with the keys, agreeing with tshark
// record by record; the table form; the stderr summary; wiring through commander.
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it, vi } from 'vitest';
import { registerDecode, runDecode, type DecodeRow } from '../../src/cli/commands/decode.js';
import { compareFlows, sflowSamples, tsharkFlows } from './harness.js';
import { FIXTURE_DIR, FIXTURES } from './fixtures.js';

function decode(file: string, json: boolean) {
  const out: string[] = [];
  const err: string[] = [];
  const code = runDecode(file, { json }, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

const KEYS = [
  'exporter',
  'format',
  'src',
  'dst',
  'proto',
  'sport',
  'dport',
  'tcpFlags',
  'packets',
  'bytes',
  'samplingRate',
];

describe.each(FIXTURES)('floodgate decode $file', (f) => {
  const file = join(FIXTURE_DIR, f.file);

  it('prints one JSON object per record that agrees with tshark', () => {
    const { code, out, err } = decode(file, true);
    expect(code).toBe(0);
    const rows = out.map((l) => JSON.parse(l) as DecodeRow);
    expect(rows.length).toBeGreaterThanOrEqual(f.records * 0.95);
    for (const r of rows) {
      for (const k of KEYS) expect(r).toHaveProperty(k);
      expect(r.format).toBe(f.format);
      expect(r.exporter).toBe('127.0.0.1');
    }
    expect(err.join('\n')).toMatch(new RegExp(`${rows.length} records, 0 skipped, 0 decode errors`));
    if (f.proto === 'cflow') compareFlows(rows, tsharkFlows(file, f.port));
    else {
      const expected = sflowSamples(file, f.port);
      expect(
        rows.map((r) => ({
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
        })),
      ).toEqual(expected);
    }
  });

  it('prints a readable table without --json', () => {
    const { out } = decode(file, false);
    expect(out[0]).toMatch(
      /^exporter\s+format\s+src\s+dst\s+proto\s+sport\s+dport\s+tcpFlags\s+packets\s+bytes\s+samplingRate$/,
    );
    expect(out[1]).toMatch(new RegExp(`^127\\.0\\.0\\.1\\s+${f.format}\\s+`));
  });
});

describe('floodgate decode errors and wiring', () => {
  it('a missing file or a non-capture is exit 1 with a message', () => {
    expect(decode('/nonexistent/x.pcap', true)).toMatchObject({ code: 1, out: [] });
    const r = decode(join(FIXTURE_DIR, '..', '..', 'flow', 'traffic.ts'), true);
    expect(r.code).toBe(1);
    expect(r.err[0]).toMatch(/not a pcap or pcapng capture/);
  });

  it('is registered on a commander program as `decode <capture> --json`', async () => {
    const program = new Command().exitOverride();
    registerDecode(program);
    const lines: string[] = [];
    const out = vi.spyOn(process.stdout, 'write').mockImplementation((s) => (lines.push(String(s)), true));
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await program.parseAsync([
        'node',
        'floodgate',
        'decode',
        join(FIXTURE_DIR, 'softflowd-v5.pcap'),
        '--json',
      ]);
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
    const json = lines.filter((l) => l.startsWith('{"exporter"'));
    expect(json.length).toBe(decode(join(FIXTURE_DIR, 'softflowd-v5.pcap'), true).out.length);
    expect(json.length).toBeGreaterThan(400);
    expect(JSON.parse(json[0]!)).toMatchObject({ format: 'netflow5', packets: 1 });
    process.exitCode = undefined;
  });
});
