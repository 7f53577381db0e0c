// Bounds on what hostile exporters can make the collector hold (templates, pending sets, exporters) and the
// process-wide budget they share. Templates expire like RFC 7011 §8.4 / RFC 3954 §5.2 ask of a UDP collector:
// a template not refreshed within its lifetime is discarded. Sizes are wire octets of the template records.

export interface FlowLimits {
  /** Fields in one (options) template record; more is refused ('template-too-large'). */
  readonly maxTemplateFields: number;
  /** Templates held per exporter, and their wire octets. */
  readonly maxTemplatesPerExporter: number;
  readonly maxTemplateBytesPerExporter: number;
  /** Templates held by all exporters together, and their wire octets. */
  readonly maxTemplatesTotal: number;
  readonly maxTemplateBytesTotal: number;
  /** RFC 7011 §8.4: lifetime of a template received over UDP (refreshed by every retransmission). */
  readonly templateTimeoutMs: number;
  /** Exporters tracked; when full, the least recently seen one idle ≥ exporterIdleMs is evicted. */
  readonly maxExporters: number;
  readonly exporterIdleMs: number;
  /** Data sets held while their template is unknown: per exporter (count, octets) and in total. */
  readonly maxPendingSets: number;
  readonly maxPendingBytesPerExporter: number;
  readonly maxPendingBytesTotal: number;
}

export const DEFAULT_FLOW_LIMITS: FlowLimits = {
  maxTemplateFields: 256,
  maxTemplatesPerExporter: 512,
  maxTemplateBytesPerExporter: 256 * 1024,
  maxTemplatesTotal: 16384,
  maxTemplateBytesTotal: 4 * 1024 * 1024,
  // RFC 7011 §8.4 leaves it configurable; 3× the usual 600 s refresh (RFC 7011 §10.3.6 discussion)
  templateTimeoutMs: 1_800_000,
  maxExporters: 4096,
  exporterIdleMs: 60_000,
  maxPendingSets: 32,
  maxPendingBytesPerExporter: 64 * 1024,
  maxPendingBytesTotal: 8 * 1024 * 1024,
};

/**
 * Fixed bounds on the small per-exporter tables keyed by numbers an exporter chooses (observation domains /
 * source ids, sFlow data sources, samplers, interfaces): beyond them new keys are not tracked, so a forged
 * stream of fresh ids cannot grow an exporter's state.
 */
export const PER_EXPORTER = {
  /** (format, domain) pairs whose sequence numbers are tracked; also IPFIX systemInitTime per domain. */
  domains: 256,
  /** sFlow data sources whose drop counters are tracked; samplers whose rate is remembered. */
  sources: 256,
  /** sFlow interface counter records kept per exporter, and by all exporters together. */
  interfaces: 1024,
  interfacesTotal: 65536,
} as const;

/** What every exporter of one collector holds together (mutated by the exporters' stores and queues). */
export class FlowBudget {
  templates = 0;
  templateBytes = 0;
  pendingBytes = 0;
  /** sFlow interface counter records held (PER_EXPORTER.interfacesTotal). */
  interfaces = 0;
  /** Refusals because the shared budget (not the exporter's own bound) was exhausted. */
  refusals = 0;
  constructor(readonly limits: FlowLimits = DEFAULT_FLOW_LIMITS) {}

  snapshot(): {
    templates: number;
    templateBytes: number;
    pendingBytes: number;
    interfaces: number;
    refusals: number;
  } {
    return {
      templates: this.templates,
      templateBytes: this.templateBytes,
      pendingBytes: this.pendingBytes,
      interfaces: this.interfaces,
      refusals: this.refusals,
    };
  }
}
