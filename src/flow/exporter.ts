// State and statistics kept per exporter (a UDP source for NetFlow/IPFIX; an sFlow agent address and sub-agent
// id): counters, sequence tracking per format rules, templates, the data-before-template queue, sampling, sFlow
// interface counters, and the plausibility flags that keep forged exports out of detection (screen.ts).
import { FORMAT_CODE, type FlowFormat } from './batch.js';
import { emptyErrorCounts, type ErrorCounts, type FlowErrorKind } from './errors.js';
import { SamplingState } from './sampling.js';
import { DEFAULT_FLOW_LIMITS, FlowBudget, PER_EXPORTER, type FlowLimits } from './limits.js';
import { MapTemplateStore } from './templates.js';

/** sFlow generic interface counters (sflow_version_5.txt, counter record 0:1), latest values. */
export interface InterfaceCounters {
  ifIndex: number;
  ifType: number;
  ifSpeed: number;
  ifDirection: number;
  ifStatus: number;
  ifInOctets: number;
  ifInUcastPkts: number;
  ifInMulticastPkts: number;
  ifInBroadcastPkts: number;
  ifInDiscards: number;
  ifInErrors: number;
  ifInUnknownProtos: number;
  ifOutOctets: number;
  ifOutUcastPkts: number;
  ifOutMulticastPkts: number;
  ifOutBroadcastPkts: number;
  ifOutDiscards: number;
  ifOutErrors: number;
  ifPromiscuousMode: number;
  updatedMs: number;
}

/** A NetFlow v9 / IPFIX data set held until its template arrives. */
export interface PendingSet {
  format: 'netflow9' | 'ipfix';
  domain: number;
  templateId: number;
  data: Uint8Array;
  exportMs: number;
  sysUptimeMs: number;
}

/**
 * A sequence jump larger than this is taken for an exporter restart or a forged number (counted as a reset), not
 * as loss: one datagram must not be able to claim billions of lost units.
 */
export const MAX_SEQUENCE_GAP = { datagrams: 10_000, records: 300_000 } as const;

export interface ExporterStats {
  id: number;
  address: string;
  /** UDP source the datagrams came from (differs from address for sFlow relayed through another host). */
  source: string;
  /** sFlow sub-agent id (absent for NetFlow/IPFIX). */
  subAgentId?: number;
  /** Node name the detector reports this exporter's traffic under (flow.nodes, default the address). */
  node: string;
  lastFormat: FlowFormat | null;
  datagrams: number;
  records: number;
  errors: ErrorCounts;
  /** Sequence discontinuities seen and the units lost (datagrams for v9/sFlow, records for v5/IPFIX). */
  sequenceGaps: number;
  lostDatagrams: number;
  lostRecords: number;
  sequenceResets: number;
  templates: number;
  templateBytes: number;
  templatesExpired: number;
  /** Re-sent templates identical to the stored one (lifetime restarted, nothing recompiled). */
  templatesRefreshed: number;
  pendingSets: number;
  pendingBytes: number;
  pendingDecoded: number;
  samplingRate: number;
  samplingAbsurd: number;
  samplingChanges: number;
  /** Records kept out of detection: sampling rate over the bound or changed mid-stream. */
  quarantinedRecords: number;
  /** Records kept out of detection: over the exporter's plausibility ceiling. */
  implausibleRecords: number;
  /** Flagged implausible until this time (0 = not flagged); its attacks then need another node's corroboration. */
  implausibleUntilMs: number;
  implausibleReason: string | null;
  ceilingBps: number | null;
  ceilingPps: number | null;
  sflowDrops: number;
  interfaces: InterfaceCounters[];
  lastSeenMs: number;
}

export class ExporterState {
  datagrams = 0;
  records = 0;
  readonly errors: ErrorCounts = emptyErrorCounts();
  /** Running totals of `errors` (issue 15: read around every datagram, so kept here, not summed per read). */
  decodeErrors = 0;
  queueOverflows = 0;
  lastFormat: FlowFormat | null = null;
  lastSeenMs = 0;
  sequenceGaps = 0;
  lostDatagrams = 0;
  lostRecords = 0;
  sequenceResets = 0;
  /** Next expected sequence per (format, domain). */
  private readonly nextSeq = new Map<number, number>();
  readonly templates: MapTemplateStore;
  readonly pending: PendingSet[] = [];
  pendingBytes = 0;
  /** Node name (flow.nodes) and, for sFlow, the UDP source and sub-agent id. */
  node: string;
  source: string;
  subAgentId: number | undefined;
  quarantinedRecords = 0;
  implausibleRecords = 0;
  implausibleUntilMs = 0;
  implausibleReason: string | null = null;
  /** Configured plausibility ceilings (0 = none) and the current window's estimated totals (screen.ts). */
  maxBps = 0;
  maxPps = 0;
  windowStartMs = -Infinity;
  windowBits = 0;
  windowPackets = 0;
  windowCeilingBps = 0;
  windowCeilingPps = 0;
  pendingDecoded = 0;
  readonly sampling = new SamplingState();
  /** IPFIX systemInitTimeMilliseconds per observation domain (RFC 7011 flowStartSysUpTime base). */
  readonly systemInitMs = new Map<number, number>();
  /** sFlow: drops reported by flow samples (cumulative per data source, summed on change). */
  sflowDrops = 0;
  private readonly sflowDropsBySource = new Map<number, number>();
  /** The last (source, drops) stored: every sample of a busy source repeats it (issue 15: no map lookup then). */
  private memoDropsSource = NaN;
  private memoDrops = 0;
  readonly interfaces = new Map<number, InterfaceCounters>();

