// `floodgate agent -c FILE` refuses to start, with a clear log line and exit code 1, on a config it cannot
// run: no networks to protect, a controller without a key, a controller URL that is not http(s), a CA
// file that does not exist. Nothing is captured in these cases (no tcpdump is started).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { runAgentUntilSignalled } from './main.js';

const dir = mkdtempSync(join(tmpdir(), 'fgagent-main-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function start(cfg: object, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; log: string }> {
  const file = join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, stringify(cfg));
  let log = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    log += String(chunk);
    return true;
  });
  try {
    return { code: await runAgentUntilSignalled(file, env), log };
  } finally {
    spy.mockRestore();
  }
}

describe('floodgate agent -c: refusals', () => {
  it('needs detection.networks', async () => {
    const r = await start({ agent: {} });
    expect(r.code).toBe(1);
    expect(r.log).toContain('detection.networks is empty');
  });

  it('needs a key for a controller, takes it from FLOODGATE_AGENT_KEY, refuses a bad URL or CA file', async () => {
    const base = { detection: { networks: ['203.0.113.10/32'] } };
    const noKey = await start({ ...base, agent: { controller: { url: 'https://127.43.0.3:1' } } });
    expect(noKey.code).toBe(1);
    expect(noKey.log).toContain('agent.controller.key');
    const ftp = await start(
      { ...base, agent: { controller: { url: 'ftp://x' } } },
      { FLOODGATE_AGENT_KEY: 'fga_x' },
    );
    expect(ftp.code).toBe(1);
    expect(ftp.log).toContain('expected http:// or https://');
    const ca = await start(
      {
        ...base,
        agent: { controller: { url: 'https://127.43.0.3:1', key: 'fga_x', caFile: join(dir, 'nope.pem') } },
      },
      {},
    );
    expect(ca.code).toBe(1);
    expect(ca.log).toContain('nope.pem');
  });
});
