// The notification vocabulary: a Notice is one thing worth telling a person (derived from an OpsEvent),
// an Incident groups related notices, and a Channel delivers a rendered Message to one service.
// Everything here is plain data so the core (classify, incidents, routing, rate limit) stays pure.

/** Every kind of notice, declared once; filters and templates name these. */
export const NOTICE_KINDS = [
  'attack.start',
  'attack.escalate',
  'attack.end',
  'rule.announce',
  'rule.de-escalate',
  'rule.withdraw',
  'rule.failed',
  'rule.rollback',
  'rule.rejected',
  'alert',
  'adapter.down',
  'adapter.up',
  'bgp.down',
  'bgp.up',
  'exporter.silent',
  'exporter.back',
  'rpki.stale',
  'rpki.fresh',
  'incident.acknowledged',
  'incident.resolved',
  'test',
] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const severityRank = (s: Severity): number => SEVERITIES.indexOf(s);

/** What happened to the notice's incident when the notice was applied. */
export type IncidentEffect = 'opened' | 'updated' | 'resolved' | 'acknowledged';

export interface Notice {
  readonly kind: NoticeKind;
  readonly severity: Severity;
  readonly at: number;
  /** Tenant the event belongs to; "*" for infrastructure (adapters, BGP sessions, exporters, RPKI). */
  readonly tenant: string;
  /**
   * What the notice is about: a canonical prefix for traffic events, or "adapter:<name>", "bgp:<peer>",
   * "exporter:<address>", "rpki" for infrastructure.
   */
  readonly subject: string;
  /** One line, plain words. */
  readonly title: string;
  /** A few sentences, plain words. */
  readonly detail: string;
  readonly attackId?: string;
  readonly ruleId?: string;
  /** Escalation policy that applied (runbook lookup). */
  readonly policy?: string;
  /** Short labelled facts for cards and fields ("Rate": "1.2 Gbit/s"). */
  readonly facts: Readonly<Record<string, string>>;
  /** Mitigation state in plain words after this notice, when it changes it ("rate-limited", ...). */
  readonly mitigation?: string;
  /** Attack context, when the notice is about an attack. */
  readonly family?: string;
  readonly bps?: number;
  readonly pps?: number;
  /** The rule behind the notice was only decided and logged (dry run), not deployed. */
  readonly dryRun?: boolean;
  /** Bookkeeping only (e.g. the old rule withdrawn when an escalation replaced it): kept on the incident, not sent. */
  readonly quiet?: boolean;
  readonly incidentId?: string;
  readonly incidentEffect?: IncidentEffect;
  readonly runbook?: string;
}

export type IncidentState = 'open' | 'acknowledged' | 'resolved';

export interface TimelineEntry {
  readonly at: number;
  readonly kind: NoticeKind;
  readonly text: string;
  /** The same in words fit for a public status page (no addresses, no internals); absent = internal only. */
  readonly publicText?: string;
  /** Muted by a maintenance window (recorded, not sent). */
  readonly muted?: boolean;
}

export interface Incident {
  readonly id: string;
  readonly tenant: string;
  /** Widest subject seen (prefixes merge to the covering one). */
  readonly subject: string;
  readonly state: IncidentState;
  readonly severity: Severity;
  readonly title: string;
  readonly openedAt: number;
  readonly updatedAt: number;
  readonly acknowledgedAt?: number;
  readonly acknowledgedBy?: string;
  readonly resolvedAt?: number;
  readonly resolvedBy?: string;
  /** Attack ids seen, and those not yet ended. */
  readonly attackIds: readonly string[];
  readonly activeAttacks: readonly string[];
  /** Rule ids announced and not yet withdrawn. */
  readonly activeRules: readonly string[];
  /** Current mitigation in plain words ("traffic is rate-limited", "monitoring", ...). */
  readonly mitigation: string;
  /** Attack families seen ("udp_flood"). */
  readonly families: readonly string[];
  readonly peakBps: number;
  readonly peakPps: number;
  readonly policy?: string;
  readonly runbook?: string;
  /** Channels sent a notice about this incident: its acknowledgement and resolution follow to them. */
  readonly toldChannels?: readonly string[];
  readonly timeline: readonly TimelineEntry[];
}

/** What a channel is asked to send: one notice, or a digest of notices held back by the rate limit. */
export type Message =
  | {
      readonly type: 'notice';
      readonly notice: Notice;
      readonly incident?: Incident;
      /** Rendered from the channel's templates. */
      readonly title: string;
      readonly text: string;
    }
  | {
      readonly type: 'digest';
      readonly notices: readonly Notice[];
      /** How many notices the digest stands for (the list may be capped). */
      readonly count: number;
      readonly severity: Severity;
      readonly from: number;
      readonly to: number;
      readonly title: string;
      readonly text: string;
    };

export type DeliveryResult =
  | { readonly ok: true; readonly attempts: number; readonly detail?: string }
  | { readonly ok: false; readonly attempts: number; readonly error: string; readonly retryable: boolean };

export const CHANNEL_TYPES = [
  'pagerduty',
  'slack',
  'discord',
  'teams',
  'opsgenie',
  'telegram',
  'email',
  'webhook',
] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

/** One configured destination. Deliveries are retried inside; the result is final. */
export interface Channel {
  readonly name: string;
  readonly type: ChannelType;
  deliver(message: Message): Promise<DeliveryResult>;
  close(): Promise<void>;
}

/** A delivery that failed after its retries, kept for the operator (API) to inspect and resend. */
export interface DeadLetter {
  readonly id?: number;
  readonly at: number;
  readonly channel: string;
  readonly error: string;
  readonly attempts: number;
  readonly message: Message;
}
