import { describe, expect, it } from 'vitest';
import {
  birdConfigSchema,
  daemonAdaptersSchema,
  exabgpConfigSchema,
  frrConfigSchema,
  gobgpConfigSchema,
} from './config-daemons.js';

describe('daemon adapter config', () => {
  it('fills every default from an empty block', () => {
    expect(daemonAdaptersSchema.parse({})).toEqual({ exabgp: [], gobgp: [], bird: [], frr: [] });
    const e = exabgpConfigSchema.parse({});
    expect(e).toMatchObject({
      name: 'exabgp',
      mode: 'process',
      listen: 'unix:/run/floodgate/exabgp.sock',
      enabled: false,
    });
    expect(e.rtbh).toEqual({
      nextHop4: '100.64.0.1',
      nextHop6: '100::1',
      noExport: true,
      extraCommunities: [],
      extraLargeCommunities: [],
    });
    expect(gobgpConfigSchema.parse({}).target).toBe('127.0.0.1:50051');
    expect(birdConfigSchema.parse({}).protocolPrefix).toBe('floodgate');
    expect(frrConfigSchema.parse({}).pbrPortsAndDscp).toBe(false);
  });

  it('rejects malformed values with a path', () => {
    expect(() => exabgpConfigSchema.parse({ rtbh: { extraLargeCommunities: ['1:2'] } })).toThrow(
      /extraLargeCommunities/,
    );
    expect(() => birdConfigSchema.parse({ protocolPrefix: 'Bad-Name' })).toThrow(/protocolPrefix/);
    expect(() => exabgpConfigSchema.parse({ mode: 'fifo' })).toThrow(/mode/);
  });

  it('documents every key', () => {
    for (const s of [exabgpConfigSchema, gobgpConfigSchema, birdConfigSchema, frrConfigSchema]) {
      for (const [key, field] of Object.entries(s.shape)) {
        expect((field as { description?: string }).description, key).toBeTruthy();
      }
    }
  });
});
