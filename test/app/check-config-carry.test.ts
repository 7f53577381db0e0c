// `floodgate check-config` names every (policy, level, intent, family) no configured adapter can carry
// (issue 10 item 1): an error and exit status 2 when mitigation is live, a warning in dry-run.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { floodgateCommand } from '../support/floodgate-process.js';

const dir = mkdtempSync(join(tmpdir(), 'fg-carry-'));
const run = promisify(execFile);

function config(dryRun: boolean): string {
  const file = join(dir, `${dryRun ? 'dry' : 'live'}.yaml`);
  writeFileSync(
    file,
    stringify({
      detection: { networks: ['203.0.113.0/24'] },
      bgp: {
        enabled: true,
        peers: [
          {
            name: 'edge',
            address: '127.12.1.2',
            localAddress: '127.12.1.1',
            remoteAs: 65001,
            families: ['ipv4-unicast', 'ipv4-flowspec'],
          },
        ],
      },
      mitigation: { dryRun },
    }),
  );
  return file;
}

async function checkConfig(file: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const { cmd, args } = floodgateCommand(['check-config', '-c', file, '--quiet']);
  return run(cmd, args, { timeout: 60_000 }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('check-config: levels no adapter can carry', () => {
  it('live mitigation: an error naming policy, level, intent, family and why; exit status 2', async () => {
    const r = await checkConfig(config(false));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'error: policy "default" level 3 (blackhole) IPv4: no configured adapter carries it (bgp: no IPv4 discard next hop (bgp.discardNextHop.ipv4) for peer(s) edge)',
    );
    // the network is IPv4 only: no IPv6 noise; rate-limit, drop and the diversion are carried
    expect(r.stderr).not.toMatch(/IPv6/);
    expect(
      r.stderr
        .trim()
        .split('\n')
        .filter((l) => /^(error|warning):/.test(l)),
    ).toHaveLength(1);
  }, 90_000);

  it('dry-run: the same as a warning, exit status 0', async () => {
    const r = await checkConfig(config(true));
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('warning: policy "default" level 3 (blackhole) IPv4');
  }, 90_000);
});
