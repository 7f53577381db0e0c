// Interop with a real FRR 8.4 bgpd (RIG.md §5), run without zebra (-Z) and with -n so it can never touch
// this machine's FIB: FlowSpec components/actions (IPv4, IPv6) and RTBH, field by field; withdrawals.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BgpSpeaker } from '../../src/bgp/speaker.js';
import { Frr } from '../support/daemons/frr.js';
import { waitFor } from '../support/wait.js';
import { FRR_FLOW } from './helpers/expect.js';
import { FLOW6, RTBH, rulesFor } from './helpers/matrix.js';

let f: Frr;
let sp: BgpSpeaker;

beforeAll(async () => {
  f = new Frr({ address: '127.0.30.4', asn: 65004, peerAddress: '127.0.30.1', peerAs: 65030 });
  await f.start();
  sp = new BgpSpeaker({
    routerId: '10.30.0.1',
    localAs: 65030,
    discardNextHop: { ipv4: '100.64.0.1' },
    peers: [
      {
        name: 'frr',
        address: '127.0.30.4',
        port: 1179,
        localAddress: '127.0.30.1',
        remoteAs: 65004,
        connectRetrySeconds: 0.2,
      },
    ],
  });
  await sp.start();
  await f.waitEstablished();
});

afterAll(async () => {
  await sp?.stop();
  await f?.close();
});

describe('FRR 8.4 bgpd receives what floodgate announces', () => {
  it('holds every FlowSpec component and action it supports, field by field; withdrawal removes them', async () => {
    const rules = rulesFor('frr').filter((r) => r.intent !== 'blackhole');
    for (const r of rules) expect(sp.upsertRule(r).ok).toBe(true);
    const n4 = rules.filter((r) => r.family === 4).length;
    const n6 = rules.filter((r) => r.family === 6).length;
    await waitFor('FRR flowspec tables', async () =>
      (await f.flowspec('ipv4')).length === n4 && (await f.flowspec('ipv6')).length === n6 ? true : undefined,
    );
    const got = [...(await f.flowspec('ipv4')), ...(await f.flowspec('ipv6'))];
    for (const r of rules) {
      const want = FRR_FLOW[r.id];
      expect(
        got.find((g) => JSON.stringify(g.lines) === JSON.stringify(want?.lines)),
        `FRR holds ${r.id}`,
      ).toEqual(want);
    }
    expect(sp.peersSnapshot()[0]?.counters.flaps).toBe(0);
    for (const r of rules) sp.withdrawRule(r.id);
    await waitFor('FRR flowspec empty', async () =>
      (await f.flowspec('ipv4')).length === 0 && (await f.flowspec('ipv6')).length === 0 ? true : undefined,
    );
  });

  it('resets the session on a non-zero IPv6 prefix offset (RFC 8956 §3.1), which is why the matrix leaves it out', async () => {
    const offset = FLOW6.find((r) => r.id === 'f6-offset');
    if (!offset) throw new Error('matrix lacks f6-offset');
    const flaps = sp.peersSnapshot()[0]?.counters.flaps ?? 0;
    sp.upsertRule(offset);
    await waitFor('FRR drops the session', () =>
      (sp.peersSnapshot()[0]?.counters.flaps ?? 0) > flaps ? true : undefined,
    );
    sp.withdrawRule(offset.id);
    await f.waitEstablished();
    await waitFor('session stays up without it', async () =>
      (await f.established()) && sp.sessionStates()['frr'] === 'Established' ? true : undefined,
    );
  });

  it('holds RTBH with BLACKHOLE, NO_EXPORT, extra and large communities; withdrawal removes them', async () => {
    for (const r of RTBH) expect(sp.upsertRule(r).ok).toBe(true);
    await waitFor('FRR unicast', async () =>
      (await f.unicast('ipv4', '203.0.113.99/32')) && (await f.unicast('ipv6', '2001:db8::99/128'))
        ? true
        : undefined,
    );
    for (const [afi, p, nh] of [
      ['ipv4', '203.0.113.99/32', '100.64.0.1'],
      ['ipv6', '2001:db8::99/128', '100::1'],
    ] as const) {
      const path = await f.unicast(afi, p);
      expect(path?.nexthops?.[0]?.ip).toBe(nh);
      expect(path?.community?.string).toBe('65030:9 blackhole no-export');
      expect(path?.largeCommunity?.string).toBe('65030:666:1');
    }
    for (const r of RTBH) sp.withdrawRule(r.id);
    await waitFor('FRR unicast gone', async () =>
      !(await f.unicast('ipv4', '203.0.113.99/32')) && !(await f.unicast('ipv6', '2001:db8::99/128'))
        ? true
        : undefined,
    );
  });
});
