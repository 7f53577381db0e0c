// Interop with a real ExaBGP 4.2 (RIG.md §4) on the receiving side: it connects to floodgate's listener
// (a passive peer for us) and reports every UPDATE as JSON; compared field by field; withdrawals.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BgpSpeaker } from '../../src/bgp/speaker.js';
import { Exabgp } from '../support/daemons/exabgp.js';
import { waitFor } from '../support/wait.js';
import { EXA_FLOW, extHex } from './helpers/expect.js';
import { RTBH, rulesFor } from './helpers/matrix.js';

let x: Exabgp;
let sp: BgpSpeaker;

beforeAll(async () => {
  sp = new BgpSpeaker({
    routerId: '10.30.0.1',
    localAs: 65030,
    listen: { enabled: true, address: '127.0.30.1', port: 0 },
    discardNextHop: { ipv4: '100.64.0.1' },
    peers: [{ name: 'exabgp', address: '127.0.30.5', passive: true, remoteAs: 65005 }],
  });
  await sp.start();
  const port = sp.listenAddress()?.port;
  if (!port) throw new Error('no listener');
  x = new Exabgp({
    address: '127.0.30.5',
    asn: 65005,
    peerAddress: '127.0.30.1',
    peerAs: 65030,
    peerPort: port,
  });
  await x.start();
  await x.waitEstablished();
});

afterAll(async () => {
  await sp?.stop();
  await x?.close();
});

const flows = (): Map<string, ReturnType<Exabgp['rib']> extends Map<string, infer V> ? V : never> =>
  new Map([...x.rib()].filter(([k]) => k.startsWith('ipv4 flow') || k.startsWith('ipv6 flow')));

describe('ExaBGP 4.2 receives what floodgate announces (passive peer)', () => {
  it('holds every FlowSpec component and action it supports, field by field; withdrawal removes them', async () => {
    const rules = rulesFor('exabgp').filter((r) => r.intent !== 'blackhole');
    for (const r of rules) expect(sp.upsertRule(r).ok).toBe(true);
    await waitFor('ExaBGP flow routes', () => (flows().size === rules.length ? true : undefined));
    const got = flows();
    for (const r of rules) {
      const want = EXA_FLOW[r.id];
      const route = [...got.values()].find((g) => g.nlri.string === want?.nlri);
      expect(route, `ExaBGP holds ${want?.nlri}`).toBeDefined();
      const ext = (route?.attributes['extended-community'] ?? []) as { value: number; string: string }[];
      expect(ext.map((e) => e.string)).toEqual([want?.ext]);
      // ExaBGP gives the raw 64-bit value as a JSON number (a double): compare at that precision
      expect(ext.map((e) => e.value)).toEqual(extHex(r).map((h) => Number(BigInt(`0x${h}`))));
    }
    expect(sp.peersSnapshot()[0]?.counters.flaps).toBe(0);
    for (const r of rules) sp.withdrawRule(r.id);
    await waitFor('ExaBGP flow routes gone', () => (flows().size === 0 ? true : undefined));
  });

  it('holds RTBH with BLACKHOLE, NO_EXPORT, extra and large communities; withdrawal removes them', async () => {
    for (const r of RTBH) expect(sp.upsertRule(r).ok).toBe(true);
    await waitFor('ExaBGP unicast', () =>
      x.rib().has('ipv4 unicast|203.0.113.99/32') && x.rib().has('ipv6 unicast|2001:db8::99/128')
        ? true
        : undefined,
    );
    for (const [k, nh] of [
      ['ipv4 unicast|203.0.113.99/32', '100.64.0.1'],
      ['ipv6 unicast|2001:db8::99/128', '100::1'],
    ] as const) {
      const r = x.rib().get(k);
      expect(r?.nlri['next-hop']).toBe(nh);
      expect(r?.attributes).toMatchObject({
        'as-path': [65030],
        community: [
          [65535, 666],
          [65535, 65281],
          [65030, 9],
        ],
        'large-community': [[65030, 666, 1]],
      });
    }
    for (const r of RTBH) sp.withdrawRule(r.id);
    await waitFor('ExaBGP unicast gone', () =>
      !x.rib().has('ipv4 unicast|203.0.113.99/32') && !x.rib().has('ipv6 unicast|2001:db8::99/128')
        ? true
        : undefined,
    );
  });
});
