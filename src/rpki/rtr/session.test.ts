import { describe, expect, it } from 'vitest';
import { makeVrp } from '../vrp.js';
import type { RtrPdu } from './pdu.js';
import { type RtrEffect, type RtrState, initialRtrState, rtrStep } from './session.js';

const A = makeVrp('203.0.113.0/24', 24, 64500);
const B = makeVrp('2001:db8::/32', 48, 64500);

function run(state: RtrState, ...pdus: RtrPdu[]): { state: RtrState; effects: RtrEffect[] } {
  const effects: RtrEffect[] = [];
  for (const pdu of pdus) {
    const out = rtrStep(state, { type: 'pdu', pdu });
    state = out.state;
    effects.push(...out.effects);
  }
  return { state, effects };
}

const sent = (effects: readonly RtrEffect[]) =>
  effects.flatMap((e) =>
    e.type === 'send' ? [e.pdu.type === 'error-report' ? `error-${e.pdu.code}` : e.pdu.type] : [],
  );

function synced(): RtrState {
  let s = rtrStep(initialRtrState(1), { type: 'connected' }).state;
  s = run(
    s,
    { type: 'cache-response', version: 1, sessionId: 9 },
    { type: 'prefix', version: 1, announce: true, vrp: A },
    { type: 'prefix', version: 1, announce: true, vrp: B },
    {
      type: 'end-of-data',
      version: 1,
      sessionId: 9,
      serial: 4,
      timers: { refresh: 5, retry: 2, expire: 30 },
    },
  ).state;
  return s;
}

