// API and audit figures: hash-chained audit appends per second (SQLite, file in WAL mode), chain
// verification rate, and authenticated requests per second through fastify inject (token lookup,
// permission check and rate limiter included). Prints JSON when run directly.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApi } from '../src/api/server.js';
import { bearer, openFixture, secretOf } from '../src/api/testing.js';
import { openSqliteStore } from '../src/store/sqlite.js';

async function auditFigures(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'fg-bench-audit-'));
  try {
    const store = await openSqliteStore(join(dir, 'a.db'));
    const n = 5000;
    const t0 = performance.now();
    for (let i = 0; i < n; i++)
      await store.audit.append({
        at: Date.now(),
        actor: 'engine',
        action: 'announce',
        tenant: 'default',
        target: '203.0.113.5/32',
        ruleId: `r${i}`,
        dryRun: true,
        reason: 'bench',
        payload: { text: 'flow4 dst 203.0.113.5/32 proto =17 then rate 12500000', n: i },
      });
    const t1 = performance.now();
    const v = await store.audit.verify();
    const t2 = performance.now();
    await store.close();
    if (!v.ok) throw new Error('chain broken');
    return {
      auditAppendsPerSecond: Math.round(n / ((t1 - t0) / 1000)),
      auditVerifyRecordsPerSecond: Math.round(n / ((t2 - t1) / 1000)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function apiFigures(): Promise<Record<string, number>> {
  const fx = await openFixture();
  const app = buildApi(fx.ports, { rateLimit: { max: 1e9, timeWindowMs: 60_000 } });
  await app.ready();
  const headers = bearer(secretOf('operator', 'bluecorp'));
  const n = 2000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await app.inject({ url: '/api/v1/auth/whoami', headers });
  const t1 = performance.now();
  for (let i = 0; i < n; i++) await app.inject({ url: '/api/v1/rules?active=true', headers });
  const t2 = performance.now();
  await app.close();
  await fx.close();
  return {
    whoamiRequestsPerSecond: Math.round(n / ((t1 - t0) / 1000)),
    tenantRuleListsPerSecond: Math.round(n / ((t2 - t1) / 1000)),
  };
}

export async function run(): Promise<Record<string, number>> {
  return { ...(await auditFigures()), ...(await apiFigures()) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(JSON.stringify(await run(), null, 2) + '\n');
}
