import { describe, expect, it } from 'vitest';
import { parseAdjRibOut, parseNeighborSummary } from './parse.js';

describe('ExaBGP answers', () => {
  it('reads show neighbor summary (RIG.md §4 output)', () => {
    const lines = [
      'Peer            AS        up/down state       |     #sent     #recvd',
      '127.0.0.1       65001     0:00:16 established           8          6',
      '2001:db8::1     65002     down    connect               0          0',
    ];
    expect(parseNeighborSummary(lines)).toEqual({ '127.0.0.1': 'established', '2001:db8::1': 'connect' });
  });

  it('reads show adj-rib out flow and unicast lines', () => {
    const lines = [
      'neighbor 127.0.0.1 ipv4 flow flow destination-ipv4 203.0.113.5/32 protocol =udp source-port =53 extended-community rate-limit:10000',
      'neighbor 127.0.0.1 ipv6 flow flow destination-ipv6 2001:db8::7/128/0 next-header =udp source-port =123',
      'neighbor 127.0.0.1 ipv4 unicast 203.0.113.7/32 next-hop 100.64.0.1 community [ 65535:666 ]',
      'garbage',
    ];
    expect(parseAdjRibOut(lines).map(({ family, kind, prefix }) => ({ family, kind, prefix }))).toEqual([
      { family: 4, kind: 'flowspec', prefix: '203.0.113.5/32' },
      { family: 6, kind: 'flowspec', prefix: '2001:db8::7/128' },
      { family: 4, kind: 'rtbh', prefix: '203.0.113.7/32' },
    ]);
  });
});
