import { describe, expect, it } from 'vitest';
import { flowSpecActionSchema, flowSpecMatchSchema } from './schema.js';

describe('flowSpecMatchSchema (JSON form = the types)', () => {
  it('accepts a valid match unchanged', () => {
    const json = {
      family: 4,
      destination: { prefix: '203.0.113.5/32' },
      ipProtocol: [{ and: false, lt: false, gt: false, eq: true, value: 17 }],
      fragment: [{ and: false, not: false, match: false, value: 2 }],
    };
    expect(flowSpecMatchSchema.parse(json)).toEqual(json);
  });

  it('rejects structure errors and validator reasons, keeping the reason code', () => {
    const r = flowSpecMatchSchema.safeParse({
      family: 4,
      dscp: [{ and: false, lt: false, gt: false, eq: true, value: 64 }],
    });
    expect(r.success).toBe(false);
    expect(r.error?.issues).toEqual([
      expect.objectContaining({ path: ['dscp', 0], params: { reason: 'value-out-of-range' } }),
    ]);
    expect(flowSpecMatchSchema.safeParse({ family: 4 }).error?.issues[0]).toMatchObject({
      params: { reason: 'empty-match' },
    });
    expect(flowSpecMatchSchema.safeParse({ family: 4, vlan: [] }).success).toBe(false);
    expect(
      flowSpecMatchSchema.safeParse({ family: 4, port: [{ and: false, lt: false, gt: false, eq: true }] })
        .success,
    ).toBe(false);
    expect(flowSpecMatchSchema.safeParse({ family: 6, destination: { prefix: '10.0.0.0/8' } }).success).toBe(
      false,
    );
  });
});

describe('flowSpecActionSchema', () => {
  it.each([
    { kind: 'traffic-rate-bytes', asn: 0, bytesPerSecond: 0 },
    { kind: 'traffic-rate-packets', asn: 65000, packetsPerSecond: 1000 },
    { kind: 'traffic-action', terminal: true, sample: false },
    { kind: 'redirect-vrf', routeTarget: '65000:100' },
    { kind: 'traffic-marking', dscp: 46 },
    { kind: 'redirect-ip', nextHop: '100.64.0.1', copy: false },
  ])('accepts %j', (a) => {
    expect(flowSpecActionSchema.parse(a)).toEqual(a);
  });

  it.each([
    { kind: 'traffic-rate-bytes', asn: 70000, bytesPerSecond: 0 },
    { kind: 'traffic-rate-bytes', asn: 0, bytesPerSecond: -5 },
    { kind: 'redirect-vrf', routeTarget: 'blue' },
    { kind: 'traffic-marking', dscp: 64 },
    { kind: 'redirect-ip', nextHop: 'gw', copy: false },
    { kind: 'drop' },
  ])('rejects %j', (a) => {
    expect(flowSpecActionSchema.safeParse(a).success).toBe(false);
  });
});
