// Attack model shared by detection (producer) and the mitigation engine (consumer).

export const ATTACK_FAMILIES = [
  'udp_flood',
  'syn_flood',
  'ack_rst_flood',
  'icmp_flood',
  'fragment_flood',
  'gre_flood',
  'dns_amplification',
  'ntp_amplification',
  'memcached_amplification',
  'ssdp_amplification',
  'cldap_amplification',
  'chargen_amplification',
  'snmp_amplification',
  'carpet_bombing',
  'unknown',
] as const;
export type AttackFamily = (typeof ATTACK_FAMILIES)[number];

export type Direction = 'incoming' | 'outgoing';

/** Narrowest description covering most attack traffic; every field optional = "any". */
export interface Signature {
  /** IP protocol numbers (IPv6 next header). */
  readonly protocols?: readonly number[];
  readonly sourcePorts?: readonly number[];
  readonly destinationPorts?: readonly number[];
  /** Inclusive IP packet length range in bytes. */
  readonly packetLength?: { readonly min: number; readonly max: number };
  /** TCP flags that all matching packets carry (bit values as in the TCP header, e.g. SYN = 0x02). */
  readonly tcpFlags?: number;
  readonly fragment?: boolean;
  /** Dominant source prefixes, canonical text. */
  readonly sourcePrefixes?: readonly string[];
  /** Share (0..1) of the attack's packets that this signature covers. */
  readonly coverage: number;
}

export type AttackEventKind = 'start' | 'update' | 'end';

/** One change in an attack's life, as detection reports it to the engine. */
export interface AttackEvent {
  /** Stable id of the attack across start/update/end. */
  readonly attackId: string;
  readonly kind: AttackEventKind;
  /** Canonical prefix text: a host (/32, /128) or, for carpet bombing, the prefix. */
  readonly target: string;
  readonly direction: Direction;
  readonly family: AttackFamily;
  /** Human-readable reason: which threshold or baseline was crossed and why this family. */
  readonly reason: string;
  /** Exporter / detector node identity, for corroboration across routers; pps and bps are its own share. */
  readonly node: string;
  /**
   * Events of the same attack at the same instant that still follow from this detector (one per node
   * that saw it): the engine aggregates them all before it decides. Absent = 0.
   */
  readonly moreNodes?: number;
  /** Host group whose thresholds applied. */
  readonly hostGroup: string;
  /** Event time, ms since epoch (capture time in replay). */
  readonly at: number;
  readonly startedAt: number;
  readonly pps: number;
  readonly bps: number;
  readonly peakPps: number;
  readonly peakBps: number;
  /** Threshold crossed, in the unit that crossed it. */
  readonly thresholdPps?: number;
  readonly thresholdBps?: number;
  /** Current rate divided by the threshold crossed (≥ 1 while the attack lasts). */
  readonly severity: number;
  readonly signature: Signature;
  /**
   * Contributing nodes whose exporters were flagged implausible recently (forged-looking sampling rates or
   * rates over their ceiling). When every contributing node is flagged, the engine wants ≥ 2 nodes before it
   * mitigates automatically.
   */
  readonly implausibleNodes?: readonly string[];
}
