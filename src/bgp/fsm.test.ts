import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  initialState,
  resolveCollision,
  retryDelay,
  SESSION_STATES,
  step,
  TRANSITIONS,
  type FsmConfig,
  type FsmEvent,
  type FsmState,
} from './fsm.js';
import type { OpenMessage } from './codec/open.js';
import { bgpError } from './codec/errors.js';

const cfg = (over: Partial<FsmConfig> = {}): FsmConfig => ({
  passive: false,
  holdTime: 90,
  remoteAs: 65001,
  localBgpId: '10.0.0.1',
  connectRetryMs: 1000,
  maxRetryMs: 60000,
  random: () => 0.5,
  ...over,
});
const open = (over: Partial<OpenMessage> = {}): OpenMessage => ({
  version: 4,
  myAs: 65001,
  holdTime: 30,
  bgpId: '10.0.0.2',
  capabilities: [],
  ...over,
});

function run(s: FsmState, events: FsmEvent[]): { s: FsmState; effects: string[] } {
  const effects: string[] = [];
  for (const e of events) {
    const r = step(s, e, 0);
    s = r.state;
    for (const f of r.effects) {
      effects.push(
        f.type === 'set-timer'
          ? `set ${f.timer} ${f.ms}`
          : f.type === 'clear-timer'
            ? `clear ${f.timer}`
            : f.type === 'send-notification'
              ? `notify ${f.code}/${f.subcode}`
              : f.type,
      );
    }
  }
  return { s, effects };
}

const up: FsmEvent[] = [
  { type: 'start' },
  { type: 'tcp-connected' },
  { type: 'open-received', open: open() },
  { type: 'keepalive-received' },
];

