import { describe, expect, it } from 'vitest';
import { EventBus, type OpsEvent } from '../domain/events.js';
import { diffHealth, EMPTY_HEALTH, HealthWatcher, type HealthSample } from './health-events.js';

const sample = (over: Partial<HealthSample> = {}): HealthSample => ({
  adapters: {},
  sessions: {},
  exporters: {},
  ...over,
});

describe('diffHealth', () => {
  it('first sight reports only what is down; then every change once', () => {
    let r = diffHealth(
      EMPTY_HEALTH,
      sample({ adapters: { a: { status: 'up' }, b: { status: 'down', detail: 'refused' } } }),
      1,
      60_000,
    );
    expect(r.events).toEqual([{ type: 'adapter', at: 1, adapter: 'b', state: 'down', detail: 'refused' }]);
    r = diffHealth(
      r.state,
      sample({ adapters: { a: { status: 'degraded' }, b: { status: 'down' } } }),
      2,
      60_000,
    );
    expect(r.events).toEqual([]);
    r = diffHealth(r.state, sample({ adapters: { a: { status: 'down' }, b: { status: 'up' } } }), 3, 60_000);
    expect(r.events.map((e) => e.type === 'adapter' && `${e.adapter}:${e.state}`)).toEqual([
      'a:down',
      'b:up',
    ]);
  });

  it('BGP sessions: up on reaching Established, down on leaving it', () => {
    let r = diffHealth(EMPTY_HEALTH, sample({ sessions: { r1: 'Active' } }), 1, 1000);
    expect(r.events).toEqual([]);
    r = diffHealth(r.state, sample({ sessions: { r1: 'Established' } }), 2, 1000);
    expect(r.events).toEqual([
      { type: 'bgp-session', at: 2, peer: 'r1', state: 'up', detail: 'state Established' },
    ]);
    r = diffHealth(r.state, sample({ sessions: { r1: 'Idle' } }), 3, 1000);
    expect(r.events).toEqual([
      { type: 'bgp-session', at: 3, peer: 'r1', state: 'down', detail: 'state Idle' },
    ]);
  });

  it('exporters: silent once after the threshold, back when datagrams return', () => {
    let r = diffHealth(EMPTY_HEALTH, sample({ exporters: { e1: 1000 } }), 30_000, 60_000);
    expect(r.events).toEqual([]);
    r = diffHealth(r.state, sample({ exporters: { e1: 1000 } }), 61_000, 60_000);
    expect(r.events).toEqual([
      { type: 'exporter', at: 61_000, exporter: 'e1', state: 'silent', silentForMs: 60_000 },
    ]);
    r = diffHealth(r.state, sample({ exporters: { e1: 1000 } }), 62_000, 60_000);
    expect(r.events).toEqual([]);
    r = diffHealth(r.state, sample({ exporters: { e1: 62_500 } }), 63_000, 60_000);
    expect(r.events).toEqual([{ type: 'exporter', at: 63_000, exporter: 'e1', state: 'back' }]);
  });
});

describe('HealthWatcher', () => {
  it('publishes the changes it samples on the bus and survives a failing sampler', () => {
    const bus = new EventBus();
    const seen: OpsEvent[] = [];
    bus.subscribe((e) => seen.push(e));
    let status = 'up';
    let fail = false;
    const errors: unknown[] = [];
    const w = new HealthWatcher({
      bus,
      intervalMs: 1000,
      exporterSilentMs: 5000,
      sample: () => {
        if (fail) throw new Error('boom');
        return sample({ adapters: { x: { status } } });
      },
      onError: (e) => errors.push(e),
    });
    w.check(1);
    status = 'down';
    w.check(2);
    fail = true;
    w.check(3);
    fail = false;
    status = 'up';
    w.check(4);
    expect(seen.map((e) => e.type === 'adapter' && e.state)).toEqual(['down', 'up']);
    expect(errors).toHaveLength(1);
  });
});
