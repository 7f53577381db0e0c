// FRR adapter against real FRR 8.4 daemons (zebra, staticd, pbrd, bgpd) in a network namespace the test
// creates, peering iBGP with a receiving gobgpd in the same namespace: RTBH routes arrive at the receiver
// field by field (communities set by the route-map), drops become pbr-map entries installed as kernel
// policy rules in the namespace, withdrawals remove both, the host FIB is never touched, and health goes
// red when FRR stops.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrrAdapter } from '../../../src/adapters/frr/adapter.js';
import { frrConfigSchema } from '../../../src/adapters/config-daemons.js';
import {
  FRR_LOCAL,
  FRR_PEER,
  type FrrDaemons,
  createNetns,
  deleteNetns,
  netnsOutput,
  startFrr,
} from '../../support/daemons/frr-netns.js';
import { tempDir } from '../../support/daemon.js';
import { waitFor } from '../../support/wait.js';
import { type Receiver, TEST_ASN, startReceiver } from '../../support/daemons/gobgpd.js';
import { UC4, UC6, expectRtbhPath, findUnicast } from './harness/expect-rib.js';
import { makeRule, v4Blackhole, v4Drop, v6Blackhole } from './harness/rules.js';
import { eq } from '../../support/rules.js';

const NETNS = `fgad-frr-${process.pid}`;
const discard = [{ kind: 'traffic-rate-bytes' as const, asn: 0, bytesPerSecond: 0 }];
const pbrDrop4 = makeRule({
  id: 'frr-drop4',
  target: '203.0.113.21/32',
  intent: 'drop',
  match: { source: { prefix: '198.51.100.0/24' }, ipProtocol: [eq(6)] },
  actions: discard,
});
const pbrDrop6 = makeRule({
  id: 'frr-drop6',
  target: '2001:db8::21/128',
  intent: 'drop',
  match: { ipProtocol: [eq(17)] },
  actions: discard,
});

function hostRoute(prefix: string, v6: boolean): string {
  return execFileSync('/usr/sbin/ip', [...(v6 ? ['-6'] : []), 'route', 'show', prefix], {
    encoding: 'utf8',
  }).trim();
}

