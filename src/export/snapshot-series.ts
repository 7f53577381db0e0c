// The scrape-time series of the Prometheus registry: each reads one part's stats() snapshot through a
// small structural port (so src/export depends on no part's implementation). Kept apart from the
// registry class (metrics.ts) so each file holds one job: what is measured here, how it is served there.
import type { SinkStats } from './manager.js';
import type { UdpSocketRow } from './proc-udp.js';

// ---- structural ports: the fields read from each part's snapshot --------------------------------

export interface ExporterSnapshot {
  readonly address: string;
  readonly datagrams: number;
  readonly records: number;
  readonly sequenceGaps: number;
  readonly lostRecords: number;
  readonly lostDatagrams: number;
  readonly lastSeenMs: number;
  readonly errors: Readonly<Record<string, number>>;
}
export interface CollectorSnapshot {
  readonly datagrams: number;
  readonly rejected: number;
  readonly exporterLimit: number;
  readonly exporters: readonly ExporterSnapshot[];
}
export interface DetectorSnapshot {
  readonly records: number;
  readonly notOurs: number;
  readonly late: number;
  readonly invalid: number;
  readonly hostsIn: number;
  readonly hostsOut: number;
  readonly prefixesIn: number;
  readonly prefixesOut: number;
  readonly evictions: number;
  readonly openAttacks: number;
}
export interface RunnerSnapshot {
  readonly inputs: number;
  readonly activeRules: number;
  readonly queuedRules: number;
  readonly pendingTasks: number;
}
export interface PeerSnapshotLike {
  readonly name: string;
  readonly state: string;
  readonly uptimeSeconds: number | null;
  readonly adjRibOut: Readonly<Record<string, number | undefined>>;
  readonly counters: {
    readonly messagesIn: Readonly<Record<string, number>>;
    readonly messagesOut: Readonly<Record<string, number>>;
    readonly prefixesAnnouncedIn: number;
    readonly flaps: number;
    readonly updatesOut: number;
    readonly prefixesOut: number;
    readonly withdrawalsOut: number;
  };
}

export interface MetricsSources {
  readonly collector?: () => CollectorSnapshot;
  readonly udpSockets?: () => readonly UdpSocketRow[];
  readonly detector?: () => DetectorSnapshot;
  readonly topTalkers?: (n: number) => readonly { target: string; pps: number; bps: number }[];
  readonly runner?: () => RunnerSnapshot;
  readonly activeRules?: () => readonly { intent: string; tenant: string }[];
  readonly adapters?: () => readonly { name: string; status: string }[];
  readonly bgpPeers?: () => readonly PeerSnapshotLike[];
  readonly bgpStates?: readonly string[];
  readonly exports?: () => readonly SinkStats[];
}

export type Sample = readonly [Readonly<Record<string, string>>, number];
export type AddSeries = (
  name: string,
  help: string,
  type: 'counter' | 'gauge',
  read: () => readonly Sample[],
) => void;

export const ADAPTER_STATUSES = ['up', 'degraded', 'down'] as const;

/** Registers every snapshot series through `add`; `sources` and `topN` are read at each scrape. */
export class SnapshotSeries {
  constructor(
    private readonly add: AddSeries,
    private readonly sources: () => MetricsSources,
    private readonly topN: () => number,
  ) {
    this.registerSnapshots();
  }

