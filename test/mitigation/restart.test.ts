// Restart-proofness and many processes, on the virtual clock with the in-memory store double.
// (The kill -9 test against a real gobgpd and the two-process PostgreSQL test belong to the lead's
// interop suite; these prove the engine side of both.)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { MemoryStore } from '../../src/store/memory.js';
import { Rig, baseConfig } from './harness.js';

describe('restart', () => {
  it('restores active rules, withdraws those whose TTL ran out, removes orphans, re-announces missing', async () => {
    const store = new MemoryStore();
    const first = await new Rig(baseConfig(), { store, instanceId: 'a' }).start();
    first.event({ target: '203.0.113.1/32' });
    await first.settle();
    await first.advance(200_000);
    first.event({ target: '203.0.113.2/32' });
    first.event({ target: '203.0.113.3/32' });
    await first.settle();
    const adapter = first.adapter;
    const ids = first.active().map((r) => r.id);
    expect(ids).toHaveLength(3);
    // "kill -9": the runner is dropped without stop(). The router lost rule 3 (session reset) and holds
    // an orphan the store knows as withdrawn.
    const r3 = first.active().find((r) => r.target === '203.0.113.3/32');
    adapter.held.delete(r3?.id as string);
    await store.rules.upsert({
      ...(first.active()[0] as NonNullable<ReturnType<typeof first.active>[0]>),
      id: 'old',
      target: '203.0.113.77/32',
      state: 'withdrawn',
    });
    adapter.held.set('old', { ruleId: 'old', target: '203.0.113.77/32', description: 'orphan' });

    // 150 s later: rule 1 (last event 200 s before the crash) has run out; 2 and 3 have not.
    const second = new Rig(baseConfig(), {
      store,
      instanceId: 'b',
      reuse: [adapter],
      start: first.now() + 150_000,
    });
    adapter.calls.length = 0;
    await second.start();
    const active = second
      .active()
      .map((r) => r.target)
      .sort();
    expect(active).toEqual(['203.0.113.2/32', '203.0.113.3/32']);
    const calls = adapter.calls.map((c) => `${c.op} ${c.rule.target}`).sort();
    expect(calls).toEqual(['announce 203.0.113.3/32', 'withdraw 203.0.113.1/32', 'withdraw 203.0.113.77/32']);
    expect([...adapter.held.values()].map((h) => h.target).sort()).toEqual(active);
    expect(
      (await store.rules.list({ states: ['announced', 'pending'] })).map((r) => r.target).sort(),
    ).toEqual(active);
    // the restored rules keep their TTL and expire on time
    await second.advance(400_000);
    expect(adapter.held.size).toBe(0);
  });
});

describe('many processes sharing one store', () => {
  it('two engines receiving the same attack produce exactly one rule', async () => {
    const store = new MemoryStore();
    const a = await new Rig(baseConfig(), { store, instanceId: 'a' }).start();
    const b = await new Rig(baseConfig(), { store, instanceId: 'b', reuse: a.adapters }).start();
    b.clock.set(a.now());
    a.event({ node: 'r1' });
    b.event({ node: 'r1' });
    await Promise.all([a.settle(), b.settle()]);
    await Promise.all([a.settle(), b.settle()]);
    expect(a.adapter.announces()).toHaveLength(1);
    const live = await store.rules.list({ states: ['pending', 'announced'] });
    expect(live).toHaveLength(1);
    expect(a.active().map((r) => r.id)).toEqual(b.active().map((r) => r.id));
    expect(b.actions('refresh')[0]?.reason).toContain('already held by another process');
  });
});

describe('restart on the SQLite store', () => {
  it('a second process on the same database file restores the active set and expires the rest', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fg-mit-'));
    try {
      const file = join(dir, 'fg.db');
      const s1 = await openSqliteStore(file);
      const first = await new Rig(baseConfig(), { store: s1, instanceId: 'a' }).start();
      first.event({ target: '203.0.113.1/32', bps: 6e8 });
      await first.settle();
      await first.advance(200_000);
      first.event({ target: '203.0.113.2/32', bps: 3e9 });
      await first.settle();
      const before = first.active();
      expect(before.map((r) => r.intent).sort()).toEqual(['blackhole', 'drop']);
      await s1.close(); // the process dies here; nothing else is flushed
      const s2 = await openSqliteStore(file);
      const second = new Rig(baseConfig(), {
        store: s2,
        instanceId: 'b',
        reuse: first.adapters,
        start: first.now() + 150_000,
      });
      await second.start();
      expect(second.active()).toEqual([before.find((r) => r.intent === 'blackhole')]);
      expect([...first.adapter.held.values()].map((h) => h.target)).toEqual(['203.0.113.2/32']);
      expect((await s2.audit.query({ action: 'withdraw' }))[0]?.reason).toContain(
        'TTL ran out while the engine was down',
      );
      await s2.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