describe('FRR adapter ↔ vtysh ↔ FRR (netns) ↔ receiving gobgpd', () => {
  const dir = tempDir('frr');
  let receiver: Receiver;
  let frr: FrrDaemons;
  let adapter: FrrAdapter;

  beforeAll(async () => {
    deleteNetns(NETNS);
    createNetns(NETNS);
    frr = await startFrr({ dir, netns: NETNS, asn: TEST_ASN });
    receiver = await startReceiver({
      dir,
      address: FRR_PEER,
      grpc: `unix://${join(dir, 'receiver.sock')}`,
      peers: [FRR_LOCAL],
      netns: NETNS,
    });
    adapter = new FrrAdapter(
      frrConfigSchema.parse({
        name: 'frr-test',
        vtySocketDir: dir,
        asn: TEST_ASN,
        pbrInterfaces: ['fgpbr0'],
        timeoutMs: 5000,
      }),
    );
    await receiver.waitEstablished(FRR_LOCAL);
  });

  afterAll(async () => {
    await adapter?.close();
    await frr?.stop();
    await receiver?.stop();
    deleteNetns(NETNS);
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports the established session as health', async () => {
    const h = await waitFor(
      'frr adapter up',
      async () => ((await adapter.test()).status === 'up' ? adapter.health() : undefined),
      20_000,
    );
    expect(h.sessions).toEqual({ [FRR_PEER]: 'established' });
  });

  it('announces IPv4 and IPv6 RTBH through tagged statics and the route-map, field by field', async () => {
    for (const r of [v4Blackhole, v6Blackhole]) {
      const res = await adapter.announce(r);
      expect(res.error).toBeUndefined();
      expect(res.ok).toBe(true);
    }
    const comms = ['65535:666', '65535:65281', '65040:7'];
    const uc4 = await waitFor('IPv4 RTBH', async () =>
      (await receiver.rib(UC4)).length === 1 ? receiver.rib(UC4) : undefined,
    );
    const uc6 = await waitFor('IPv6 RTBH', async () =>
      (await receiver.rib(UC6)).length === 1 ? receiver.rib(UC6) : undefined,
    );
    expectRtbhPath(findUnicast(uc4, v4Blackhole), v4Blackhole, {
      nextHop: '100.64.0.1',
      communities: comms,
      largeCommunities: ['65040:666:1'],
    });
    expectRtbhPath(findUnicast(uc6, v6Blackhole), v6Blackhole, {
      nextHop: '100::1',
      communities: comms,
      largeCommunities: ['65040:666:1'],
    });
    // zebra installed the blackholes in the namespace only
    expect(netnsOutput(NETNS, ['route', 'show', '203.0.113.12'])).toMatch(/blackhole 203\.0\.113\.12/);
    expect(hostRoute('203.0.113.12', false)).toBe('');
    expect(hostRoute('2001:db8::12', true)).toBe('');
  });

  it('turns drops into pbr-map entries installed as policy rules in the namespace', async () => {
    for (const r of [pbrDrop4, pbrDrop6]) {
      const res = await adapter.announce(r);
      expect(res.error).toBeUndefined();
    }
    const rules4 = await waitFor('IPv4 policy rule', () => {
      const out = netnsOutput(NETNS, ['rule', 'show']);
      return /to 203\.0\.113\.21/.test(out) ? out : undefined;
    });
    expect(rules4).toMatch(/from 198\.51\.100\.0\/24 to 203\.0\.113\.21 .*iif fgpbr0.*ipproto tcp/);
    const rules6 = await waitFor('IPv6 policy rule', () => {
      const out = netnsOutput(NETNS, ['-6', 'rule', 'show']);
      return /to 2001:db8::21/.test(out) ? out : undefined;
    });
    expect(rules6).toMatch(/to 2001:db8::21 .*iif fgpbr0.*ipproto udp/);
    expect(hostRoute('203.0.113.21', false)).toBe('');
  });

  it('refuses what a pbr-map cannot match instead of widening the rule', async () => {
    const res = await adapter.announce(v4Drop); // carries tcp flags, fragment and two ports
    expect(res).toMatchObject({ ok: false, retryable: false });
    expect(res.error).toMatch(/^unsupported-component/);
    // FRR 8.4 would install this without the port (every port dropped): refused unless pbrPortsAndDscp
    const port = await adapter.announce({
      ...pbrDrop4,
      id: 'port',
      match: { ...pbrDrop4.match, destinationPort: [eq(80)] },
    });
    expect(port).toMatchObject({ ok: false, retryable: false });
    expect(port.error).toMatch(/pbrPortsAndDscp/);
  });

  it('lists the entries FRR holds with their rule ids', async () => {
    const held = await adapter.list();
    expect(held.map((h) => h.ruleId).sort()).toEqual(['frr-drop4', 'frr-drop6', 'r4-rtbh', 'r6-rtbh']);
    expect(held.find((h) => h.ruleId === 'r6-rtbh')?.target).toBe('2001:db8::12/128');
  });

  it('withdraws every route and policy', async () => {
    for (const r of [v4Blackhole, v6Blackhole, pbrDrop4, pbrDrop6]) {
      const res = await adapter.withdraw(r);
      expect(res.error).toBeUndefined();
    }
    await waitFor(
      'empty receiver RIB',
      async () => (await receiver.rib(UC4)).length + (await receiver.rib(UC6)).length === 0 || undefined,
    );
    await waitFor(
      'policy rules gone',
      () => !/203\.0\.113\.21/.test(netnsOutput(NETNS, ['rule', 'show'])) || undefined,
    );
    expect(netnsOutput(NETNS, ['route', 'show', '203.0.113.12'])).toBe('');
    expect(await adapter.list()).toEqual([]);
  });

  it('goes red when FRR stops', async () => {
    await frr.stop();
    expect((await adapter.test()).status).toBe('down');
    expect(await adapter.announce(v4Blackhole)).toMatchObject({ ok: false, retryable: true });
  });
});
