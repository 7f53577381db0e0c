// The small real-exporter captures kept under test/fixtures/flow/ (regenerate: npx tsx test/flow/fixtures.ts).
// Each is the RIG §7.1 mix at 1/10 scale exported by softflowd or pmacctd sfprobe, rewritten to the standard port.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writePcap } from '../../src/flow/pcap-writer.js';
import { exportPcap, record, sfprobe, softflowd, tmp } from './harness.js';
import { attackMix } from './traffic.js';

export const FIXTURE_DIR = fileURLToPath(new URL('../fixtures/flow/', import.meta.url));

export const FIXTURES = [
  { file: 'softflowd-v5.pcap', port: 2055, proto: 'cflow', format: 'netflow5', records: 500 },
  { file: 'softflowd-v9.pcap', port: 2055, proto: 'cflow', format: 'netflow9', records: 550 },
  { file: 'softflowd-ipfix.pcap', port: 4739, proto: 'cflow', format: 'ipfix', records: 550 },
  { file: 'sfprobe-sflow5.pcap', port: 6343, proto: 'sflow', format: 'sflow5', records: 570 },
] as const;

export async function generateFixtures(outDir = FIXTURE_DIR): Promise<void> {
  const dir = tmp();
  const traffic = join(dir, 'mix.pcap');
  writeFileSync(traffic, writePcap(attackMix(1795490000000, 0.1)));
  const versions = { netflow5: 5, netflow9: 9, ipfix: 10 } as const;
  for (const f of FIXTURES) {
    const rec =
      f.format === 'sflow5'
        ? await record((port) => sfprobe(traffic, port, dir, 3000))
        : await record((port) => softflowd(traffic, versions[f.format], port, dir));
    writeFileSync(join(outDir, f.file), exportPcap(rec, f.port));
  }
  rmSync(dir, { recursive: true, force: true });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await generateFixtures();
