// Identity and access on a running app: the first owner token minted straight into the store, named
// tokens through the API from the CLI, a read-only token refused a write, revocation, the audit chain
// verified from the CLI after the database is tampered with, HTTPS with api.tls, and anonymous reads
// refused off loopback.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { pino } from 'pino';
import { Agent, request } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { App } from '../../src/app/app.js';
import { registerRules } from '../../src/cli/commands/rules.js';
import { registerAudit, registerTokens } from '../../src/cli/commands/tokens.js';
import { ConfigError } from '../../src/config/errors.js';
import { selfSignedCertificate } from '../support/tls.js';

const HOST = '127.17.0.2';
const TLS_HOST = '127.17.0.3';

async function cli(args: string[]): Promise<{ out: string; exitCode: number }> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out += String(s);
    return true;
  });
  process.exitCode = 0;
  try {
    const p = new Command().exitOverride();
    registerTokens(p);
    registerAudit(p);
    registerRules(p);
    await p.parseAsync(args, { from: 'user' });
  } finally {
    spy.mockRestore();
  }
  const exitCode = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { out, exitCode };
}

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

function workspace(api: Record<string, unknown>, host = HOST): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fg-access-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'floodgate.yaml');
  writeFileSync(
    file,
    stringify({
      store: { sqlitePath: join(dir, 'f.db') },
      api: { host, port: 0, ...api },
      flow: { listeners: [{ protocol: 'netflow', address: host, port: 0 }] },
      detection: { networks: ['203.0.113.0/24'] },
      mitigation: { guards: { allowSpecialPurpose: ['203.0.113.0/24'] } },
    }),
  );
  return { dir, file };
}

async function start(file: string): Promise<App> {
  const app = await App.start({ configPath: file, env: {}, logger: pino({ level: 'silent' }) });
  cleanup.push(() => app.stop());
  return app;
}

describe('tokens and the audit chain from the command line', () => {
  it('bootstraps an owner, mints and revokes named tokens, and finds a tampered audit log', async () => {
    const { dir, file } = workspace({});
    const boot = await cli(['tokens', 'create', '--config', file, '--name', 'root', '--role', 'owner']);
    const root = /secret \(shown once[^:]*\): (\S+)/.exec(boot.out)?.[1];
    expect(root).toMatch(/^fgt_/);

    const app = await start(file);
    const api = app.apiAddress!;
    const alice = await cli([
      'tokens',
      'create',
      '--api',
      api,
      '--token',
      root!,
      '--name',
      'alice',
      '--role',
      'readonly',
      '--tenant',
      'default',
      '--json',
    ]);
    const made = JSON.parse(alice.out) as { token: { id: string }; secret: string };
    const listed = await cli(['tokens', 'list', '--api', api, '--token', root!]);
    expect(listed.out).toMatch(/alice\s+readonly\s+default/);
    expect(listed.out).toMatch(/root\s+owner\s+\*/);

    await expect(
      cli([
        'rules',
        'add',
        '--api',
        api,
        '--token',
        made.secret,
        '--target',
        '203.0.113.9',
        '--intent',
        'drop',
      ]),
    ).rejects.toThrow(/403 forbidden/);
    const added = await cli([
      'rules',
      'add',
      '--api',
      api,
      '--token',
      root!,
      '--target',
      '203.0.113.9',
      '--intent',
      'drop',
    ]);
    expect(added.out).toMatch(/added|queued/);
    const rec = (await app.store.audit.query({ action: 'announce' }))[0];
    expect(rec?.actor).toBe('api:root');

    await cli(['tokens', 'revoke', made.token.id, '--api', api, '--token', root!]);
    const who = await request(`${api}/api/v1/auth/whoami`, {
      headers: { authorization: `Bearer ${made.secret}` },
    });
    expect(who.statusCode).toBe(401);
    await who.body.dump();

    const ok = await cli(['audit', 'verify', '--api', api, '--token', root!]);
    expect(ok.out).toMatch(/^audit log OK: \d+ records/);
    expect(ok.exitCode).toBe(0);
    await app.stop();

    // an attacker with database access deletes the record of the token's creation
    const { default: Database } = await import('better-sqlite3');
    const raw = new Database(join(dir, 'f.db'));
    raw.exec(`DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE reason LIKE '%"alice" created%'`);
    raw.close();
    const bad = await cli(['audit', 'verify', '--config', file]);
    expect(bad.exitCode).toBe(1);
    expect(bad.out).toMatch(/TAMPERED/);
    expect(bad.out).toMatch(/deleted/);
  }, 60_000);
});

describe('HTTP API options', () => {
  it('serves HTTPS with api.tls', async () => {
    const { dir, file } = workspace({}, TLS_HOST);
    selfSignedCertificate(dir, TLS_HOST, [`IP:${TLS_HOST}`]);
    const yaml = readFileSync(file, 'utf8').replace(
      'port: 0\n',
      `port: 0\n  token: tls-test-owner-token\n  tls:\n    cert: ${join(dir, 'cert.pem')}\n    key: ${join(dir, 'key.pem')}\n`,
    );
    writeFileSync(file, yaml);
    const app = await start(file);
    expect(app.apiAddress).toMatch(/^https:/);
    const agent = new Agent({ connect: { ca: readFileSync(join(dir, 'cert.pem')) } });
    cleanup.push(() => agent.close());
    const res = await request(`${app.apiAddress}/api/v1/auth/whoami`, {
      dispatcher: agent,
      headers: { authorization: 'Bearer tls-test-owner-token' },
    });
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toEqual({ name: 'config', role: 'owner', tenant: null });
    await expect(
      request(app.apiAddress!.replace('https:', 'http:') + '/healthz', { headersTimeout: 5000 }).then(
        async (r) => {
          await r.body.dump();
          return r.statusCode;
        },
      ),
    ).rejects.toThrow();
  }, 60_000);

  it('refuses api.anonymousRead off loopback', async () => {
    const { file } = workspace({ anonymousRead: true }, '0.0.0.0');
    await expect(App.start({ configPath: file, env: {}, logger: pino({ level: 'silent' }) })).rejects.toThrow(
      ConfigError,
    );
  });
});