  constructor(
    readonly id: number,
    readonly address: string,
    readonly limits: FlowLimits = DEFAULT_FLOW_LIMITS,
    readonly budget: FlowBudget = new FlowBudget(limits),
  ) {
    this.templates = new MapTemplateStore(
      limits.maxTemplatesPerExporter,
      limits.maxTemplateBytesPerExporter,
      budget,
      limits.templateTimeoutMs,
    );
    this.node = address;
    this.source = address;
  }

  /** Marks the exporter implausible for `forMs` from `nowMs` (its attacks then need corroboration). */
  flag(nowMs: number, forMs: number, reason: string): void {
    const until = nowMs + forMs;
    if (until > this.implausibleUntilMs) this.implausibleUntilMs = until;
    this.implausibleReason = reason;
  }

  implausible(nowMs: number): boolean {
    return this.implausibleUntilMs > nowMs;
  }

  /** Frees what the exporter holds in the shared budget (it is being evicted). */
  release(): void {
    this.templates.clear();
    this.budget.interfaces -= this.interfaces.size;
    this.interfaces.clear();
    this.budget.pendingBytes -= this.pendingBytes;
    this.pending.length = 0;
    this.pendingBytes = 0;
  }

  error(kind: FlowErrorKind): FlowErrorKind {
    this.errors[kind]++;
    // pending-overflow is back-pressure (the data-before-template queue was full), every other kind a decode error
    if (kind === 'pending-overflow') this.queueOverflows++;
    else this.decodeErrors++;
    return kind;
  }

  /**
   * Checks a sequence number against the expected one (mod 2^32) and sets the next expectation.
   * `unit` says whether the counter counts datagrams (v9 RFC 3954 §5.1, sFlow) or records (v5, IPFIX RFC 7011 §3.1).
   */
  sequence(
    format: FlowFormat,
    domain: number,
    seq: number,
    increment: number,
    unit: 'datagrams' | 'records',
  ): void {
    const k = FORMAT_CODE[format] * 2 ** 32 + domain;
    const expected = this.nextSeq.get(k);
    if (expected !== undefined && expected !== seq) {
      const ahead = (seq - expected) >>> 0;
      if (ahead <= MAX_SEQUENCE_GAP[unit]) {
        this.sequenceGaps++;
        if (unit === 'datagrams') this.lostDatagrams += ahead;
        else this.lostRecords += ahead;
      } else {
        // behind (reordering, restart) or absurdly far ahead (restart, forged number): not loss
        this.sequenceResets++;
      }
    }
    if (expected !== undefined || this.nextSeq.size < PER_EXPORTER.domains)
      this.nextSeq.set(k, (seq + increment) >>> 0);
  }

  notePendingDecoded(): void {
    this.pendingDecoded++;
  }

  noteSflowDrops(source: number, drops: number): void {
    if (source === this.memoDropsSource && drops === this.memoDrops) return;
    const prev = this.sflowDropsBySource.get(source);
    if (prev === undefined) {
      if (drops > 0) this.sflowDrops += drops;
    } else if (drops > prev) this.sflowDrops += drops - prev;
    if (prev !== drops && (prev !== undefined || this.sflowDropsBySource.size < PER_EXPORTER.sources))
      this.sflowDropsBySource.set(source, drops);
    // only a stored value makes a repeat a no-op (an unstored source's drops would count again)
    const stored = this.sflowDropsBySource.get(source) === drops;
    this.memoDropsSource = stored ? source : NaN;
    this.memoDrops = drops;
  }

  stats(): ExporterStats {
    return {
      id: this.id,
      address: this.address,
      source: this.source,
      ...(this.subAgentId !== undefined ? { subAgentId: this.subAgentId } : {}),
      node: this.node,
      lastFormat: this.lastFormat,
      datagrams: this.datagrams,
      records: this.records,
      errors: { ...this.errors },
      sequenceGaps: this.sequenceGaps,
      lostDatagrams: this.lostDatagrams,
      lostRecords: this.lostRecords,
      sequenceResets: this.sequenceResets,
      templates: this.templates.size,
      templateBytes: this.templates.bytes,
      templatesExpired: this.templates.expired,
      templatesRefreshed: this.templates.refreshed,
      pendingSets: this.pending.length,
      pendingBytes: this.pendingBytes,
      pendingDecoded: this.pendingDecoded,
      samplingRate: this.sampling.lastSeen || this.sampling.override || 1,
      samplingAbsurd: this.sampling.absurd,
      samplingChanges: this.sampling.changes,
      quarantinedRecords: this.quarantinedRecords,
      implausibleRecords: this.implausibleRecords,
      implausibleUntilMs: this.implausibleUntilMs,
      implausibleReason: this.implausibleReason,
      ceilingBps: this.windowCeilingBps > 0 ? this.windowCeilingBps : null,
      ceilingPps: this.windowCeilingPps > 0 ? this.windowCeilingPps : null,
      sflowDrops: this.sflowDrops,
      interfaces: [...this.interfaces.values()].map((c) => ({ ...c })),
      lastSeenMs: this.lastSeenMs,
    };
  }
}