  private registerSnapshots(): void {
    const s = this.sources;
    const exporters = () => s().collector?.().exporters ?? [];
    const perExporter = (f: (e: ExporterSnapshot) => number) => (): Sample[] =>
      exporters().map((e) => [{ exporter: e.address }, f(e)]);
    // flow
    this.add(
      'floodgate_flow_datagrams_total',
      'UDP datagrams received by the flow collector.',
      'counter',
      () => (s().collector ? [[{}, s().collector!().datagrams]] : []),
    );
    this.add(
      'floodgate_flow_rejected_datagrams_total',
      'Datagrams refused: exporter not allowed or exporter table full.',
      'counter',
      () => {
        const c = s().collector?.();
        return c
          ? [
              [{ reason: 'not-allowed' }, c.rejected],
              [{ reason: 'exporter-limit' }, c.exporterLimit],
            ]
          : [];
      },
    );
    this.add(
      'floodgate_flow_exporter_datagrams_total',
      'Datagrams per exporter.',
      'counter',
      perExporter((e) => e.datagrams),
    );
    this.add(
      'floodgate_flow_exporter_records_total',
      'Flow records per exporter.',
      'counter',
      perExporter((e) => e.records),
    );
    this.add(
      'floodgate_flow_exporter_sequence_gaps_total',
      'Sequence-number discontinuities per exporter (lost or reordered export datagrams).',
      'counter',
      perExporter((e) => e.sequenceGaps),
    );
    this.add(
      'floodgate_flow_exporter_lost_records_total',
      'Records (v5/IPFIX) or datagrams (v9/sFlow, counted as records) the sequence numbers say were lost.',
      'counter',
      perExporter((e) => e.lostRecords + e.lostDatagrams),
    );
    this.add(
      'floodgate_flow_exporter_last_seen_timestamp_seconds',
      'Unix time of the last datagram from the exporter.',
      'gauge',
      perExporter((e) => e.lastSeenMs / 1000),
    );
    this.add(
      'floodgate_flow_decode_errors_total',
      'Datagrams or sets the decoders refused, per exporter and error kind.',
      'counter',
      () =>
        exporters().flatMap((e) =>
          Object.entries(e.errors)
            .filter(([, n]) => n > 0)
            .map(([kind, n]): Sample => [{ exporter: e.address, kind }, n]),
        ),
    );
    this.add(
      'floodgate_flow_socket_drops_total',
      'Datagrams the kernel dropped on a flow listener socket (full receive buffer), from /proc/net/udp*.',
      'counter',
      () => (s().udpSockets?.() ?? []).map((r) => [{ socket: r.local }, r.drops]),
    );
    this.add(
      'floodgate_flow_socket_receive_queue_bytes',
      'Bytes waiting in a flow listener socket’s receive queue.',
      'gauge',
      () => (s().udpSockets?.() ?? []).map((r) => [{ socket: r.local }, r.rxQueueBytes]),
    );
    // detection
    const det = (f: (d: DetectorSnapshot) => readonly Sample[]) => () => {
      const d = s().detector?.();
      return d ? f(d) : [];
    };
    this.add(
      'floodgate_detect_hosts_tracked',
      'Hosts with counters, per direction.',
      'gauge',
      det((d) => [
        [{ direction: 'incoming' }, d.hostsIn],
        [{ direction: 'outgoing' }, d.hostsOut],
      ]),
    );
    this.add(
      'floodgate_detect_prefixes_tracked',
      'Prefixes with counters, per direction.',
      'gauge',
      det((d) => [
        [{ direction: 'incoming' }, d.prefixesIn],
        [{ direction: 'outgoing' }, d.prefixesOut],
      ]),
    );
    this.add(
      'floodgate_detect_evictions_total',
      'Idle targets evicted from the counter tables (restarts at zero on a detection reload).',
      'counter',
      det((d) => [[{}, d.evictions]]),
    );
    this.add(
      'floodgate_detect_open_attacks',
      'Attacks currently open.',
      'gauge',
      det((d) => [[{}, d.openAttacks]]),
    );
    this.add(
      'floodgate_detect_records_total',
      'Flow records seen by detection, by outcome.',
      'counter',
      det((d) => [
        [{ outcome: 'counted' }, Math.max(0, d.records - d.notOurs - d.late - d.invalid)],
        [{ outcome: 'not-ours' }, d.notOurs],
        [{ outcome: 'late' }, d.late],
        [{ outcome: 'invalid' }, d.invalid],
      ]),
    );
    this.add(
      'floodgate_top_talker_pps',
      'Packet rate of the N busiest destination hosts (rank 1 = busiest; N = exports.metrics.topTalkers).',
      'gauge',
      () =>
        (s().topTalkers?.(this.topN()) ?? []).map((t, i) => [
          { rank: String(i + 1), target: t.target },
          t.pps,
        ]),
    );
    this.add(
      'floodgate_top_talker_bps',
      'Bit rate of the N busiest destination hosts (same ranking as floodgate_top_talker_pps).',
      'gauge',
      () =>
        (s().topTalkers?.(this.topN()) ?? []).map((t, i) => [
          { rank: String(i + 1), target: t.target },
          t.bps,
        ]),
    );
    // engine
    this.add(
      'floodgate_engine_active_rules',
      'Active mitigation rules by intent and tenant.',
      'gauge',
      () => {
        const counts = new Map<string, number>();
        for (const r of s().activeRules?.() ?? []) {
          const k = `${r.intent}\u0000${r.tenant}`;
          counts.set(k, (counts.get(k) ?? 0) + 1);
        }
        return [...counts].map(([k, n]) => {
          const [intent = '', tenant = ''] = k.split('\u0000');
          return [{ intent, tenant }, n];
        });
      },
    );
    this.add(
      'floodgate_engine_queue_depth',
      'Rules waiting in the engine queue (rate limit, cooldown).',
      'gauge',
      () => (s().runner ? [[{}, s().runner!().queuedRules]] : []),
    );
    this.add('floodgate_engine_pending_tasks', 'Adapter calls and store writes in progress.', 'gauge', () =>
      s().runner ? [[{}, s().runner!().pendingTasks]] : [],
    );
    this.add(
      'floodgate_engine_inputs_total',
      'Inputs (events, commands, ticks) the engine processed.',
      'counter',
      () => (s().runner ? [[{}, s().runner!().inputs]] : []),
    );
    this.add(
      'floodgate_adapter_health',
      'Adapter health as a state set: 1 for the current status (up, degraded, down), 0 for the others.',
      'gauge',
      () =>
        (s().adapters?.() ?? []).flatMap((a) =>
          ADAPTER_STATUSES.map((st): Sample => [{ adapter: a.name, status: st }, a.status === st ? 1 : 0]),
        ),
    );
    this.registerBgp();
    this.registerExports();
  }

