// The collector's exporter table: who may send (allowlist on the UDP source), which state a datagram belongs to
// (an sFlow exporter is its agent address + sub-agent id from the datagram, sflow_version_5.txt, so two agents
// relayed through one host are two exporters; NetFlow/IPFIX exporters are their UDP source), and a bounded table
// of per-exporter state whose idle members are evicted least recently seen first.
import ipaddr from 'ipaddr.js';
import { formatIp, ipFromBytes } from '../net/index.js';
import { AddressMap } from './address-map.js';
import { emptyErrorCounts, FLOW_ERROR_KINDS, type ErrorCounts } from './errors.js';
import { ExporterState } from './exporter.js';
import { FlowBudget, type FlowLimits } from './limits.js';
import type { SamplingOverride } from './sampling.js';

export interface ExporterTableOptions {
  /** Exporter addresses or prefixes allowed to send; empty or absent = everyone. */
  allow?: readonly string[];
  /** Per exporter address sampling override. */
  sampling?: Record<string, SamplingOverride>;
  /** Node name per exporter address or prefix (longest prefix wins); default the exporter's address. */
  nodes?: Readonly<Record<string, string>>;
  /** Plausibility ceiling per exporter address or prefix, and for every other exporter (0 = none). */
  ceilings?: Readonly<Record<string, { maxBps?: number; maxPps?: number }>>;
  defaultCeiling?: { maxBps?: number; maxPps?: number };
}

/** Why a datagram found no exporter state: refused by the allowlist, or the table is full of active ones. */
export type Refusal = 'not-allowed' | 'exporter-limit';

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

function normalise(address: string): string {
  if (address.startsWith('::ffff:') && address.includes('.')) return address.slice(7);
  return address;
}

export class ExporterTable {
  /** Indexed by exporter id (the batch's exporter column); a released slot is reused by a new exporter. */
  readonly exporters: ExporterState[] = [];
  /** Live exporters by identity, least recently seen first (coarse: re-ordered at most once a second). */
  private readonly byKey = new Map<string, ExporterState>();
  private readonly freeIds: number[] = [];
  private readonly allowed = new Map<string, boolean>();
  private readonly ranges: Range[];
  private readonly nodes: AddressMap<string>;
  private readonly ceilings: AddressMap<{ maxBps?: number; maxPps?: number }>;
  readonly budget: FlowBudget;
  exportersEvicted = 0;
  private readonly evictedErrors = emptyErrorCounts();
  /** Changes whenever an exporter slot gets a new occupant (names by id must be re-read). */
  generation = 0;

  /** `beforeEvict` hands on the rows an exporter wrote before its slot is released. */
  constructor(
    private readonly limits: FlowLimits,
    private readonly opts: ExporterTableOptions,
    private readonly beforeEvict: () => void,
  ) {
    this.budget = new FlowBudget(limits);
    this.nodes = new AddressMap(opts.nodes);
    this.ceilings = new AddressMap(opts.ceilings);
    this.ranges = (opts.allow ?? []).map((a) =>
      a.includes('/')
        ? ipaddr.parseCIDR(a)
        : ([ipaddr.parse(a), ipaddr.parse(a).kind() === 'ipv4' ? 32 : 128] as Range),
    );
  }

  /**
   * The state of the exporter that sent the datagram at octets [off, off + len) of `bytes` from UDP source
   * `address`, admitting a new one; or why there is none.
   */
  lookup(
    bytes: Uint8Array,
    off: number,
    len: number,
    address: string,
    nowMs: number,
  ): ExporterState | Refusal {
    const agent = this.agentOf(bytes, off, len, address);
    const key = agent ? agent.key : address;
    let exp = this.byKey.get(key);
    if (exp && exp.source !== normalise(address) && !this.isAllowed(normalise(address))) exp = undefined;
    if (!exp) {
      const source = normalise(address);
      // the allowlist is checked on the UDP source: the agent address inside a datagram is the sender's claim
      if (!this.isAllowed(source)) return 'not-allowed';
      exp = this.admit(key, agent?.address ?? source, nowMs);
      if (!exp) return 'exporter-limit';
      exp.source = source;
      if (agent) exp.subAgentId = agent.subAgent;
    } else if (nowMs - exp.lastSeenMs >= 1000) {
      // keep byKey in least-recently-seen order (coarsely, so a busy exporter costs no map churn)
      this.byKey.delete(key);
      this.byKey.set(key, exp);
    }
    return exp;
  }

  /** Last sFlow agent seen per UDP source: a busy IPv4 agent costs two reads per datagram, no string. */
  private readonly lastAgent = new Map<string, { v4: number; sub: number; agent: SflowAgent }>();
  private memoSource = '';
  private memoAgent: { v4: number; sub: number; agent: SflowAgent } | undefined;

