import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BgpSpeaker } from './speaker.js';
import { FakePeer } from '../../test/bgp/helpers/fake-peer.js';
import { rule, rtbh } from '../../test/support/rules.js';
import { encodeNotification } from './codec/notification.js';
import { encodeRouteRefresh } from './codec/route-refresh.js';
import { fromHex } from './codec/bytes.js';
import { waitFor } from '../../test/support/wait.js';

const DUP_MP = fromHex(
  'ffffffffffffffffffffffffffffffff002b02' +
    '0000' +
    '0014' +
    '40010100' +
    '800e050001850000' +
    '800e050001850000',
);
const FAMS = ['ipv4-unicast', 'ipv6-unicast', 'ipv4-flowspec', 'ipv6-flowspec'] as const;
let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function setup(
  over: { passive?: boolean; enhanced?: boolean } = {},
): Promise<{ sp: BgpSpeaker; peer: FakePeer }> {
  const peer = new FakePeer({
    address: '127.0.30.50',
    asn: 65050,
    families: FAMS,
    enhancedRouteRefresh: over.enhanced ?? true,
  });
  const port = over.passive ? 179 : await peer.listen();
  const sp = new BgpSpeaker({
    enabled: true,
    routerId: '10.30.0.1',
    localAs: 65030,
    listen: { enabled: !!over.passive, address: '127.0.30.1', port: 0 },
    discardNextHop: { ipv4: '100.64.0.1' },
    peers: [
      {
        name: 'fake',
        address: '127.0.30.50',
        port,
        localAddress: '127.0.30.1',
        remoteAs: 65050,
        passive: !!over.passive,
        connectRetrySeconds: 0.05,
        maxConnectRetrySeconds: 0.2,
        families: [...FAMS],
      },
    ],
  });
  await sp.start();
  cleanup.push(async () => {
    await sp.stop();
    await peer.close();
  });
  if (over.passive) {
    const a = sp.listenAddress();
    if (!a) throw new Error('no listener');
    peer.connect(a.address, a.port);
  }
  await peer.waitSessions(1);
  await waitFor('speaker Established', () =>
    sp.sessionStates()['fake'] === 'Established' ? true : undefined,
  );
  return { sp, peer };
}

const many = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    rule(`r${i}`, 'drop', `flow4 dst 203.0.${i >> 8}.${i & 255}/32 proto =17`),
  );

