import { describe, expect, it } from 'vitest';
import { VrpFileError, parseVrpFile } from './files.js';
import { formatVrp } from './vrp.js';

describe('VRP files', () => {
  it('reads rpki-client json (numeric asn, buildtime)', () => {
    const f = parseVrpFile(
      JSON.stringify({
        metadata: { buildmachine: 'x', buildtime: '2026-11-24T00:00:00Z', roas: 1 },
        roas: [{ asn: 64500, prefix: '203.0.113.0/24', maxLength: 24, ta: 'ripe', expires: 1800000000 }],
      }),
    );
    expect(f.format).toBe('rpki-client');
    expect(f.vrps.map(formatVrp)).toEqual(['203.0.113.0/24-24 AS64500']);
    expect(f.generatedAt).toBe(Date.parse('2026-11-24T00:00:00Z'));
  });

  it('reads Routinator jsonext (source array)', () => {
    const f = parseVrpFile(
      JSON.stringify({
        metadata: { generated: 1764000000, generatedTime: '2025-11-24T16:00:00Z' },
        roas: [
          {
            asn: 'AS64500',
            prefix: '2001:db8::/32',
            maxLength: 48,
            source: [
              {
                type: 'roa',
                uri: 'rsync://x/y.roa',
                tal: 'ripe',
                validity: { notBefore: 'a', notAfter: 'b' },
              },
            ],
          },
        ],
      }),
    );
    expect(f.format).toBe('routinator-jsonext');
    expect(f.vrps.map(formatVrp)).toEqual(['2001:db8::/32-48 AS64500']);
    expect(f.generatedAt).toBe(1764000000 * 1000);
  });

  it('reads Cloudflare rpki.json (AS-prefixed asn, ta)', () => {
    const f = parseVrpFile(
      JSON.stringify({
        metadata: { generated: 1764000000, valid: 1764003600, signature: '', signatureDate: '' },
        roas: [{ prefix: '198.51.100.0/24', maxLength: 32, asn: 'AS65002', ta: 'arin' }],
      }),
    );
    expect(f.format).toBe('cloudflare');
    expect(f.vrps.map(formatVrp)).toEqual(['198.51.100.0/24-32 AS65002']);
  });

  it.each<[string, string, RegExp]>([
    ['broken JSON', '{\n  "roas": [\n    {"prefix": }\n]}', /line 3, column/],
    ['no roas array', '{"metadata": {}}', /roas: expected an array/],
    [
      'a bad AS',
      '{"roas":[{"prefix":"10.0.0.0/8","maxLength":8,"asn":"ASX"}]}',
      /roas\[0\]\.asn: expected an AS number/,
    ],
    [
      'maxLength below the length',
      '{"roas":[{"prefix":"10.0.0.0/8","maxLength":7,"asn":1}]}',
      /roas\[0\]: maxLength 7/,
    ],
    [
      'maxLength missing',
      '{"roas":[{"prefix":"10.0.0.0/8","asn":1}]}',
      /roas\[0\]\.maxLength: expected an integer, found nothing/,
    ],
    [
      'host bits set',
      '{"roas":[{"prefix":"10.0.0.1/8","maxLength":8,"asn":1}]}',
      /roas\[0\]: prefix "10.0.0.1\/8".*host bits/,
    ],
  ])('refuses %s and says where', (_n, text, msg) => {
    expect(() => parseVrpFile(text, 'vrps.json')).toThrow(VrpFileError);
    expect(() => parseVrpFile(text, 'vrps.json')).toThrow(msg);
  });
});