describe('RTR router session (RFC 8210 §8)', () => {
  it('starts with a Reset Query and applies the full set at End of Data', () => {
    const first = rtrStep(initialRtrState(1), { type: 'connected' });
    expect(sent(first.effects)).toEqual(['reset-query']);
    const s = synced();
    expect(s.phase).toBe('synced');
    expect(s.serial).toBe(4);
    expect(s.vrps.size).toBe(2);
    expect(s.timers).toEqual({ refresh: 5, retry: 2, expire: 30 });
  });

  it('reconnects with a Serial Query and applies increments atomically', () => {
    let s = rtrStep(synced(), { type: 'closed' }).state;
    const q = rtrStep(s, { type: 'connected' });
    expect(q.effects).toEqual([
      { type: 'send', pdu: { type: 'serial-query', version: 1, sessionId: 9, serial: 4 } },
    ]);
    s = q.state;
    const mid = run(
      s,
      { type: 'cache-response', version: 1, sessionId: 9 },
      { type: 'prefix', version: 1, announce: false, vrp: A },
    );
    expect(mid.state.vrps.size).toBe(2); // nothing applied before End of Data
    const done = run(mid.state, { type: 'end-of-data', version: 1, sessionId: 9, serial: 5 });
    expect([...done.state.vrps.values()]).toEqual([B]);
    expect(done.effects).toContainEqual({ type: 'synced', serial: 5, announced: 0, withdrawn: 1 });
  });

  it('answers Serial Notify with a Serial Query, and ignores one for the serial it has', () => {
    const s = synced();
    expect(sent(run(s, { type: 'serial-notify', version: 1, sessionId: 9, serial: 5 }).effects)).toEqual([
      'serial-query',
    ]);
    expect(sent(run(s, { type: 'serial-notify', version: 1, sessionId: 9, serial: 4 }).effects)).toEqual([]);
  });

  it('Cache Reset forgets the session and sends a Reset Query; the new full set replaces the old', () => {
    let s = rtrStep(synced(), { type: 'refresh' }).state;
    const reset = run(s, { type: 'cache-reset', version: 1 });
    expect(sent(reset.effects)).toEqual(['reset-query']);
    s = run(
      reset.state,
      { type: 'cache-response', version: 1, sessionId: 10 },
      { type: 'prefix', version: 1, announce: true, vrp: B },
      { type: 'end-of-data', version: 1, sessionId: 10, serial: 1 },
    ).state;
    expect([...s.vrps.values()]).toEqual([B]);
    expect(s.sessionId).toBe(10);
  });

  it.each<[string, RtrPdu[], number]>([
    [
      'withdrawal of an unknown record',
      [{ type: 'prefix', version: 1, announce: false, vrp: makeVrp('10.0.0.0/8', 8, 1) }],
      6,
    ],
    ['a duplicate announcement', [{ type: 'prefix', version: 1, announce: true, vrp: A }], 7],
    ['a PDU of another version', [{ type: 'prefix', version: 0, announce: true, vrp: A }], 8],
    ['End of Data for another session', [{ type: 'end-of-data', version: 1, sessionId: 77, serial: 1 }], 0],
  ])('ends the session with an Error Report on %s, keeping the last good set', (_n, pdus, code) => {
    let s = rtrStep(rtrStep(synced(), { type: 'refresh' }).state, {
      type: 'pdu',
      pdu: { type: 'cache-response', version: 1, sessionId: 9 },
    }).state;
    const out = run(s, ...pdus);
    expect(sent(out.effects)).toEqual([`error-${code}`]);
    expect(out.effects.some((e) => e.type === 'close')).toBe(true);
    s = out.state;
    expect(s.vrps.size).toBe(2);
    expect(s.sessionId).toBeUndefined(); // next connection starts over with a Reset Query
    expect(sent(rtrStep(s, { type: 'connected' }).effects)).toEqual(['reset-query']);
  });

  it('steps down to version 0 when the cache reports Unsupported Protocol Version in v0 (§7)', () => {
    const s = rtrStep(initialRtrState(1), { type: 'connected' }).state;
    const out = run(s, { type: 'error-report', version: 0, code: 4, pdu: new Uint8Array(), text: 'v0 only' });
    expect(out.effects).toContainEqual({ type: 'downgrade', version: 0 });
    expect(out.state.version).toBe(0);
    expect(rtrStep(out.state, { type: 'connected' }).effects).toEqual([
      { type: 'send', pdu: { type: 'reset-query', version: 0 } },
    ]);
  });

  it('a v0 End of Data keeps the default timers', () => {
    let s = rtrStep(initialRtrState(0), { type: 'connected' }).state;
    s = run(
      s,
      { type: 'cache-response', version: 0, sessionId: 1 },
      { type: 'end-of-data', version: 0, sessionId: 1, serial: 0 },
    ).state;
    expect(s.timers).toEqual({ refresh: 3600, retry: 600, expire: 7200 });
  });

  it('expiry flushes the data', () => {
    const out = rtrStep(synced(), { type: 'expired' });
    expect(out.state.vrps.size).toBe(0);
    expect(out.effects[0]?.type).toBe('flushed');
  });

  it('refresh during a transaction waits for End of Data', () => {
    const s = rtrStep(initialRtrState(1), { type: 'connected' }).state;
    expect(rtrStep(s, { type: 'refresh' }).effects).toEqual([]);
  });
});

describe('version negotiation when the cache answers in version 0 (RFC 8210 §7)', () => {
  it('adopts version 0 from a v0 Cache Response and uses it for later queries', () => {
    let s = rtrStep(initialRtrState(1), { type: 'connected' }).state;
    s = run(
      s,
      { type: 'cache-response', version: 0, sessionId: 3 },
      { type: 'prefix', version: 0, announce: true, vrp: A },
      { type: 'end-of-data', version: 0, sessionId: 3, serial: 1 },
    ).state;
    expect(s.version).toBe(0);
    expect(s.vrps.size).toBe(1);
    expect(rtrStep(s, { type: 'refresh' }).effects).toEqual([
      { type: 'send', pdu: { type: 'serial-query', version: 0, sessionId: 3, serial: 1 } },
    ]);
  });
});
