// What every Store's incident and dead-letter repositories must do; run by the SQLite unit test and
// the PostgreSQL interop test alike.
import { expect, it } from 'vitest';
import type { Incident } from '../notify/types.js';
import type { SqlStore } from './sql-store.js';

export function sampleIncident(id: string, over: Partial<Incident> = {}): Incident {
  return {
    id,
    tenant: 'acme',
    subject: '203.0.113.5/32',
    state: 'open',
    severity: 'warning',
    title: 'UDP flood on 203.0.113.5/32',
    openedAt: 1_000,
    updatedAt: 2_000,
    attackIds: ['a1'],
    activeAttacks: ['a1'],
    activeRules: [],
    mitigation: 'being watched',
    families: ['udp_flood'],
    peakBps: 1e9,
    peakPps: 1e5,
    timeline: [{ at: 1_000, kind: 'attack.start', text: 'UDP flood', publicText: 'Attack detected.' }],
    ...over,
  };
}

export function notifyStoreContract(open: () => Promise<SqlStore>): void {
  it('upserts incidents and lists them by tenant, state and update time, newest first', async () => {
    const store = await open();
    try {
      const incidents = store.incidents!;
      await incidents.upsert(sampleIncident('i1'));
      await incidents.upsert(sampleIncident('i2', { tenant: 'other', updatedAt: 5_000 }));
      await incidents.upsert(
        sampleIncident('i1', { state: 'resolved', resolvedAt: 9_000, updatedAt: 9_000 }),
      );
      expect(await incidents.get('i1')).toEqual(
        sampleIncident('i1', { state: 'resolved', resolvedAt: 9_000, updatedAt: 9_000 }),
      );
      expect(await incidents.get('nope')).toBeUndefined();
      expect((await incidents.list()).map((i) => i.id)).toEqual(['i1', 'i2']);
      expect((await incidents.list({ tenant: 'other' })).map((i) => i.id)).toEqual(['i2']);
      expect((await incidents.list({ states: ['open', 'acknowledged'] })).map((i) => i.id)).toEqual(['i2']);
      expect((await incidents.list({ since: 6_000 })).map((i) => i.id)).toEqual(['i1']);
    } finally {
      await store.close();
    }
  });

  it('keeps dead letters newest first, removes and trims them', async () => {
    const store = await open();
    try {
      const dl = store.deadLetters!;
      const message = {
        type: 'digest' as const,
        notices: [],
        count: 3,
        severity: 'info' as const,
        from: 1,
        to: 2,
        title: 't',
        text: 'x',
      };
      const ids: number[] = [];
      for (let i = 0; i < 5; i++)
        ids.push(await dl.add({ at: i, channel: 'slack', error: `e${i}`, attempts: 3, message }));
      expect((await dl.list()).map((d) => d.error)).toEqual(['e4', 'e3', 'e2', 'e1', 'e0']);
      expect(await dl.get(ids[0]!)).toEqual({
        id: ids[0],
        at: 0,
        channel: 'slack',
        error: 'e0',
        attempts: 3,
        message,
      });
      expect(await dl.remove(ids[4]!)).toBe(true);
      expect(await dl.remove(ids[4]!)).toBe(false);
      expect(await dl.trim(2)).toBe(2);
      expect((await dl.list()).map((d) => d.error)).toEqual(['e3', 'e2']);
      expect(await dl.trim(10)).toBe(0);
    } finally {
      await store.close();
    }
  });
}
