// `floodgate rpki validate` as a user runs it: against a VRP file and against a real stayrtr.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { floodgateCommand } from '../support/floodgate-process.js';
import { StayRtr } from './stayrtr.js';

const exec = promisify(execFile);

async function floodgate(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { cmd, args: full } = floodgateCommand(args);
  try {
    const r = await exec(cmd, full, { timeout: 60_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('floodgate rpki validate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fg-rpki-cli-'));
  const file = join(dir, 'vrps.json');
  const cache = new StayRtr({
    host: '127.19.0.4',
    port: 18350,
    metricsPort: 18351,
    roas: [{ prefix: '2001:db8::/32', maxLength: 48, asn: 64500 }],
  });
  beforeAll(async () => {
    writeFileSync(
      file,
      JSON.stringify({
        metadata: { buildtime: new Date().toISOString() },
        roas: [{ asn: 64500, prefix: '203.0.113.0/24', maxLength: 24, ta: 'test' }],
      }),
    );
    await cache.start();
  });
  afterAll(async () => {
    await cache.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the state and the VRPs behind it (file)', async () => {
    const valid = await floodgate(['rpki', 'validate', '203.0.113.0/24', 'AS64500', '--file', file]);
    expect(valid).toMatchObject({ code: 0 });
    expect(valid.stdout).toMatch(
      /203\.0\.113\.0\/24 AS64500: valid\n.*matched 203\.0\.113\.0\/24-24 AS64500/,
    );
    const invalid = await floodgate([
      'rpki',
      'validate',
      '203.0.113.9/32',
      '64500',
      '--file',
      file,
      '--json',
    ]);
    expect(JSON.parse(invalid.stdout)).toMatchObject({
      state: 'invalid',
      covering: ['203.0.113.0/24-24 AS64500'],
    });
  });

  it('asks an RTR cache', async () => {
    const out = await floodgate([
      'rpki',
      'validate',
      '2001:db8:1::/48',
      '64500',
      '--cache',
      '127.19.0.4:18350',
      '--json',
    ]);
    expect(JSON.parse(out.stdout)).toMatchObject({ state: 'valid', originAs: 64500 });
  });

  it('says what is wrong with its arguments', async () => {
    expect(await floodgate(['rpki', 'validate', '203.0.113.0/33', '--file', file])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/not an IP prefix/),
    });
    expect(await floodgate(['rpki', 'validate', '203.0.113.0/24', 'ASX', '--file', file])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/not an AS number/),
    });
    expect(await floodgate(['rpki', 'validate', '203.0.113.0/24', '1'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/no RPKI source/),
    });
  });
});
