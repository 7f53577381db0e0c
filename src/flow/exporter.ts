// State and statistics kept per exporter (one source address): counters, sequence tracking per format rules,
// templates, the data-before-template queue, sampling, and sFlow interface counters.
import { FORMAT_CODE, type FlowFormat } from './batch.js';
import { emptyErrorCounts, type ErrorCounts, type FlowErrorKind } from './errors.js';
import { SamplingState } from './sampling.js';
import { MapTemplateStore, type TemplateStore } from './templates.js';

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

export const PENDING_LIMIT = 32;
export const PENDING_MAX_BYTES = 256 * 1024;

export interface ExporterStats {
  id: number;
  address: string;
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
  pendingSets: number;
  pendingDecoded: number;
  samplingRate: number;
  samplingAbsurd: number;
  samplingChanges: number;
  sflowDrops: number;
  interfaces: InterfaceCounters[];
  lastSeenMs: number;
}

export class ExporterState {
  datagrams = 0;
  records = 0;
  readonly errors: ErrorCounts = emptyErrorCounts();
  lastFormat: FlowFormat | null = null;
  lastSeenMs = 0;
  sequenceGaps = 0;
  lostDatagrams = 0;
  lostRecords = 0;
  sequenceResets = 0;
  /** Next expected sequence per (format, domain). */
  private readonly nextSeq = new Map<number, number>();
  readonly templates: TemplateStore;
  readonly pending: PendingSet[] = [];
  pendingBytes = 0;
  pendingDecoded = 0;
  readonly sampling = new SamplingState();
  /** IPFIX systemInitTimeMilliseconds per observation domain (RFC 7011 flowStartSysUpTime base). */
  readonly systemInitMs = new Map<number, number>();
  /** sFlow: drops reported by flow samples (cumulative per data source, summed on change). */
  sflowDrops = 0;
  private readonly sflowDropsBySource = new Map<number, number>();
  readonly interfaces = new Map<number, InterfaceCounters>();

  constructor(
    readonly id: number,
    readonly address: string,
    templateLimit = 4096,
  ) {
    this.templates = new MapTemplateStore(templateLimit);
  }

  error(kind: FlowErrorKind): FlowErrorKind {
    this.errors[kind]++;
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
      if (ahead < 0x80000000) {
        this.sequenceGaps++;
        if (unit === 'datagrams') this.lostDatagrams += ahead;
        else this.lostRecords += ahead;
      } else {
        // behind: reordering or an exporter restart, not loss
        this.sequenceResets++;
      }
    }
    this.nextSeq.set(k, (seq + increment) >>> 0);
  }

  notePendingDecoded(): void {
    this.pendingDecoded++;
  }

  noteSflowDrops(source: number, drops: number): void {
    const prev = this.sflowDropsBySource.get(source);
    if (prev === undefined) {
      if (drops > 0) this.sflowDrops += drops;
    } else if (drops > prev) this.sflowDrops += drops - prev;
    if (prev !== drops) this.sflowDropsBySource.set(source, drops);
  }

  stats(): ExporterStats {
    return {
      id: this.id,
      address: this.address,
      lastFormat: this.lastFormat,
      datagrams: this.datagrams,
      records: this.records,
      errors: { ...this.errors },
      sequenceGaps: this.sequenceGaps,
      lostDatagrams: this.lostDatagrams,
      lostRecords: this.lostRecords,
      sequenceResets: this.sequenceResets,
      templates: this.templates.size,
      pendingSets: this.pending.length,
      pendingDecoded: this.pendingDecoded,
      samplingRate: this.sampling.lastSeen || this.sampling.override || 1,
      samplingAbsurd: this.sampling.absurd,
      samplingChanges: this.sampling.changes,
      sflowDrops: this.sflowDrops,
      interfaces: [...this.interfaces.values()].map((c) => ({ ...c })),
      lastSeenMs: this.lastSeenMs,
    };
  }
}
