// The PostgreSQL store against a real PostgreSQL server started by the test on loopback.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../src/store/postgres.js';
import { budgetContract } from '../../src/store/budget-contract.js';
import { storeContract } from '../../src/store/store-contract.js';
import { notifyStoreContract } from '../../src/store/notify-contract.js';
import { startPostgres, type PostgresServer } from '../support/postgres.js';

describe('PostgreSQL store (real server)', () => {
  let server: PostgresServer;
  let n = 0;
  beforeAll(async () => {
    server = await startPostgres('127.0.70.1', 55432);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  // each test gets a fresh database so the contract runs on an empty store
  async function freshUrl(): Promise<string> {
    const name = `t${++n}`;
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    return server.url.replace(/\/postgres$/, `/${name}`);
  }

  storeContract(async () => openPostgresStore(await freshUrl()));
  notifyStoreContract(async () => openPostgresStore(await freshUrl()));

  // two store instances on one database stand for two processes
  budgetContract(async () => {
    const url = await freshUrl();
    const [a, b] = await Promise.all([openPostgresStore(url), openPostgresStore(url)]);
    if (!a.budget || !b.budget) throw new Error('the PostgreSQL store has no budget');
    return {
      budget: a.budget,
      other: b.budget,
      rules: a.rules,
      close: async () => void (await Promise.all([a.close(), b.close()])),
    };
  });

  it('two stores migrating the same database at once both succeed', async () => {
    const url = await freshUrl();
    const [a, b] = await Promise.all([openPostgresStore(url), openPostgresStore(url)]);
    await a.state.put('x', '1');
    expect(await b.state.get('x')).toBe('1');
    await Promise.all([a.close(), b.close()]);
  });

  it('the audit table refuses UPDATE and DELETE', async () => {
    const url = await freshUrl();
    const store = await openPostgresStore(url);
    await store.audit.append({
      at: 1,
      actor: 'engine',
      action: 'announce',
      tenant: 'd',
      dryRun: true,
      reason: 'r',
    });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await expect(client.query(`UPDATE audit SET reason = 'x'`)).rejects.toThrow(/append-only/);
    await expect(client.query(`DELETE FROM audit`)).rejects.toThrow(/append-only/);
    await client.end();
    await store.close();
  });

  it('advisory locks exclude across two store instances (two processes share nothing else)', async () => {
    const url = await freshUrl();
    const [a, b] = await Promise.all([openPostgresStore(url), openPostgresStore(url)]);
    const order: string[] = [];
    await Promise.all([
      a.locks.withLock('203.0.113.5/32', async () => {
        order.push('a-start');
        await new Promise((r) => setTimeout(r, 100));
        order.push('a-end');
      }),
      new Promise((r) => setTimeout(r, 20)).then(() =>
        b.locks.withLock('203.0.113.5/32', async () => void order.push('b')),
      ),
    ]);
    expect(order).toEqual(['a-start', 'a-end', 'b']);
    await Promise.all([a.close(), b.close()]);
  });
});
