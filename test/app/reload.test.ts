// Live config reload through the running app: in-place changes apply, restart-only keys are named,
// a bad new config is refused and the running one stays. Also SIGHUP on a real process.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App } from '../../src/app/app.js';
import type { AuditRecord } from '../../src/domain/audit.js';
import { getJson, startFloodgate } from '../support/floodgate-process.js';
import { waitFor } from '../support/wait.js';

const HOST = '127.0.70.20';
const TOKEN = 'reload-test-owner-token';
const headers = { authorization: `Bearer ${TOKEN}` };

function baseConfig(dir: string, extra: Record<string, unknown> = {}) {
  return {
    store: { sqlitePath: join(dir, 'f.db') },
    api: { host: HOST, port: 0, token: TOKEN },
    flow: { listeners: [{ protocol: 'netflow', address: HOST, port: 0 }] },
    detection: { networks: ['203.0.113.0/24'] },
    ...extra,
  };
}

describe('config reload (in process)', () => {
  let dir: string;
  let file: string;
  let app: App;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fg-reload-'));
    file = join(dir, 'floodgate.yaml');
    writeFileSync(file, stringify(baseConfig(dir)));
    app = await App.start({ configPath: file, env: {}, logger: pino({ level: 'silent' }) });
  });
  afterAll(async () => {
    await app?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies networks and thresholds in place and names keys that need a restart', async () => {
    writeFileSync(
      file,
      stringify(
        baseConfig(dir, {
          detection: { networks: ['203.0.113.0/24', '2001:db8::/48'] },
          log: { level: 'debug' },
          node: { name: 'renamed' },
        }),
      ),
    );
    const res = await app.api!.inject({ method: 'POST', url: '/api/v1/config/reload', headers });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { applied: string[]; restartRequired: string[] };
    expect([...body.applied].sort()).toEqual([
      'detection.networks',
      'log.level',
      'mitigation.tenants.default.networks',
    ]);
    expect(body.restartRequired).toEqual(['node.name']);
    expect(app.config.detection.networks).toEqual(['203.0.113.0/24', '2001:db8::/48']);
    const audit = (await app.api!.inject({ url: '/api/v1/audit?action=config', headers })).json() as {
      records: AuditRecord[];
    };
    expect(audit.records[0]?.reason).toMatch(/config reload/);
  });

  it('refuses a bad new config and keeps the running one', async () => {
    writeFileSync(file, 'detection:\n  networks: [not-a-prefix]\n');
    const res = await app.api!.inject({ method: 'POST', url: '/api/v1/config/reload', headers });
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toMatchObject({ code: 'config_rejected', message: /detection\.networks\[0\]/ });
    expect(app.config.detection.networks).toEqual(['203.0.113.0/24', '2001:db8::/48']);
  });
});

describe('config reload of api.token (in process)', () => {
  it('a changed token is in force after the reload and the old one is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fg-token-'));
    const file = join(dir, 'floodgate.yaml');
    writeFileSync(file, stringify(baseConfig(dir, { api: { host: HOST, port: 0, token: 'first-token' } })));
    const app = await App.start({ configPath: file, env: {}, logger: pino({ level: 'silent' }) });
    try {
      const reload = (token?: string) =>
        app.api!.inject({
          method: 'POST',
          url: '/api/v1/config/reload',
          ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
        });
      expect((await reload()).statusCode).toBe(401);
      writeFileSync(
        file,
        stringify(baseConfig(dir, { api: { host: HOST, port: 0, token: 'second-token' } })),
      );
      const res = await reload('first-token');
      expect(res.statusCode).toBe(200);
      expect((res.json() as { applied: string[] }).applied).toContain('api.token');
      expect((await reload('first-token')).statusCode).toBe(401);
      expect((await reload('second-token')).statusCode).toBe(200);
    } finally {
      await app.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('config reload on SIGHUP (real process)', () => {
  it('re-reads the file when signalled', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fg-hup-'));
    const fg = await startFloodgate(
      {
        flow: { listeners: [{ protocol: 'netflow', address: HOST, port: 0 }] },
        detection: { networks: ['203.0.113.0/24'] },
      },
      { apiHost: HOST, apiPort: 18099, dir },
    );
    try {
      const yaml = join(dir, 'floodgate.yaml');
      const { readFileSync } = await import('node:fs');
      writeFileSync(yaml, readFileSync(yaml, 'utf8').replace('203.0.113.0/24', '198.51.100.0/24'));
      fg.child.kill('SIGHUP');
      await waitFor('the reload audit record', async () => {
        const { records } = await getJson<{ records: AuditRecord[] }>(`${fg.api}/api/v1/audit?action=config`);
        return records.find((r) => r.actor === 'signal:SIGHUP');
      });
      expect(fg.output()).toMatch(/config reloaded/);
    } finally {
      expect(await fg.stop()).toBe(0);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
