// BGP series and session events from a live native-speaker session (an in-process BGP peer on loopback):
// Established → floodgate_bgp_session_up 1, routes per family, UPDATE counters; the peer drops the TCP
// session → the health watcher publishes bgp-session down and the gauge reads 0.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HealthWatcher } from '../../src/app/health-events.js';
import { SESSION_STATES } from '../../src/bgp/fsm.js';
import { BgpSpeaker } from '../../src/bgp/speaker.js';
import { EventBus, type OpsEvent } from '../../src/domain/events.js';
import { FloodgateMetrics } from '../../src/export/metrics.js';
import { waitFor } from '../support/wait.js';
import { FakePeer } from '../bgp/helpers/fake-peer.js';
import { rule } from '../support/rules.js';

const FAMS = ['ipv4-unicast', 'ipv6-unicast', 'ipv4-flowspec', 'ipv6-flowspec'] as const;

describe('BGP metrics and session events from a live session', () => {
  let peer: FakePeer;
  let sp: BgpSpeaker;
  const bus = new EventBus();
  const seen: OpsEvent[] = [];
  let watcher: HealthWatcher;
  const metrics = new FloodgateMetrics({ topTalkers: 0, processMetrics: false });

  beforeAll(async () => {
    bus.subscribe((e) => seen.push(e));
    peer = new FakePeer({ address: '127.15.0.60', asn: 65060, families: FAMS, enhancedRouteRefresh: true });
    const port = await peer.listen();
    sp = new BgpSpeaker({
      enabled: true,
      routerId: '10.15.0.61',
      localAs: 65061,
      listen: { enabled: false, address: '127.15.0.61', port: 0 },
      discardNextHop: { ipv4: '100.64.0.1' },
      peers: [
        {
          name: 'edge',
          address: '127.15.0.60',
          port,
          localAddress: '127.15.0.61',
          remoteAs: 65060,
          connectRetrySeconds: 30,
          families: [...FAMS],
        },
      ],
    });
    metrics.setSources({ bgpPeers: () => sp.peersSnapshot(), bgpStates: SESSION_STATES });
    watcher = new HealthWatcher({
      bus,
      intervalMs: 1000,
      exporterSilentMs: 60_000,
      sample: () => ({ adapters: {}, sessions: sp.sessionStates(), exporters: {} }),
    });
    watcher.check();
    await sp.start();
    await peer.waitSessions(1);
    await waitFor('Established', () => (sp.sessionStates()['edge'] === 'Established' ? true : undefined));
  });

  afterAll(async () => {
    watcher.stop();
    await sp?.stop();
    await peer?.close();
  });

  it('reports the Established session, its routes per family and UPDATEs', async () => {
    expect(watcher.check().map((e) => e.type === 'bgp-session' && e.state)).toEqual(['up']);
    sp.upsertRule(rule('a', 'drop', 'flow4 dst 203.0.113.5/32 proto =17'));
    sp.upsertRule(rule('b', 'drop', 'flow6 dst 2001:db8::5/128 proto =17'));
    await peer.waitRib(2);
    const text = (await metrics.render()).split('\n');
    expect(text).toContain('floodgate_bgp_session_up{peer="edge"} 1');
    expect(text).toContain('floodgate_bgp_session_state{peer="edge",state="Established"} 1');
    expect(text).toContain('floodgate_bgp_prefixes_advertised{peer="edge",family="ipv4-flowspec"} 1');
    expect(text).toContain('floodgate_bgp_prefixes_advertised{peer="edge",family="ipv6-flowspec"} 1');
    const updates = Number(
      text.find((l) => l.startsWith('floodgate_bgp_updates_sent_total{peer="edge"}'))?.split(' ')[1],
    );
    expect(updates).toBe(peer.updates());
  });

  it('a dropped session becomes a bgp-session down event and session_up 0', async () => {
    peer.cut();
    await waitFor('left Established', () =>
      sp.sessionStates()['edge'] !== 'Established' ? true : undefined,
    );
    const events = watcher.check();
    expect(events).toEqual([expect.objectContaining({ type: 'bgp-session', peer: 'edge', state: 'down' })]);
    expect(
      seen.filter((e) => e.type === 'bgp-session').map((e) => e.type === 'bgp-session' && e.state),
    ).toEqual(['up', 'down']);
    expect((await metrics.render()).split('\n')).toContain('floodgate_bgp_session_up{peer="edge"} 0');
  });
});
