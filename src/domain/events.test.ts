import { describe, expect, it } from 'vitest';
import { EventBus, type OpsEvent } from './events.js';

describe('EventBus', () => {
  const ev: OpsEvent = { type: 'adapter', at: 1, adapter: 'gobgp', state: 'down' };

  it('delivers to every subscriber even when one throws, and reports the throw', () => {
    const errors: unknown[] = [];
    const bus = new EventBus((err) => errors.push(err));
    const seen: string[] = [];
    bus.subscribe(() => {
      throw new Error('boom');
    });
    bus.subscribe((e) => seen.push(e.type));
    bus.publish(ev);
    expect(seen).toEqual(['adapter']);
    expect(errors).toHaveLength(1);
  });

  it('unsubscribe stops delivery', () => {
    const bus = new EventBus();
    let n = 0;
    const off = bus.subscribe(() => n++);
    bus.publish(ev);
    off();
    bus.publish(ev);
    expect(n).toBe(1);
    expect(bus.size).toBe(0);
  });
});
