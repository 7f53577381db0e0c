// The registry renders each part's snapshot as the documented series (fakes for every source).
import { describe, expect, it } from 'vitest';
import { FloodgateMetrics } from './metrics.js';

const counters = (o: Record<string, number>) => ({
  open: 0,
  update: 0,
  notification: 0,
  keepalive: 0,
  'route-refresh': 0,
  ...o,
});

describe('FloodgateMetrics', () => {
  it('renders BGP, engine, adapter, export and top-talker series from snapshots', async () => {
    const m = new FloodgateMetrics({ topTalkers: 2, processMetrics: false, node: 'n1' });
    m.setSources({
      bgpPeers: () => [
        {
          name: 'r1',
          state: 'Established',
          uptimeSeconds: 42,
          adjRibOut: { 'ipv4-flowspec': 3, 'ipv6-flowspec': 1 },
          counters: {
            messagesIn: counters({ update: 5, notification: 1 }),
            messagesOut: counters({ update: 7, notification: 2 }),
            prefixesAnnouncedIn: 0,
            flaps: 1,
            updatesOut: 7,
            prefixesOut: 9,
            withdrawalsOut: 4,
          },
        },
      ],
      bgpStates: ['Idle', 'Established'],
      runner: () => ({ inputs: 10, activeRules: 3, queuedRules: 2, pendingTasks: 1 }),
      activeRules: () => [
        { intent: 'drop', tenant: 'a' },
        { intent: 'drop', tenant: 'a' },
        { intent: 'rate-limit', tenant: 'b' },
      ],
      adapters: () => [{ name: 'gobgp', status: 'degraded' }],
      topTalkers: (n) =>
        [
          { target: '203.0.113.9/32', pps: 900, bps: 7200 },
          { target: '203.0.113.8/32', pps: 10, bps: 80 },
          { target: '203.0.113.7/32', pps: 1, bps: 8 },
        ].slice(0, n),
      exports: () => [
        {
          name: 'hec',
          kind: 'splunk',
          queued: 4,
          inFlight: 1,
          sent: 9,
          dropped: 2,
          deadLettered: 3,
          retries: 5,
          failures: 6,
          batches: 7,
          lastError: null,
          lastSuccessAt: 2000,
        },
      ],
    });
    m.onEvent({
      type: 'audit',
      at: 1,
      record: { at: 1, actor: 'engine', action: 'announce', tenant: 'a', dryRun: false, reason: '' },
    });
    m.onEvent({ type: 'attack', at: 1, event: { family: 'syn_flood', kind: 'start' } as never });
    const text = await m.render();
    const lines = [
      'floodgate_bgp_session_up{peer="r1",node="n1"} 1',
      'floodgate_bgp_session_state{peer="r1",state="Idle",node="n1"} 0',
      'floodgate_bgp_session_state{peer="r1",state="Established",node="n1"} 1',
      'floodgate_bgp_session_uptime_seconds{peer="r1",node="n1"} 42',
      'floodgate_bgp_prefixes_advertised{peer="r1",family="ipv4-flowspec",node="n1"} 3',
      'floodgate_bgp_updates_sent_total{peer="r1",node="n1"} 7',
      'floodgate_bgp_updates_received_total{peer="r1",node="n1"} 5',
      'floodgate_bgp_notifications_sent_total{peer="r1",node="n1"} 2',
      'floodgate_bgp_notifications_received_total{peer="r1",node="n1"} 1',
      'floodgate_bgp_withdrawals_sent_total{peer="r1",node="n1"} 4',
      'floodgate_engine_active_rules{intent="drop",tenant="a",node="n1"} 2',
      'floodgate_engine_active_rules{intent="rate-limit",tenant="b",node="n1"} 1',
      'floodgate_engine_queue_depth{node="n1"} 2',
      'floodgate_adapter_health{adapter="gobgp",status="degraded",node="n1"} 1',
      'floodgate_adapter_health{adapter="gobgp",status="up",node="n1"} 0',
      'floodgate_top_talker_pps{rank="1",target="203.0.113.9/32",node="n1"} 900',
      'floodgate_top_talker_bps{rank="2",target="203.0.113.8/32",node="n1"} 80',
      'floodgate_export_queue_length{sink="hec",kind="splunk",node="n1"} 5',
      'floodgate_export_dead_letter_total{sink="hec",kind="splunk",node="n1"} 3',
      'floodgate_export_last_success_timestamp_seconds{sink="hec",kind="splunk",node="n1"} 2',
      'floodgate_engine_decisions_total{action="announce",node="n1"} 1',
      'floodgate_detect_attack_events_total{family="syn_flood",kind="start",node="n1"} 1',
    ];
    for (const l of lines) expect(text.split('\n')).toContain(l);
    expect(text).not.toContain('203.0.113.7/32'); // top-N bound
  });

  it('a source that throws empties its series instead of failing the scrape', async () => {
    const m = new FloodgateMetrics({ topTalkers: 1, processMetrics: false });
    m.setSources({
      runner: () => {
        throw new Error('stopping');
      },
      adapters: () => [{ name: 'a', status: 'up' }],
    });
    const text = await m.render();
    expect(text).toMatch(/^floodgate_adapter_health\{adapter="a",status="up"\} 1$/m);
    expect(text).not.toMatch(/^floodgate_engine_queue_depth /m);
  });
});
