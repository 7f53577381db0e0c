import { describe, expect, it } from 'vitest';
import { findEntries, parseBgpSummary, parseRunningConfig } from './vtysh.js';

const RUNNING = `Building configuration...

Current configuration:
!
frr version 8.4.4
hostname fgad-bgpd
!
ip route 100.64.0.1/32 blackhole
ip route 203.0.113.12/32 blackhole tag 100
ipv6 route 2001:db8::12/128 blackhole tag 101
!
router bgp 65040
 address-family ipv4 unicast
  redistribute static route-map FLOODGATE-RTBH
 exit-address-family
exit
!
route-map FLOODGATE-RTBH permit 100
 description floodgate rule r4-rtbh
 match tag 100
 set community 65535:666 no-export 65040:7
exit
!
route-map FLOODGATE-RTBH permit 101
 description floodgate rule r6-rtbh
 match tag 101
exit
!
route-map OTHER permit 10
 description floodgate rule not-ours
exit
!
pbr-map FLOODGATE seq 100
 match dst-ip 203.0.113.21/32
 match ip-protocol tcp
 set nexthop 100.64.0.1
exit
!
end
`;

describe('vtysh answers', () => {
  it('finds our route-map entries with their statics and our pbr-map entries', () => {
    const e = findEntries(parseRunningConfig(RUNNING), 'FLOODGATE-RTBH', 'FLOODGATE');
    expect(e.map(({ kind, seq, ruleId, target }) => ({ kind, seq, ruleId, target }))).toEqual([
      { kind: 'rtbh', seq: 100, ruleId: 'r4-rtbh', target: '203.0.113.12/32' },
      { kind: 'rtbh', seq: 101, ruleId: 'r6-rtbh', target: '2001:db8::12/128' },
      { kind: 'pbr', seq: 100, ruleId: undefined, target: '203.0.113.21/32' },
    ]);
  });

  it('reads session states from show bgp summary json, worst family wins', () => {
    const json = JSON.stringify({
      ipv4Unicast: { peers: { '100.64.40.1': { state: 'Established' }, '100.64.40.9': { state: 'Active' } } },
      ipv6Unicast: { peers: { '100.64.40.1': { state: 'Idle' } } },
    });
    expect(parseBgpSummary(json)).toEqual({ '100.64.40.1': 'idle', '100.64.40.9': 'active' });
    expect(parseBgpSummary('{}')).toEqual({});
  });
});
