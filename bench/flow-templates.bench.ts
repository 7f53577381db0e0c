// Issue 19 item 1: resident memory under a flood of forged NetFlow v9 / IPFIX templates from many loopback
// sources (bench/template-flood.ts, run as a child so RSS is clean). It must plateau well under the default heap.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export async function run(): Promise<Record<string, number>> {
  const out = execFileSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', join(here, 'template-flood.ts'), '200', '10', '12000'],
    { encoding: 'utf8', maxBuffer: 1 << 20, timeout: 600_000 },
  );
  const m = JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, number | number[]>;
  // the figures as numbers (the RSS series is printed on stderr for the curious)
  process.stderr.write(`template flood RSS per round (MB): ${JSON.stringify(m.rssSeriesMB)}\n`);
  process.stderr.write(`spoofed sources RSS per 3000 (MB): ${JSON.stringify(m.rssSpoofedSeriesMB)}\n`);
  const { rssSeriesMB: _series, rssSpoofedSeriesMB: _spoofed, ...figures } = m;
  return figures as Record<string, number>;
}
