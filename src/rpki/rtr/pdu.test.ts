import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { formatVrp, makeVrp } from '../vrp.js';
import { RtrDecodeError, decodePdu, decodeStream, encodePdu, type RtrPdu } from './pdu.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// name | wire bytes (RFC 8210 §5 layouts) | decoded
const vectors: [string, string, RtrPdu][] = [
  [
    'Serial Notify',
    '01 00 cb53 0000000c 00000007',
    { type: 'serial-notify', version: 1, sessionId: 0xcb53, serial: 7 },
  ],
  [
    'Serial Query',
    '01 01 cb53 0000000c 00000007',
    { type: 'serial-query', version: 1, sessionId: 0xcb53, serial: 7 },
  ],
  ['Reset Query v1', '01 02 0000 00000008', { type: 'reset-query', version: 1 }],
  ['Reset Query v0', '00 02 0000 00000008', { type: 'reset-query', version: 0 }],
  ['Cache Response', '01 03 cb53 00000008', { type: 'cache-response', version: 1, sessionId: 0xcb53 }],
  [
    'IPv4 Prefix announce 203.0.113.0/24-24 AS64500',
    '01 04 0000 00000014 01 18 18 00 cb007100 0000fbf4',
    { type: 'prefix', version: 1, announce: true, vrp: makeVrp('203.0.113.0/24', 24, 64500) },
  ],
  [
    'IPv6 Prefix withdraw 2001:db8::/32-48 AS64500',
    '01 06 0000 00000020 00 20 30 00 20010db8000000000000000000000000 0000fbf4',
    { type: 'prefix', version: 1, announce: false, vrp: makeVrp('2001:db8::/32', 48, 64500) },
  ],
  [
    'End of Data v1 with timers',
    '01 07 cb53 00000018 00000002 00000e10 00000258 00001c20',
    {
      type: 'end-of-data',
      version: 1,
      sessionId: 0xcb53,
      serial: 2,
      timers: { refresh: 3600, retry: 600, expire: 7200 },
    },
  ],
  [
    'End of Data v0',
    '00 07 cb53 0000000c 00000002',
    { type: 'end-of-data', version: 0, sessionId: 0xcb53, serial: 2 },
  ],
  ['Cache Reset', '01 08 0000 00000008', { type: 'cache-reset', version: 1 }],
  [
    'Error Report: Unsupported Protocol Version, with the PDU and text',
    '00 0a 0004 0000001d 00000008 01020000 00000008 00000005 68656c6c6f',
    {
      type: 'error-report',
      version: 0,
      code: 4,
      pdu: Uint8Array.from(hex('0102000000000008')),
      text: 'hello',
    },
  ],
];

describe('RTR PDU wire vectors', () => {
  it.each(vectors)('%s', (_name, wire, pdu) => {
    const bytes = hex(wire);
    expect(decodePdu(bytes)).toEqual(pdu);
    expect(encodePdu(pdu).toString('hex')).toBe(bytes.toString('hex'));
  });

  it('keeps partial PDUs for the next read and splits whole ones', () => {
    const a = encodePdu(vectors[4]![2]);
    const b = encodePdu(vectors[5]![2]);
    const stream = Buffer.concat([a, b.subarray(0, 10)]);
    const out = decodeStream(stream);
    expect(out.pdus).toHaveLength(1);
    expect(out.used).toBe(a.length);
  });

  it.each<[string, string, number, RegExp]>([
    ['length below 8', '01 02 0000 00000004', 0, /outside 8/],
    ['length beyond 64 KiB', '01 0a 0000 00100000', 0, /outside 8/],
    ['fixed-size PDU with a wrong length', '01 02 0000 0000000c 00000000', 0, /must be 8 bytes/],
    ['unknown PDU type', '01 63 0000 00000008', 5, /type 99/],
    ['version 2', '02 02 0000 00000008', 4, /version 2/],
    [
      'maxLength below the prefix length',
      '01 04 0000 00000014 01 18 10 00 cb007100 0000fbf4',
      0,
      /maxLength 16/,
    ],
    ['prefix longer than 32', '01 04 0000 00000014 01 21 21 00 cb007100 0000fbf4', 0, /exceeds 32/],
    ['End of Data v1 without timers', '01 07 0000 0000000c 00000001', 0, /24 bytes/],
    ['Error Report text overrun', '01 0a 0000 00000010 00000000 000000ff', 0, /text length/],
  ])('refuses %s with the right error code', (_n, wire, code, msg) => {
    try {
      decodeStream(hex(wire));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(RtrDecodeError);
      expect((err as RtrDecodeError).code).toBe(code);
      expect((err as Error).message).toMatch(msg);
    }
  });

  test.prop([fc.uint8Array({ maxLength: 200 })], { numRuns: 2000 })(
    'never throws anything but RtrDecodeError',
    (bytes) => {
      try {
        decodeStream(Buffer.from(bytes));
      } catch (err) {
        expect(err).toBeInstanceOf(RtrDecodeError);
      }
    },
  );

  it('prints VRPs as BIRD does', () => {
    expect(formatVrp(makeVrp('203.0.113.0/24', 24, 64500))).toBe('203.0.113.0/24-24 AS64500');
  });
});