describe('BgpSpeaker against an in-process peer', () => {
  it('sends End-of-RIB per family after the initial sync, batches, withdraws', async () => {
    const { sp, peer } = await setup();
    await waitFor('EoR', () => (peer.eor.length === 4 ? true : undefined));
    expect(peer.eor.sort()).toEqual([...FAMS].sort());
    const before = peer.updates();
    for (const r of many(300)) expect(sp.upsertRule(r).ok).toBe(true);
    await peer.waitRib(300);
    // 300 NLRIs of 12 bytes with one attribute set fit in 1 UPDATE of ≤ 4096 bytes
    expect(peer.updates() - before).toBeLessThanOrEqual(2);
    sp.upsertRule(rtbh('bh', '203.0.113.7/32', { largeCommunities: ['65030:666:1'] }));
    await peer.waitRib(301);
    for (let i = 0; i < 300; i++) sp.withdrawRule(`r${i}`);
    await peer.waitRib(1);
    expect([...peer.rib.keys()]).toEqual(['ipv4-unicast|20cb007107']);
    expect(JSON.parse([...peer.rib.values()][0] as string)).toMatchObject({
      nh: '100.64.0.1',
      c: [0xffff029a, 0xffffff01],
      l: [{ global: 65030, local1: 666, local2: 1 }],
    });
    const snap = sp.peersSnapshot()[0];
    expect(snap).toMatchObject({
      name: 'fake',
      state: 'Established',
      negotiatedFamilies: [...FAMS],
      adjRibOut: { 'ipv4-unicast': 1 },
    });
    expect(snap?.counters.withdrawalsOut).toBe(300);
    expect(sp.adjRibOut('fake')).toEqual([
      expect.objectContaining({
        family: 'ipv4-unicast',
        route: '203.0.113.7/32 blackhole via 100.64.0.1',
        communities: ['65535:666', '65535:65281'],
        largeCommunities: ['65030:666:1'],
        advertised: true,
        ruleIds: ['bh'],
      }),
    ]);
  });

  it('an updated rule replaces its route in place; two rules on one NLRI keep it until both go', async () => {
    const { sp, peer } = await setup();
    sp.upsertRule(rule('a', 'rate-limit', 'flow4 dst 203.0.113.5/32', { rateBytesPerSecond: 1000 }));
    sp.upsertRule(rule('b', 'drop', 'flow4 dst 203.0.113.5/32'));
    await peer.waitRib(1);
    await waitFor('drop wins', () =>
      [...peer.rib.values()][0]?.includes('8006000000000000') ? true : undefined,
    );
    sp.withdrawRule('b');
    await waitFor('rate-limit back', () =>
      [...peer.rib.values()][0]?.includes('80060000447a0000') ? true : undefined,
    );
    sp.withdrawRule('a');
    await peer.waitRib(0);
  });

  it('ROUTE-REFRESH re-sends the family whole inside BoRR/EoRR (RFC 7313)', async () => {
    const { sp, peer } = await setup();
    for (const r of many(20)) sp.upsertRule(r);
    await peer.waitRib(20);
    peer.rib.clear();
    const mark = peer.log.length;
    peer.send(encodeRouteRefresh(1, 133));
    await peer.waitRib(20);
    const rr = peer.log
      .slice(mark)
      .filter((m) => m.type === 'route-refresh')
      .map((m) => (m.type === 'route-refresh' ? m.refresh.subtype : -1));
    await waitFor('EoRR', () =>
      peer.log.slice(mark).filter((m) => m.type === 'route-refresh').length === 2 ? true : undefined,
    );
    expect(rr[0]).toBe(1);
    expect(sp.peersSnapshot()[0]?.counters.routeRefreshIn).toBe(1);
  });

  it.each([
    ['NOTIFICATION from the peer', (p: FakePeer) => p.send(encodeNotification(6, 4))],
    ['TCP cut', (p: FakePeer) => p.cut()],
    ['malformed UPDATE (duplicate MP_REACH)', (p: FakePeer) => p.send(DUP_MP)],
  ])('session returns after %s and the peer again holds exactly our rules', async (_n, hurt) => {
    const { sp, peer } = await setup();
    for (const r of many(50)) sp.upsertRule(r);
    await peer.waitRib(50);
    hurt(peer);
    // while it is down, the set changes
    await waitFor('down', () => ((sp.peersSnapshot()[0]?.counters.flaps ?? 0) >= 1 ? true : undefined));
    sp.withdrawRule('r0');
    sp.upsertRule(rtbh('bh', '2001:db8::7/128'));
    await peer.waitSessions(2);
    await waitFor('v6 route', () =>
      [...peer.rib.keys()].some((k) => k.startsWith('ipv6-unicast|')) ? true : undefined,
    );
    await peer.waitRib(50);
    expect([...peer.rib.keys()].filter((k) => k.startsWith('ipv6-unicast|'))).toEqual([
      'ipv6-unicast|8020010db8000000000000000000000007',
    ]);
    expect([...peer.rib.keys()].filter((k) => k.startsWith('ipv4-flowspec'))).toHaveLength(49);
    const snap = sp.peersSnapshot()[0];
    expect(snap?.counters.flaps).toBe(1);
    expect(snap?.counters.establishedCount).toBe(2);
  });

  it('malformed UPDATE gets the right NOTIFICATION (3/1 duplicate MP_REACH, RFC 7606 §3 g)', async () => {
    const { sp, peer } = await setup();
    const mark = peer.log.length;
    peer.send(DUP_MP);
    await waitFor('notification', () =>
      peer.log.slice(mark).some((m) => m.type === 'notification') ? true : undefined,
    );
    const n = peer.log.slice(mark).find((m) => m.type === 'notification');
    expect(n?.type === 'notification' && [n.notification.code, n.notification.subcode]).toEqual([3, 1]);
    expect(sp.peersSnapshot()[0]?.lastError).toMatch(/duplicate attribute 14/);
  });

  it('treat-as-withdraw UPDATE from the peer is counted, session stays up (RFC 7606)', async () => {
    const { sp, peer } = await setup();
    // ORIGIN value 5 + AS_PATH + NEXT_HOP + NLRI 203.0.113.9/32
    peer.send(
      fromHex(
        'ffffffffffffffffffffffffffffffff0030020000001440010105400206020100' +
          '00fe3a' +
          '4003046440000120cb007109',
      ),
    );
    await waitFor('counted', () => (sp.peersSnapshot()[0]?.counters.updateErrorsIn === 1 ? true : undefined));
    expect(sp.sessionStates()['fake']).toBe('Established');
    expect(sp.peersSnapshot()[0]?.counters.prefixesWithdrawnIn).toBe(1);
  });

  it('a second connection while Established is refused with Cease / Connection Collision (RFC 4271 §6.8)', async () => {
    const { sp } = await setup({ passive: true });
    const a = sp.listenAddress();
    if (!a) throw new Error('no listener');
    const raw = net.connect({ host: a.address, port: a.port, localAddress: '127.0.30.50' });
    const got: Buffer[] = [];
    raw.on('data', (d: Buffer) => got.push(d));
    await new Promise<void>((r) => raw.on('close', () => r()));
    expect(Buffer.concat(got).subarray(18, 21).toString('hex')).toBe('030607');
    expect(sp.sessionStates()['fake']).toBe('Established');
  });

  it('refuses connections from unknown addresses', async () => {
    const { sp } = await setup({ passive: true });
    const a = sp.listenAddress();
    if (!a) throw new Error('no listener');
    const raw = net.connect({ host: a.address, port: a.port, localAddress: '127.0.30.59' });
    raw.on('error', () => undefined);
    await new Promise<void>((r) => raw.on('close', () => r()));
    expect(sp.sessionStates()['fake']).toBe('Established');
  });

  it('counts a malformed FlowSpec NLRI from the peer (RFC 8955 §4.2) and keeps the session', async () => {
    const { sp, peer } = await setup();
    // ORIGIN, AS_PATH, MP_REACH 1/133 nh 0, NLRI of 3 bytes: dst /32 with only 1 address byte
    peer.send(
      fromHex(
        'ffffffffffffffffffffffffffffffff' +
          '003002' +
          '0000' +
          '0019' +
          '40010100' +
          '400206020100' +
          '00fe3a' +
          '800e09' +
          '0001850000' +
          '030120cb',
      ),
    );
    await waitFor('counted', () =>
      sp.peersSnapshot()[0]?.counters.flowspecErrorsIn === 1 ? true : undefined,
    );
    expect(sp.sessionStates()['fake']).toBe('Established');
  });

  it('passive peer connecting to our listener', async () => {
    const { sp, peer } = await setup({ passive: true });
    sp.upsertRule(rule('a', 'drop', 'flow6 dst 2001:db8::5/128'));
    await peer.waitRib(1);
    expect([...peer.rib.keys()][0]).toMatch(/^ipv6-flowspec\|/);
  });
});

describe('rule outcome text', () => {
  it('is formatted lazily but still serialised into the audit payload', () => {
    const sp = new BgpSpeaker({
      routerId: '10.30.0.1',
      localAs: 65030,
      peers: [{ name: 'r1', address: '127.0.30.51', remoteAs: 65051, families: ['ipv4-flowspec'] }],
    });
    const out = sp.upsertRule(rule('lazy', 'drop', 'flow4 dst 203.0.113.9/32 proto =6 dport =443'));
    expect(out.ok).toBe(true);
    expect('route' in (out.peers.r1 ?? {})).toBe(true);
    const json = JSON.parse(JSON.stringify(out)) as { peers: Record<string, { route?: string }> };
    expect(json.peers.r1?.route).toBe('flow4 dst 203.0.113.9/32 proto =6 dport =443 then discard');
    expect(sp.adjRibOut('r1')?.[0]?.route).toBe(json.peers.r1?.route);
    expect(structuredClone(out).peers.r1?.route).toBe(json.peers.r1?.route);
  });
});
