// End to end through the generator's exporters: generated attacks → sFlow v5 / NetFlow v5 datagrams in a
// pcap file → `floodgate replay` (decoders + detection) names the attack and its target. The capture
// files live in a temp directory removed after the test.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReplay } from '../../src/cli/commands/replay.js';
import { CollectingSink } from '../../src/flow/sink.js';
import { datagramsToPcap, toNetflow5, toSflow } from '../../src/gen/export.js';
import { Scenario } from '../../src/gen/traffic.js';

const T0 = 1_700_000_000_000;
let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fgdt-gen-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('export datagrams (decoded by src/flow, detected by replay)', () => {
  it('sFlow v5 at 1:1000 and NetFlow v5 captures of generated attacks are detected and named', async () => {
    const replay = (file: string, hostPps: string) => {
      const out: string[] = [];
      runReplay(
        file,
        { networks: '203.0.113.0/24', hostPps, json: true },
        { out: (l) => out.push(l), err: () => undefined },
      );
      return out.map(
        (l) => JSON.parse(l) as { target: string; family: string; signature: { sourcePorts?: number[] } },
      );
    };
    const sf = new CollectingSink();
    new Scenario({
      seed: 3,
      startMs: T0,
      durationMs: 6000,
      benign: { hosts: ['203.0.113.10', '203.0.113.11'], ppsPerHost: 20_000 },
      attacks: [
        {
          family: 'memcached_amplification',
          target: '203.0.113.10',
          pps: 500_000,
          startMs: T0 + 2000,
          durationMs: 2000,
        },
      ],
      output: { kind: 'sampled', samplingRate: 1000 },
    }).run(sf);
    const sflowFile = join(dir, 'sflow.pcap');
    const dgs = toSflow(sf.batches(), 0x7f001401);
    expect(dgs.length).toBeGreaterThan(50);
    writeFileSync(sflowFile, datagramsToPcap(dgs, 0x7f001401, 0x7f001402, 6343));
    const a = replay(sflowFile, '100000');
    expect(a.map((x) => [x.target, x.family])).toEqual([['203.0.113.10/32', 'memcached_amplification']]);
    expect(a[0]!.signature.sourcePorts).toEqual([11211]);

    const nf = new CollectingSink();
    new Scenario({
      seed: 4,
      startMs: T0,
      durationMs: 6000,
      stepMs: 100,
      benign: { hosts: ['203.0.113.10', '203.0.113.11'], ppsPerHost: 2000 },
      attacks: [
        { family: 'syn_flood', target: '203.0.113.11', pps: 50_000, startMs: T0 + 2000, durationMs: 2000 },
      ],
      output: { kind: 'flows', format: 'netflow5' },
    }).run(nf);
    const nfFile = join(dir, 'nf5.pcap');
    writeFileSync(
      nfFile,
      datagramsToPcap(toNetflow5(nf.batches(), T0 - 3_600_000), 0x7f001401, 0x7f001402, 2055),
    );
    expect(replay(nfFile, '10000').map((x) => [x.target, x.family])).toEqual([
      ['203.0.113.11/32', 'syn_flood'],
    ]);
  });
});
