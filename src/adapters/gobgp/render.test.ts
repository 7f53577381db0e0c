import { describe, expect, it } from 'vitest';
import { gobgpConfigSchema } from '../config-daemons.js';
import {
  v4Blackhole,
  v4Drop,
  v4Redirect,
  v6RateLimit,
} from '../../../test/adapters/daemons/harness/rules.js';
import { nlriKey } from './adapter.js';
import { renderAction, renderGobgpPath } from './render.js';

const opts = gobgpConfigSchema.parse({});

describe('GoBGP renderer', () => {
  it('renders an IPv4 FlowSpec path with wire operator bytes in RFC type order', () => {
    expect(renderGobgpPath(v4Drop, opts)).toEqual({
      family: { afi: 'AFI_IP', safi: 'SAFI_FLOW_SPEC_UNICAST' },
      nlri: {
        '@type': 'FlowSpecNLRI',
        rules: [
          { '@type': 'FlowSpecIPPrefix', type: 1, prefix_len: 32, prefix: '203.0.113.11', offset: 0 },
          { '@type': 'FlowSpecIPPrefix', type: 2, prefix_len: 24, prefix: '198.51.100.0', offset: 0 },
          { '@type': 'FlowSpecComponent', type: 3, items: [{ op: 0x81, value: 6 }] },
          {
            '@type': 'FlowSpecComponent',
            type: 4,
            items: [
              { op: 0x01, value: 80 },
              { op: 0x81, value: 443 },
            ],
          },
          // SYN set (match) AND ACK clear (not): 0x01, then end|and|not = 0xc2
          {
            '@type': 'FlowSpecComponent',
            type: 9,
            items: [
              { op: 0x01, value: 2 },
              { op: 0xc2, value: 16 },
            ],
          },
          { '@type': 'FlowSpecComponent', type: 11, items: [{ op: 0x81, value: 46 }] },
          { '@type': 'FlowSpecComponent', type: 12, items: [{ op: 0x82, value: 2 }] },
        ],
      },
      pattrs: [
        { '@type': 'OriginAttribute', origin: 0 },
        { '@type': 'NextHopAttribute', next_hop: '0.0.0.0' },
        {
          '@type': 'ExtendedCommunitiesAttribute',
          communities: [{ '@type': 'TrafficRateExtended', asn: 0, rate: 0 }],
        },
      ],
    });
  });

  it('renders IPv6 FlowSpec with flow label and the IPv6 FlowSpec next hop', () => {
    const p = renderGobgpPath(v6RateLimit, opts);
    expect(p.family).toEqual({ afi: 'AFI_IP6', safi: 'SAFI_FLOW_SPEC_UNICAST' });
    expect(p.nlri.rules).toEqual([
      { '@type': 'FlowSpecIPPrefix', type: 1, prefix_len: 128, prefix: '2001:db8::11', offset: 0 },
      { '@type': 'FlowSpecComponent', type: 3, items: [{ op: 0x81, value: 17 }] },
      { '@type': 'FlowSpecComponent', type: 6, items: [{ op: 0x81, value: 53 }] },
      { '@type': 'FlowSpecComponent', type: 13, items: [{ op: 0x81, value: 5 }] },
    ]);
    expect(p.pattrs[1]).toEqual({ '@type': 'NextHopAttribute', next_hop: '::' });
  });

  it('renders RTBH with BLACKHOLE, NO_EXPORT, rule communities and large communities', () => {
    expect(renderGobgpPath(v4Blackhole, opts)).toEqual({
      family: { afi: 'AFI_IP', safi: 'SAFI_UNICAST' },
      nlri: { '@type': 'IPAddressPrefix', prefix_len: 32, prefix: '203.0.113.12' },
      pattrs: [
        { '@type': 'OriginAttribute', origin: 0 },
        { '@type': 'NextHopAttribute', next_hop: '100.64.0.1' },
        { '@type': 'CommunitiesAttribute', communities: [0xffff029a, 0xffffff01, 65040 * 65536 + 7] },
        {
          '@type': 'LargeCommunitiesAttribute',
          communities: [{ global_admin: 65040, local_data1: 666, local_data2: 1 }],
        },
      ],
    });
  });

  it('maps every redirect form and refuses actions API 3.x cannot carry', () => {
    expect(renderGobgpPath(v4Redirect, opts).pattrs[2]).toEqual({
      '@type': 'ExtendedCommunitiesAttribute',
      communities: [{ '@type': 'RedirectTwoOctetAsSpecificExtended', asn: 65040, local_admin: 100 }],
    });
    expect(renderAction({ kind: 'redirect-vrf', routeTarget: '4200000000:7' })).toEqual({
      '@type': 'RedirectFourOctetAsSpecificExtended',
      asn: 4200000000,
      local_admin: 7,
    });
    expect(renderAction({ kind: 'redirect-vrf', routeTarget: '192.0.2.9:7' })).toEqual({
      '@type': 'RedirectIPv4AddressSpecificExtended',
      address: '192.0.2.9',
      local_admin: 7,
    });
    expect(renderAction({ kind: 'traffic-marking', dscp: 10 })).toEqual({
      '@type': 'TrafficRemarkExtended',
      dscp: 10,
    });
    expect(() => renderAction({ kind: 'traffic-rate-packets', asn: 0, packetsPerSecond: 1 })).toThrow(
      /no message/,
    );
    expect(() => renderGobgpPath({ ...v4Blackhole, peers: ['127.0.0.1'] }, opts)).toThrow(/cannot restrict/);
  });

  it('keys an NLRI the same whether gobgpd filled in the length bits or not', () => {
    const p = renderGobgpPath(v4Drop, opts);
    const echoed = JSON.parse(JSON.stringify(p.nlri).replace('"op":129,"value":443', '"op":145,"value":443'));
    expect(nlriKey(p.family, echoed)).toBe(nlriKey(p.family, p.nlri));
    expect(nlriKey(p.family, renderGobgpPath(v4Redirect, opts).nlri)).not.toBe(nlriKey(p.family, p.nlri));
  });
});
