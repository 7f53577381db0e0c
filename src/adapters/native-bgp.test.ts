import { afterEach, describe, expect, it } from 'vitest';
import { BgpSpeaker } from '../bgp/speaker.js';
import { NativeBgpAdapter } from './native-bgp.js';
import { FakePeer } from '../../test/bgp/helpers/fake-peer.js';
import { rule, rtbh } from '../../test/support/rules.js';
import { waitFor } from '../../test/support/wait.js';

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

describe('NativeBgpAdapter', () => {
  it('announces into the Adj-RIB-Out, lists, withdraws, reports health from sessions', async () => {
    const peer = new FakePeer({
      address: '127.0.30.51',
      asn: 65051,
      families: ['ipv4-unicast', 'ipv4-flowspec'],
    });
    const port = await peer.listen();
    const speaker = new BgpSpeaker({
      routerId: '10.30.0.1',
      localAs: 65030,
      discardNextHop: { ipv4: '100.64.0.1' },
      peers: [
        {
          name: 'edge',
          address: '127.0.30.51',
          port,
          localAddress: '127.0.30.1',
          remoteAs: 65051,
          families: ['ipv4-unicast', 'ipv4-flowspec'],
          connectRetrySeconds: 0.05,
        },
        {
          name: 'dead',
          address: '127.0.30.52',
          port: 1,
          localAddress: '127.0.30.1',
          remoteAs: 65052,
          connectRetrySeconds: 5,
        },
      ],
    });
    const a = new NativeBgpAdapter({ speaker, ownsSpeaker: true, now: () => 42 });
    cleanup.push(async () => {
      await a.close();
      await peer.close();
    });
    expect(a.health()).toMatchObject({ status: 'down', detail: '0/2 BGP sessions established' });
    await speaker.start();
    await peer.waitSessions(1);
    await waitFor('speaker Established', () =>
      speaker.sessionStates()['edge'] === 'Established' ? true : undefined,
    );
    expect(await a.test()).toEqual({
      status: 'degraded',
      detail: '1/2 BGP sessions established',
      sessions: { edge: 'Established', dead: expect.any(String) },
      checkedAt: 42,
    });

    const drop = rule('d1', 'drop', 'flow4 dst 203.0.113.5/32 proto =6 dport =80');
    const r = await a.announce(drop);
    expect(r).toMatchObject({
      ok: true,
      payload: {
        ruleId: 'd1',
        peers: { edge: { ok: true, route: 'flow4 dst 203.0.113.5/32 proto =6 dport =80 then discard' } },
      },
    });
    await a.announce(rtbh('b1', '203.0.113.7/32'));
    await peer.waitRib(2);
    expect(await a.list()).toEqual([
      {
        ruleId: 'd1',
        target: '203.0.113.5/32',
        description: 'flow4 dst 203.0.113.5/32 proto =6 dport =80 then discard',
      },
      { ruleId: 'b1', target: '203.0.113.7/32', description: '203.0.113.7/32 blackhole via 100.64.0.1' },
    ]);
    expect(await a.announce(rule('x', 'synproxy', 'flow4 dst 203.0.113.5/32'))).toMatchObject({
      ok: false,
      retryable: false,
    });
    expect(await a.announce(rule('v6', 'drop', 'flow6 dst 2001:db8::1/128'))).toMatchObject({ ok: true }); // 'dead' takes v6
    expect(await a.withdraw(drop)).toEqual({ ok: true, payload: { ruleId: 'd1', held: true } });
    expect(await a.withdraw(drop)).toEqual({ ok: true, payload: { ruleId: 'd1', held: false } });
    await peer.waitRib(1);
  });
});