  private registerBgp(): void {
    const peers = () => this.sources().bgpPeers?.() ?? [];
    const per = (f: (p: PeerSnapshotLike) => number) => (): Sample[] =>
      peers().map((p) => [{ peer: p.name }, f(p)]);
    this.add(
      'floodgate_bgp_session_up',
      '1 while the BGP session is Established.',
      'gauge',
      per((p) => (p.state === 'Established' ? 1 : 0)),
    );
    this.add(
      'floodgate_bgp_session_state',
      'BGP FSM state as a state set (RFC 4271 §8): 1 for the current state.',
      'gauge',
      () =>
        peers().flatMap((p) =>
          (this.sources().bgpStates ?? [p.state]).map((st): Sample => [
            { peer: p.name, state: st },
            p.state === st ? 1 : 0,
          ]),
        ),
    );
    this.add(
      'floodgate_bgp_session_uptime_seconds',
      'Seconds since the session reached Established (0 when down).',
      'gauge',
      per((p) => p.uptimeSeconds ?? 0),
    );
    this.add(
      'floodgate_bgp_prefixes_advertised',
      'Routes in the Adj-RIB-Out per peer and address family.',
      'gauge',
      () =>
        peers().flatMap((p) =>
          Object.entries(p.adjRibOut).map(([family, n]): Sample => [{ peer: p.name, family }, n ?? 0]),
        ),
    );
    this.add(
      'floodgate_bgp_updates_sent_total',
      'UPDATE messages sent.',
      'counter',
      per((p) => p.counters.messagesOut['update'] ?? p.counters.updatesOut),
    );
    this.add(
      'floodgate_bgp_updates_received_total',
      'UPDATE messages received.',
      'counter',
      per((p) => p.counters.messagesIn['update'] ?? 0),
    );
    this.add(
      'floodgate_bgp_notifications_sent_total',
      'NOTIFICATION messages sent.',
      'counter',
      per((p) => p.counters.messagesOut['notification'] ?? 0),
    );
    this.add(
      'floodgate_bgp_notifications_received_total',
      'NOTIFICATION messages received.',
      'counter',
      per((p) => p.counters.messagesIn['notification'] ?? 0),
    );
    this.add(
      'floodgate_bgp_prefixes_sent_total',
      'Prefixes (NLRI) announced to the peer.',
      'counter',
      per((p) => p.counters.prefixesOut),
    );
    this.add(
      'floodgate_bgp_withdrawals_sent_total',
      'Prefixes withdrawn from the peer.',
      'counter',
      per((p) => p.counters.withdrawalsOut),
    );
    this.add(
      'floodgate_bgp_session_flaps_total',
      'Times the session left Established.',
      'counter',
      per((p) => p.counters.flaps),
    );
  }

  private registerExports(): void {
    const sinks = () => this.sources().exports?.() ?? [];
    const per = (f: (x: SinkStats) => number) => (): Sample[] =>
      sinks().map((x) => [{ sink: x.name, kind: x.kind }, f(x)]);
    this.add(
      'floodgate_export_queue_length',
      'Events waiting in the sink’s bounded queue (in flight included).',
      'gauge',
      per((x) => x.queued + x.inFlight),
    );
    this.add(
      'floodgate_export_sent_total',
      'Events the endpoint accepted.',
      'counter',
      per((x) => x.sent),
    );
    this.add(
      'floodgate_export_dropped_total',
      'Events dropped because the queue was full (oldest first) or closed.',
      'counter',
      per((x) => x.dropped),
    );
    this.add(
      'floodgate_export_dead_letter_total',
      'Events given up after the retries or refused for good by the endpoint.',
      'counter',
      per((x) => x.deadLettered),
    );
    this.add(
      'floodgate_export_retries_total',
      'Batches retried after a failure.',
      'counter',
      per((x) => x.retries),
    );
    this.add(
      'floodgate_export_failures_total',
      'Failed delivery attempts.',
      'counter',
      per((x) => x.failures),
    );
    this.add(
      'floodgate_export_last_success_timestamp_seconds',
      'Unix time of the last accepted batch (0 = never).',
      'gauge',
      per((x) => (x.lastSuccessAt ?? 0) / 1000),
    );
  }
}
