import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CollectingSink } from '../../flow/sink.js';
import { batchesToPcap } from '../../gen/packet.js';
import { Scenario } from '../../gen/traffic.js';
import { replayConfig, runReplay, type AttackSummary } from './replay.js';

const T0 = 1_700_000_000_000;
const dir = mkdtempSync(join(tmpdir(), 'fgdt-replay-'));
const capture = join(dir, 'attack.pcap');
{
  const sink = new CollectingSink();
  new Scenario({
    seed: 9,
    startMs: T0,
    durationMs: 4000,
    benign: { hosts: ['203.0.113.10', '203.0.113.11', '2001:db8::5'], ppsPerHost: 200 },
    attacks: [
      {
        family: 'ntp_amplification',
        target: '203.0.113.10',
        pps: 5000,
        startMs: T0 + 1000,
        durationMs: 2000,
      },
      { family: 'syn_flood', target: '2001:db8::5', pps: 3000, startMs: T0 + 1500, durationMs: 1000 },
    ],
    output: { kind: 'sampled', samplingRate: 1, format: 'pcap' },
  }).run(sink);
  writeFileSync(capture, batchesToPcap(sink.batches()));
}

function run(args: Parameters<typeof runReplay>[1]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = runReplay(capture, args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

describe('floodgate replay', () => {
  it('lists each attack of a raw-packet capture in capture time (--json)', () => {
    const r = run({ networks: '203.0.113.0/24,2001:db8::/32', hostPps: '1000', json: true });
    expect(r.code).toBe(0);
    const attacks = r.out.map((l) => JSON.parse(l) as AttackSummary);
    expect(attacks.map((a) => [a.target, a.family])).toEqual([
      ['203.0.113.10/32', 'ntp_amplification'],
      ['2001:db8::5/128', 'syn_flood'],
    ]);
    const ntp = attacks[0]!;
    expect(Date.parse(ntp.start) - T0).toBeGreaterThanOrEqual(1000);
    expect(Date.parse(ntp.start) - T0).toBeLessThanOrEqual(1300);
    expect(Date.parse(ntp.end!) - (T0 + 3000)).toBeLessThanOrEqual(1100);
    expect(ntp.peakPps).toBeGreaterThan(4500);
    expect(ntp.signature).toMatchObject({ protocols: [17], sourcePorts: [123] });
    expect(ntp.reason).toMatch(/> 1\.0k/);
    expect(r.err.at(-1)).toMatch(/raw capture.*2 attacks/);
  });

  it('prints a table without --json, and nothing above higher thresholds', () => {
    const r = run({ networks: '203.0.113.0/24,2001:db8::/32', hostPps: '1000' });
    expect(r.out[0]).toMatch(/^target\s+family\s+start\s+end\s+peakPps\s+peakBps\s+signature\s+reason$/);
    expect(r.out[1]).toMatch(/^203\.0\.113\.10\/32\s+ntp_amplification .*proto 17 sport 123/);
    expect(run({ networks: '203.0.113.0/24,2001:db8::/32', hostPps: '100000', json: true }).out).toEqual([]);
  });

  it('takes the detection section of -c FILE, flags on top', () => {
    const cfg = join(dir, 'floodgate.yaml');
    writeFileSync(
      cfg,
      'detection:\n  networks: [203.0.113.0/24]\n  thresholds:\n    host:\n      incoming: {pps: 1000}\n',
    );
    const r = run({ config: cfg, json: true });
    expect(r.out.map((l) => (JSON.parse(l) as AttackSummary).target)).toEqual(['203.0.113.10/32']);
    expect(
      replayConfig({ config: cfg, hostPps: '7' }, () => 'detection:\n  networks: [10.0.0.0/8]\n').thresholds
        .host.incoming.pps,
    ).toBe(7);
  });

  it('refuses bad settings and unreadable captures with a message', () => {
    expect(run({ networks: 'not-a-prefix' }).err[0]).toMatch(/bad settings/);
    expect(run({ networks: '203.0.113.0/24', hostPps: 'lots' }).err[0]).toMatch(
      /--host-pps: expected a non-negative number/,
    );
    expect(run({}).err[0]).toMatch(/no networks/);
    const bad = join(dir, 'bad.pcap');
    writeFileSync(bad, 'garbage');
    const out: string[] = [];
    expect(
      runReplay(bad, { networks: '203.0.113.0/24' }, { out: () => undefined, err: (l) => out.push(l) }),
    ).toBe(1);
    expect(out[0]).toMatch(/not a pcap/);
  });
});

describe('floodgate replay on a short capture', () => {
  it('evaluates a capture shorter than one tick (pmacct sFlow burst: 568 samples in 12 ms)', () => {
    const out: string[] = [];
    const code = runReplay(
      'test/fixtures/flow/sfprobe-sflow5.pcap',
      { networks: '203.0.113.0/24,2001:db8::/32', hostPps: '100', json: true },
      { out: (l) => out.push(l), err: () => undefined },
    );
    expect(code).toBe(0);
    const attacks = out.map((l) => JSON.parse(l) as AttackSummary);
    expect(attacks.map((a) => a.target)).toEqual(['203.0.113.5/32']);
    expect(attacks[0]!.peakPps).toBe(498);
  });
});
