// Issue 19 item 5: one set of checks beyond the schema, applied by both `floodgate run` and `check-config`;
// config files bounded in size and in YAML alias expansion; `check-config | head` ends quietly.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { floodgateCommand } from '../../test/support/floodgate-process.js';
import { App } from '../app/app.js';
import { checkConfig } from './checks.js';
import { ConfigError } from './errors.js';
import { loadConfig, MAX_CONFIG_BYTES, validateConfig } from './load.js';

function file(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'fg-checks-')), 'floodgate.yaml');
  writeFileSync(path, text);
  return path;
}

const cfg = (raw: Record<string, unknown>) => validateConfig(raw, 'test', {}).config;

function run(
  args: string[],
  pipeTo?: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { cmd, args: a } = floodgateCommand(args);
  const line = [cmd, ...a].map((s) => `'${s}'`).join(' ');
  const child = spawn('sh', ['-c', pipeTo ? `${line} | ${pipeTo}` : line], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((r) => child.on('exit', (code) => r({ code, stdout, stderr })));
}

describe('config checks beyond the schema', () => {
  it('requires a token off loopback (an error) and warns when mitigation is live with no exporter allowlist', () => {
    expect(checkConfig(cfg({ api: { host: '0.0.0.0' } }))).toContainEqual(
      expect.objectContaining({ level: 'error', path: 'api.token' }),
    );
    expect(checkConfig(cfg({ api: { host: '0.0.0.0', token: 't' } })).map((c) => c.path)).not.toContain(
      'api.token',
    );
    const live = checkConfig(
      cfg({ mitigation: { dryRun: false }, detection: { networks: ['203.0.113.0/24'] } }),
    );
    expect(live).toEqual([expect.objectContaining({ level: 'warning', path: 'flow.exporters' })]);
    expect(live[0]!.message).toMatch(/MITIGATION IS LIVE/);
    const listed = checkConfig(
      cfg({
        mitigation: { dryRun: false },
        detection: { networks: ['203.0.113.0/24'] },
        flow: { exporters: ['10.0.0.0/24'] },
      }),
    );
    expect(listed).toEqual([]);
    // dry-run (the default) is not live
    expect(checkConfig(cfg({ detection: { networks: ['203.0.113.0/24'] } }))).toEqual([]);
    // adapter instance names must be unique (run refused them only when building adapters)
    const twice = cfg({
      detection: { networks: ['203.0.113.0/24'] },
      adapters: { gobgp: [{ name: 'edge' }, { name: 'edge' }] },
    });
    expect(checkConfig(twice)).toContainEqual(
      expect.objectContaining({ level: 'error', path: 'adapters', message: expect.stringMatching(/"edge"/) }),
    );
  });

  it('floodgate run refuses what check-config refuses, with the same problem', async () => {
    const path = file('api:\n  host: 0.0.0.0\n  port: 0\n');
    const err = await App.start({ configPath: path, env: {} }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([expect.objectContaining({ path: 'api.token' })]);
    const out = await run(['check-config', '-c', path]);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/ERROR: api\.token: required when api\.host \(0\.0\.0\.0\)/);
  }, 60_000);

  it('check-config prints the live-mitigation warning loudly on stderr', async () => {
    const path = file('mitigation:\n  dryRun: false\ndetection:\n  networks: [203.0.113.0/24]\n');
    const out = await run(['check-config', '-c', path, '--quiet']);
    expect(out.stderr).toMatch(/WARNING: flow\.exporters: MITIGATION IS LIVE/);
    // no adapter is configured either: the levels nothing can carry are errors while live
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/^error: policy "default" level 1 \(rate-limit\)/m);
  }, 60_000);

  it('refuses a config file over the size limit before reading it', () => {
    const path = file('# ' + 'x'.repeat(MAX_CONFIG_BYTES) + '\n');
    expect(() => loadConfig(path, {})).toThrow(/octets; the limit is/);
  });

  it('bounds YAML alias expansion ("billion laughs") with a config error', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let k = 1; k < 8; k++) {
      const prev = String.fromCharCode(96 + k);
      const name = String.fromCharCode(97 + k);
      levels.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(', ')}]`);
    }
    const path = file(levels.join('\n') + '\n');
    let err: unknown;
    try {
      loadConfig(path, {});
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toMatch(/YAML aliases expand beyond 100/);
  });

  it('check-config | head ends quietly when the reader closes the pipe early', async () => {
    const out = await run(['check-config'], 'head -c 1 >/dev/null');
    expect(out.stderr).not.toMatch(/EPIPE|Unhandled/);
    const closed = await run(['check-config'], 'true');
    expect(closed.stderr).not.toMatch(/EPIPE|Unhandled/);
  }, 60_000);
});
