// The audit hash chain on a real PostgreSQL server: tampering with the database directly (edit, delete,
// reorder, truncate, insert around the store) is found by verify(), and appends from two stores at once
// (two processes) still form one unbroken chain.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditChainContract } from '../../src/store/audit-chain-contract.js';
import { openPostgresStore } from '../../src/store/postgres.js';
import { startPostgres, type PostgresServer } from '../support/postgres.js';

describe('audit hash chain on PostgreSQL (real server)', () => {
  let server: PostgresServer;
  let n = 0;
  beforeAll(async () => {
    server = await startPostgres('127.17.0.1', 55433);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  async function freshUrl(): Promise<string> {
    const name = `c${++n}`;
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    return server.url.replace(/\/postgres$/, `/${name}`);
  }

  auditChainContract(async () => {
    const url = await freshUrl();
    const store = await openPostgresStore(url);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return {
      store,
      exec: async (sql) => void (await client.query(sql)),
      close: async () => {
        await client.end();
        await store.close();
      },
    };
  }, 'postgres');

  it('appends from two stores at once form one unbroken chain', async () => {
    const url = await freshUrl();
    const [a, b] = await Promise.all([openPostgresStore(url), openPostgresStore(url)]);
    const one = (s: typeof a, i: number) =>
      s.audit.append({
        at: i,
        actor: 'engine',
        action: 'announce',
        tenant: 'd',
        dryRun: true,
        reason: `r${i}`,
      });
    await Promise.all(Array.from({ length: 40 }, (_, i) => one(i % 2 ? a : b, i)));
    expect(await a.audit.verify()).toMatchObject({ ok: true, records: 40, problems: [] });
    await Promise.all([a.close(), b.close()]);
  });
});
