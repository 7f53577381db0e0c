// The behaviour every Store implementation must show; run by the SQLite unit test and the
// PostgreSQL interop test alike.
import { expect, it } from 'vitest';
import type { AttackEvent } from '../domain/attack.js';
import type { Store } from '../domain/store-port.js';
import { sampleRule } from '../domain/sample-rule.js';

export function sampleEvent(kind: AttackEvent['kind'], at: number): AttackEvent {
  return {
    attackId: 'a1',
    kind,
    target: '203.0.113.5/32',
    direction: 'incoming',
    family: 'udp_flood',
    reason: 'pps above 10000',
    node: '127.0.0.1',
    hostGroup: 'default',
    at,
    startedAt: 1_000,
    pps: 50_000,
    bps: 4e8,
    peakPps: 50_000,
    peakBps: 4e8,
    thresholdPps: 10_000,
    severity: 5,
    signature: { protocols: [17], coverage: 0.98 },
  };
}

export function storeContract(open: () => Promise<Store>): void {
  it('upserts, gets and lists rules by state and tenant', async () => {
    const store = await open();
    try {
      await store.rules.upsert(sampleRule('r1'));
      await store.rules.upsert(sampleRule('r2', { tenant: 'other', state: 'withdrawn' }));
      await store.rules.upsert(sampleRule('r1', { state: 'withdrawn' }));
      expect((await store.rules.get('r1'))?.state).toBe('withdrawn');
      expect(await store.rules.get('missing')).toBeUndefined();
      expect((await store.rules.list({ tenant: 'other' })).map((r) => r.id)).toEqual(['r2']);
      expect(await store.rules.list({ states: ['announced'] })).toEqual([]);
      expect((await store.rules.list()).length).toBe(2);
      expect(await store.rules.get('r2')).toEqual(sampleRule('r2', { tenant: 'other', state: 'withdrawn' }));
    } finally {
      await store.close();
    }
  });

  it('records attack events and reports active and ended attacks', async () => {
    const store = await open();
    try {
      await store.attacks.record(sampleEvent('start', 1_000));
      expect((await store.attacks.list({ active: true })).length).toBe(1);
      await store.attacks.record(sampleEvent('end', 9_000));
      const [a] = await store.attacks.list();
      expect(a?.endedAt).toBe(9_000);
      expect(a?.lastEvent.kind).toBe('end');
      expect(await store.attacks.list({ active: true })).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('appends audit records with payloads, filters them, and refuses updates and deletes', async () => {
    const store = await open();
    try {
      const id1 = await store.audit.append({
        at: 10,
        actor: 'engine',
        action: 'announce',
        tenant: 'default',
        target: '203.0.113.5/32',
        ruleId: 'r1',
        adapter: 'dry-run',
        dryRun: true,
        reason: 'level 1',
        payload: { text: 'flow4 dst 203.0.113.5/32', nested: [1, 2] },
      });
      const id2 = await store.audit.append({
        at: 20,
        actor: 'api',
        action: 'withdraw',
        tenant: 'default',
        dryRun: false,
        reason: 'manual',
      });
      expect(id2).toBeGreaterThan(id1);
      const all = await store.audit.query();
      expect(all.map((r) => r.id)).toEqual([id2, id1]);
      expect(all[1]?.payload).toEqual({ text: 'flow4 dst 203.0.113.5/32', nested: [1, 2] });
      expect(all[1]?.dryRun).toBe(true);
      expect((await store.audit.query({ action: 'withdraw' })).map((r) => r.id)).toEqual([id2]);
      expect((await store.audit.query({ ruleId: 'r1' })).length).toBe(1);
      expect((await store.audit.query({ since: 15 })).length).toBe(1);
      expect((await store.audit.query({ afterId: id1 })).map((r) => r.id)).toEqual([id2]);
      await expect(store.audit.query({ limit: 1 })).resolves.toHaveLength(1);
    } finally {
      await store.close();
    }
  });

  it('keeps API tokens by secret hash, unique active names, and revokes them', async () => {
    const store = await open();
    try {
      const base = {
        role: 'operator',
        tenant: 'blue',
        createdAt: 5,
        createdBy: 'api:config',
        rateLimit: null,
      } as const;
      const alice = await store.tokens.create({ ...base, id: 't1', name: 'alice', secretHash: 'h1' });
      expect(alice).toEqual({ ...base, id: 't1', name: 'alice', revokedAt: null });
      await store.tokens.create({
        ...base,
        id: 't2',
        name: 'bob',
        tenant: null,
        secretHash: 'h2',
        rateLimit: 10,
      });
      await expect(
        store.tokens.create({ ...base, id: 't3', name: 'alice', secretHash: 'h3' }),
      ).rejects.toThrow();
      expect((await store.tokens.findActiveBySecretHash('h2'))?.rateLimit).toBe(10);
      expect((await store.tokens.list({ tenant: 'blue' })).map((t) => t.name)).toEqual(['alice']);
      expect(await store.tokens.revoke('t1', 9)).toBe(true);
      expect(await store.tokens.revoke('t1', 10)).toBe(false);
      expect(await store.tokens.findActiveBySecretHash('h1')).toBeUndefined();
      expect((await store.tokens.get('t1'))?.revokedAt).toBe(9);
      expect((await store.tokens.list()).map((t) => t.name)).toEqual(['bob']);
      expect((await store.tokens.list({ includeRevoked: true })).length).toBe(2);
      // a revoked name can be used again
      await store.tokens.create({ ...base, id: 't4', name: 'alice', secretHash: 'h4' });
    } finally {
      await store.close();
    }
  });

  it('serialises work under one lock key', async () => {
    const store = await open();
    try {
      const order: string[] = [];
      const slow = store.locks.withLock('t', async () => {
        order.push('a-start');
        await new Promise((r) => setTimeout(r, 30));
        order.push('a-end');
      });
      const fast = store.locks.withLock('t', async () => {
        order.push('b');
      });
      await Promise.all([slow, fast]);
      expect(order).toEqual(['a-start', 'a-end', 'b']);
    } finally {
      await store.close();
    }
  });
}