describe('BGP FSM (RFC 4271 §8)', () => {
  it('active peer: Idle → Connect → OpenSent → OpenConfirm → Established with negotiated timers', () => {
    const r = run(initialState(cfg(), 0), up);
    expect(r.s.state).toBe('Established');
    expect(r.s.holdTime).toBe(30);
    expect(r.effects).toEqual([
      'connect',
      'set connect-retry 1000',
      'clear connect-retry',
      'send-open',
      'set hold 240000',
      'send-keepalive',
      'set keepalive 10000',
      'set hold 30000',
      'set hold 30000',
      'established',
    ]);
  });

  it('passive peer waits in Active without connecting', () => {
    const r = run(initialState(cfg({ passive: true }), 0), [
      { type: 'start' },
      { type: 'timer', timer: 'connect-retry' },
    ]);
    expect(r.s.state).toBe('Active');
    expect(r.effects).toEqual([]);
  });

  it('hold time 0 disables keepalives and the hold timer', () => {
    const r = run(initialState(cfg(), 0), [
      { type: 'start' },
      { type: 'tcp-connected' },
      { type: 'open-received', open: open({ holdTime: 0 }) },
      { type: 'keepalive-received' },
      { type: 'timer', timer: 'keepalive' },
    ]);
    expect(r.s.state).toBe('Established');
    expect(r.effects.filter((e) => e.startsWith('set keepalive') || e === 'send-keepalive')).toEqual([
      'send-keepalive',
    ]);
  });

  it.each([
    ['bad peer AS', { type: 'open-received', open: open({ myAs: 65099 }) } as FsmEvent, 'notify 2/2'],
    ['hold timer in OpenSent', { type: 'timer', timer: 'hold' } as FsmEvent, 'notify 4/0'],
    ['KEEPALIVE in OpenSent (RFC 6608)', { type: 'keepalive-received' } as FsmEvent, 'notify 5/1'],
    ['malformed message', { type: 'message-error', error: bgpError(1, 2, 'x') } as FsmEvent, 'notify 1/2'],
  ])('%s → NOTIFICATION, close, Idle with restart timer', (_n, e, note) => {
    const r = run(initialState(cfg(), 0), [{ type: 'start' }, { type: 'tcp-connected' }, e]);
    expect(r.s.state).toBe('Idle');
    expect(r.effects.slice(-6)).toEqual([
      note,
      'close',
      'clear connect-retry',
      'clear hold',
      'clear keepalive',
      'set connect-retry 1000',
    ]);
  });

  it('Established: hold expiry sends 4/0, reports down and restarts after backoff', () => {
    const r = run(initialState(cfg(), 0), [...up, { type: 'timer', timer: 'hold' }]);
    expect(r.s.state).toBe('Idle');
    expect(r.effects.slice(-7)).toEqual([
      'notify 4/0',
      'close',
      'clear connect-retry',
      'clear hold',
      'clear keepalive',
      'down',
      'set connect-retry 1000',
    ]);
    const again = run(r.s, [{ type: 'timer', timer: 'connect-retry' }]);
    expect(again.s.state).toBe('Connect');
  });

  it('keepalive timer sends KEEPALIVE and re-arms; UPDATE re-arms hold', () => {
    const r = run(initialState(cfg(), 0), [...up]);
    expect(run(r.s, [{ type: 'timer', timer: 'keepalive' }]).effects).toEqual([
      'send-keepalive',
      'set keepalive 10000',
    ]);
    expect(run(r.s, [{ type: 'update-received' }]).effects).toEqual(['set hold 30000']);
    expect(run(r.s, [{ type: 'open-received', open: open() }]).effects[0]).toBe('notify 5/3');
  });

  it('stop sends Cease and never restarts', () => {
    const r = run(initialState(cfg(), 0), [
      ...up,
      { type: 'stop', reason: 'bye' },
      { type: 'timer', timer: 'connect-retry' },
    ]);
    expect(r.s.state).toBe('Idle');
    expect(r.effects).toContain('notify 6/2');
    expect(r.effects.filter((e) => e.startsWith('set connect-retry'))).toHaveLength(1); // only the initial one
  });

  it('backoff doubles per failure with bounded jitter', () => {
    const c = cfg({ random: () => 0 });
    expect([0, 1, 2, 3, 10].map((n) => retryDelay(c, n))).toEqual([750, 1500, 3000, 6000, 45000]);
    expect(retryDelay(cfg({ random: () => 0.999999 }), 20)).toBeLessThanOrEqual(75000);
    let s = initialState(c, 0);
    const delays: number[] = [];
    s = step(s, { type: 'start' }, 0).state;
    for (let i = 0; i < 4; i++) {
      s = step(s, { type: 'tcp-connected' }, 0).state;
      const r = step(s, { type: 'tcp-failed', reason: 'reset' }, 0);
      s = r.state;
      for (const e of r.effects) if (e.type === 'set-timer') delays.push(e.ms);
      s = step(s, { type: 'timer', timer: 'connect-retry' }, 0).state;
    }
    expect(delays).toEqual([750, 1500, 3000, 6000]);
  });

  it('every reachable transition is in the table, for any event sequence', () => {
    const ev: fc.Arbitrary<FsmEvent> = fc.constantFrom<FsmEvent>(
      { type: 'start' },
      { type: 'tcp-connected' },
      { type: 'tcp-failed', reason: 'x' },
      { type: 'open-received', open: open() },
      { type: 'open-received', open: open({ myAs: 1 }) },
      { type: 'keepalive-received' },
      { type: 'update-received' },
      { type: 'route-refresh-received' },
      { type: 'timer', timer: 'hold' },
      { type: 'timer', timer: 'keepalive' },
      { type: 'timer', timer: 'connect-retry' },
      { type: 'notification-received', notification: { code: 6, subcode: 2, data: new Uint8Array(0) } },
      { type: 'message-error', error: bgpError(3, 1, 'x') },
      { type: 'stop', reason: 'x' },
    );
    fc.assert(
      fc.property(fc.boolean(), fc.array(ev, { maxLength: 40 }), (passive, events) => {
        let s = initialState(cfg({ passive }), 0);
        for (const e of events) {
          const r = step(s, e, 0);
          expect(TRANSITIONS[s.state]).toContain(r.state.state);
          expect(SESSION_STATES).toContain(r.state.state);
          if (r.effects.some((x) => x.type === 'established')) expect(r.state.state).toBe('Established');
          s = r.state;
        }
      }),
      { numRuns: 500 },
    );
  });

  it('collision: the connection opened by the higher BGP identifier survives (RFC 4271 §6.8)', () => {
    expect(resolveCollision('10.0.0.9', '10.0.0.1', true)).toBe('existing');
    expect(resolveCollision('10.0.0.9', '10.0.0.1', false)).toBe('incoming');
    expect(resolveCollision('10.0.0.1', '10.0.0.9', true)).toBe('incoming');
    expect(resolveCollision('10.0.0.1', '10.0.0.9', false)).toBe('existing');
  });
});
