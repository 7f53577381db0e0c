import { describe, expect, it } from 'vitest';
import { emptyErrorCounts } from './errors.js';
import { pressureSince, pressureTotals, splitErrors, type PressureSnapshot } from './pressure.js';

const L = {
  address: '127.21.0.1',
  port: 2055,
  socketDrops: 0,
  decodeErrors: 0,
  queueOverflows: 0,
  rejected: 0,
  receiveErrors: 0,
};
const E = { address: '192.0.2.7', decodeErrors: 0, queueOverflows: 0, lostDatagrams: 0, lostRecords: 0 };

describe('back-pressure report', () => {
  it('reports nothing when no counter grew', () => {
    const s: PressureSnapshot = { listeners: [{ ...L, socketDrops: 5 }], exporters: [E] };
    expect(pressureSince(s, s)).toBeUndefined();
  });

  it('reports only what grew, as differences, per listener and exporter', () => {
    const prev: PressureSnapshot = {
      listeners: [
        { ...L, socketDrops: 5 },
        { ...L, port: 6343 },
      ],
      exporters: [E],
    };
    const cur: PressureSnapshot = {
      listeners: [
        { ...L, socketDrops: 12, decodeErrors: 1 },
        { ...L, port: 6343, receiveErrors: 1 },
      ],
      exporters: [
        { ...E, queueOverflows: 2 },
        { ...E, address: '198.51.100.1', lostDatagrams: 4 },
      ],
    };
    expect(pressureSince(prev, cur)).toEqual({
      listeners: [
        { ...L, socketDrops: 7, decodeErrors: 1 },
        { ...L, port: 6343, receiveErrors: 1 },
      ],
      exporters: [
        { ...E, queueOverflows: 2 },
        { ...E, address: '198.51.100.1', lostDatagrams: 4 },
      ],
    });
  });

  it('a counter that went down (socket re-created) restarts from zero', () => {
    const r = pressureSince(
      { listeners: [{ ...L, socketDrops: 100 }], exporters: [] },
      {
        listeners: [{ ...L, socketDrops: 3 }],
        exporters: [],
      },
    );
    expect(r?.listeners[0]?.socketDrops).toBe(3);
  });

  it('splits pending-overflow (queue) from decode errors, and totals for /healthz', () => {
    const e = emptyErrorCounts();
    e.truncated = 2;
    e['unknown-template'] = 3;
    e['pending-overflow'] = 4;
    expect(splitErrors(e)).toEqual({ decodeErrors: 5, queueOverflows: 4 });
    expect(
      pressureTotals({
        listeners: [
          { ...L, socketDrops: 1, rejected: 2 },
          { ...L, socketDrops: 10, decodeErrors: 3, queueOverflows: 1, receiveErrors: 2 },
        ],
        exporters: [{ ...E, lostDatagrams: 6 }],
      }),
    ).toEqual({
      socketDrops: 11,
      decodeErrors: 3,
      queueOverflows: 1,
      rejected: 2,
      receiveErrors: 2,
      sequenceLostDatagrams: 6,
    });
  });
});
