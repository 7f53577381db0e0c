import { describe, expect, it } from 'vitest';
import { decodeRouteDistinguisher, encodeRouteDistinguisher, parseAdminValue } from './rd.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('route distinguishers (RFC 4364 §4.2)', () => {
  it.each([
    ['65000:1', '0000fde800000001'],
    ['0:4294967295', '00000000ffffffff'],
    ['192.0.2.1:1', '0001c00002010001'],
    ['4200000000:1', '0002fa56ea000001'],
    ['65000L:1', '00020000fde80001'],
    ['4294967295:65535', '0002ffffffffffff'],
  ])('%s <-> %s', (text, h) => {
    const b = encodeRouteDistinguisher(text);
    expect(typeof b === 'string' ? b : hex(b)).toBe(h);
    expect(decodeRouteDistinguisher(Uint8Array.from(Buffer.from(h, 'hex')))).toBe(text);
  });

  it.each([
    '65000',
    ':1',
    '65000:',
    '65000:4294967296',
    '4200000000:65536',
    '192.0.2.1:65536',
    '192.0.2:1',
    '4294967296:1',
    '01:1',
    '-1:1',
    'x:1',
    '2001:db8::1:1',
  ])('refuses %j', (text) => {
    expect(typeof parseAdminValue(text)).toBe('string');
  });

  it('keeps unknown RD types visible', () => {
    expect(decodeRouteDistinguisher(Uint8Array.from(Buffer.from('0003010203040506', 'hex')))).toBe(
      'rd-type-3:0x010203040506',
    );
  });
});
