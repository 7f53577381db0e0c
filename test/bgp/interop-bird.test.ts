// Interop with a real BIRD 2 (RIG.md §3): every FlowSpec component and action (flow4/flow6 tables), RTBH
// with standard and large communities; compared field by field; withdrawals remove them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BgpSpeaker } from '../../src/bgp/speaker.js';
import { Bird } from '../support/daemons/bird.js';
import { waitFor } from '../support/wait.js';
import { BIRD_NET, birdGeneric, extHex } from './helpers/expect.js';
import { FLOW4, FLOW6, RTBH, rulesFor } from './helpers/matrix.js';

let b: Bird;
let sp: BgpSpeaker;

beforeAll(async () => {
  b = new Bird({ address: '127.0.30.3', asn: 65003, peerAddress: '127.0.30.1', peerAs: 65030 });
  await b.start();
  sp = new BgpSpeaker({
    routerId: '10.30.0.1',
    localAs: 65030,
    discardNextHop: { ipv4: '100.64.0.1' },
    peers: [
      {
        name: 'bird',
        address: '127.0.30.3',
        port: 1179,
        localAddress: '127.0.30.1',
        remoteAs: 65003,
        connectRetrySeconds: 0.2,
      },
    ],
  });
  await sp.start();
  await b.waitEstablished();
});

afterAll(async () => {
  await sp?.stop();
  await b?.close();
});

describe('BIRD 2.0.12 receives what floodgate announces', () => {
  it('holds every FlowSpec component and action in flow4/flow6, field by field; withdrawal removes them', async () => {
    const rules = rulesFor('bird').filter((r) => r.intent !== 'blackhole');
    for (const r of rules) expect(sp.upsertRule(r).ok).toBe(true);
    await waitFor('BIRD flow tables', async () =>
      (await b.routes('flowtab4')).length === FLOW4.length &&
      (await b.routes('flowtab6')).length === FLOW6.length
        ? true
        : undefined,
    );
    const got = [...(await b.routes('flowtab4')), ...(await b.routes('flowtab6'))];
    for (const r of rules) {
      const net = BIRD_NET[r.id];
      const route = got.find((x) => x.net === net);
      expect(route, `BIRD holds ${net}`).toBeDefined();
      expect(birdGeneric(route?.attrs['BGP.ext_community'] ?? ''), r.id).toEqual(extHex(r));
      expect(route?.attrs['BGP.as_path']).toBe('65030');
    }
    for (const r of rules) sp.withdrawRule(r.id);
    await waitFor('BIRD flow tables empty', async () =>
      (await b.routes('flowtab4')).length === 0 && (await b.routes('flowtab6')).length === 0
        ? true
        : undefined,
    );
  });

  it('holds RTBH with BLACKHOLE, NO_EXPORT, extra and large communities; withdrawal removes them', async () => {
    for (const r of RTBH) expect(sp.upsertRule(r).ok).toBe(true);
    await waitFor('BIRD unicast', async () =>
      (await b.routes('master4')).length === 1 && (await b.routes('master6')).length === 1 ? true : undefined,
    );
    for (const [table, net, nh] of [
      ['master4', '203.0.113.99/32', '100.64.0.1'],
      ['master6', '2001:db8::99/128', '100::1'],
    ] as const) {
      const r = (await b.routes(table))[0];
      expect(r?.net).toBe(net);
      expect(r?.attrs).toMatchObject({
        'BGP.next_hop': nh,
        'BGP.community': '(65535,666) (65535,65281) (65030,9)',
        'BGP.large_community': '(65030, 666, 1)',
        'BGP.as_path': '65030',
      });
    }
    for (const r of RTBH) sp.withdrawRule(r.id);
    await waitFor('BIRD unicast empty', async () =>
      (await b.routes('master4')).length === 0 && (await b.routes('master6')).length === 0 ? true : undefined,
    );
  });
});