  private agentOf(buf: Uint8Array, o: number, len: number, source: string): SflowAgent | undefined {
    if (len < 28 || buf[o + 3] !== 5 || buf[o] !== 0 || buf[o + 1] !== 0 || buf[o + 2] !== 0)
      return undefined;
    // read from the bytes: no DataView per datagram (issue 15)
    if (buf[o + 4] === 0 && buf[o + 5] === 0 && buf[o + 6] === 0 && buf[o + 7] === 1) {
      const v4 = ((buf[o + 8]! << 24) | (buf[o + 9]! << 16) | (buf[o + 10]! << 8) | buf[o + 11]!) >>> 0;
      const sub = ((buf[o + 12]! << 24) | (buf[o + 13]! << 16) | (buf[o + 14]! << 8) | buf[o + 15]!) >>> 0;
      // the same UDP source as the datagram before (one busy agent): no map lookup of the fresh address string
      const hit = source === this.memoSource ? this.memoAgent : this.lastAgent.get(source);
      this.memoSource = source;
      this.memoAgent = hit;
      if (hit && hit.v4 === v4 && hit.sub === sub) return hit.agent;
      const agent = sflowAgent(buf.subarray(o, o + len));
      if (agent && this.lastAgent.size < this.limits.maxExporters) {
        this.memoAgent = { v4, sub, agent };
        this.lastAgent.set(source, this.memoAgent);
      } else if (agent && hit) hit.agent = agent;
      return agent;
    }
    return sflowAgent(buf.subarray(o, o + len));
  }

  /** A state for a new exporter: a free slot, a new one, or the slot of the least recently seen idle one. */
  private admit(key: string, address: string, nowMs: number): ExporterState | undefined {
    let id = this.freeIds.pop();
    if (id === undefined && this.exporters.length < this.limits.maxExporters) id = this.exporters.length;
    if (id === undefined) {
      const lru = this.byKey.entries().next().value as [string, ExporterState] | undefined;
      if (!lru || nowMs - lru[1].lastSeenMs < this.limits.exporterIdleMs) return undefined;
      id = this.evict(lru[0], lru[1]);
    }
    const exp = new ExporterState(id, address, this.limits, this.budget);
    exp.sampling.setOverride(this.opts.sampling?.[address]);
    exp.node = this.nodes.lookup(address) ?? address;
    const ceiling = this.ceilings.lookup(address) ?? this.opts.defaultCeiling;
    exp.maxBps = ceiling?.maxBps ?? 0;
    exp.maxPps = ceiling?.maxPps ?? 0;
    exp.lastSeenMs = nowMs;
    this.exporters[id] = exp;
    this.byKey.set(key, exp);
    this.generation++;
    return exp;
  }

  /** Releases an exporter's state; returns its id for reuse. Rows it wrote are handed on first. */
  private evict(key: string, exp: ExporterState): number {
    this.beforeEvict();
    for (const k of FLOW_ERROR_KINDS) this.evictedErrors[k] += exp.errors[k];
    this.byKey.delete(key);
    exp.release();
    this.exportersEvicted++;
    return exp.id;
  }

  /** Expires templates (RFC 7011 §8.4) and releases exporters idle past the template lifetime. */
  sweep(nowMs: number): void {
    for (const [key, exp] of this.byKey) {
      if (nowMs - exp.lastSeenMs > Math.max(this.limits.templateTimeoutMs, this.limits.exporterIdleMs)) {
        this.freeIds.push(this.evict(key, exp));
      } else exp.templates.sweep(nowMs);
    }
  }

  /** Live exporters (evicted ones are gone), least recently seen first. */
  live(): IterableIterator<ExporterState> {
    return this.byKey.values();
  }

  /** Node names with an exporter flagged implausible at `nowMs` (screen.ts). */
  implausibleNodes(nowMs: number): string[] {
    const out = new Set<string>();
    for (const e of this.byKey.values()) if (e.implausible(nowMs)) out.add(e.node);
    return [...out];
  }

  /** Decode errors and refusals of every exporter seen, evicted ones included. */
  errorTotals(): ErrorCounts {
    const out = { ...this.evictedErrors };
    for (const e of this.byKey.values()) for (const k of FLOW_ERROR_KINDS) out[k] += e.errors[k];
    return out;
  }

  private isAllowed(a: string): boolean {
    if (this.ranges.length === 0) return true;
    const hit = this.allowed.get(a);
    if (hit !== undefined) return hit;
    let ok = false;
    if (ipaddr.isValid(a)) {
      const ip = ipaddr.parse(a);
      ok = this.ranges.some(([net, bits]) => net.kind() === ip.kind() && ip.match(net, bits));
    }
    if (this.allowed.size < 65536) this.allowed.set(a, ok);
    return ok;
  }
}

export interface SflowAgent {
  readonly address: string;
  readonly subAgent: number;
  /** Identity in the exporter table. */
  readonly key: string;
}

/** sFlow v5 agent address and sub-agent id from the datagram header, or undefined (not sFlow or malformed). */
export function sflowAgent(buf: Uint8Array): SflowAgent | undefined {
  if (buf.length < 28 || buf[0] !== 0 || buf[1] !== 0 || buf[2] !== 0 || buf[3] !== 5) return undefined;
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const type = dv.getUint32(4);
  const len = type === 1 ? 4 : type === 2 ? 16 : 0;
  if (len === 0 || buf.length < 12 + len) return undefined;
  const address = formatIp(ipFromBytes(buf.subarray(8, 8 + len)));
  const subAgent = dv.getUint32(8 + len);
  return { address, subAgent, key: `sflow ${address}/${subAgent}` };
}
