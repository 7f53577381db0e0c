import { describe, expect, it } from 'vitest';
import { INTENTS, type Intent } from '../domain/rule.js';
import { validateFlowSpec } from '../flowspec/validate.js';
import { parseMitigationConfig } from './config.js';
import { INTENT_KIND } from '../domain/rule.js';
import { renderRule, sameRoute } from './intents.js';

const cfg = parseMitigationConfig({
  rtbh: { largeCommunities: ['65000:666:1'] },
  geoLockdown: { allowCountries: ['DE'] },
});
const sig = {
  coverage: 0.9,
  protocols: [17],
  sourcePorts: [53],
  destinationPorts: [80, 443],
  packetLength: { min: 512, max: 1500 },
  sourcePrefixes: ['198.51.100.0/24'],
};

function render(intent: Intent, depth: 'basic' | 'full' = 'basic') {
  return renderRule(
    {
      id: 'r',
      tenant: 't',
      target: '203.0.113.5/32',
      intent,
      level: 1,
      signature: sig,
      depth,
      rateBitsPerSecond: 1e8,
      ttlSeconds: 300,
      now: 1000,
      origin: 'auto',
      reason: 'x',
      dryRun: false,
    },
    cfg,
  );
}

describe('intents render complete rules', () => {
  it('every intent renders a valid match whose destination is the target', () => {
    for (const intent of INTENTS) {
      const r = render(intent);
      expect(validateFlowSpec(r.match)).toEqual([]);
      expect(r.match.destination?.prefix).toBe(r.target);
      expect(r.expiresAt).toBe(1000 + 300_000);
    }
  });

  it('rate-limit: traffic-rate in bytes/s; drop: rate 0 with protocol and ports from the signature', () => {
    expect(render('rate-limit')).toMatchObject({
      rateBytesPerSecond: 12_500_000,
      actions: [{ kind: 'traffic-rate-bytes', bytesPerSecond: 12_500_000 }],
    });
    const d = render('drop');
    expect(d.actions).toEqual([{ kind: 'traffic-rate-bytes', asn: 0, bytesPerSecond: 0 }]);
    expect(d.match.ipProtocol?.map((t) => t.value)).toEqual([17]);
    expect(d.match.destinationPort?.map((t) => t.value)).toEqual([80, 443]);
    expect(d.match.sourcePort?.map((t) => t.value)).toEqual([53]);
    expect(d.match.source).toBeUndefined();
    const full = render('drop', 'full');
    expect(full.match.source).toEqual({ prefix: '198.51.100.0/24' });
    expect(full.match.packetLength?.length).toBe(2);
  });

  it('blackhole carries 65535:666 and the large communities; scrubbing diverts the covering /24', () => {
    expect(render('blackhole')).toMatchObject({
      communities: ['65535:666'],
      largeCommunities: ['65000:666:1'],
      actions: [],
    });
    expect(render('scrubbing')).toMatchObject({
      target: '203.0.113.0/24',
      match: { destination: { prefix: '203.0.113.0/24' } },
    });
  });

  it('vrf-redirect, geo-lockdown, syn-cookies and synproxy render their specifics', () => {
    expect(render('vrf-redirect')).toMatchObject({
      routeTarget: '65000:666',
      actions: [{ kind: 'redirect-vrf', routeTarget: '65000:666' }],
    });
    expect(render('geo-lockdown')).toMatchObject({ allowCountries: ['DE'] });
    for (const i of ['syn-cookies', 'synproxy'] as const) {
      const r = render(i);
      expect(r.match.ipProtocol?.map((t) => t.value)).toEqual([6]);
      expect(r.match.tcpFlags).toEqual([{ and: false, not: false, match: true, value: 0x02 }]);
    }
    expect(Object.keys(INTENT_KIND).sort()).toEqual([...INTENTS].sort());
  });

  it('sameRoute: same FlowSpec match or same unicast prefix', () => {
    expect(sameRoute(render('rate-limit'), render('drop'))).toBe(true);
    expect(sameRoute(render('drop'), render('drop', 'full'))).toBe(false);
    expect(sameRoute(render('drop'), render('blackhole'))).toBe(false);
  });
});
