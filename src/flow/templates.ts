// Template store for NetFlow v9 (RFC 3954 §5.2-5.3) and IPFIX (RFC 7011 §3.4): templates and options templates
// keyed by (source id / observation domain, template id) inside one exporter's state, bounded in count and wire
// octets per exporter and in total (limits.ts), and expired when not refreshed (RFC 7011 §8.4).
import type { RecordWriter } from './codegen.js';
import type { FlowErrorKind } from './errors.js';
import { DEFAULT_FLOW_LIMITS, FlowBudget } from './limits.js';

export const VARIABLE_LENGTH = 65535;

export interface TemplateField {
  id: number;
  /** Octets, or VARIABLE_LENGTH (RFC 7011 §7). */
  length: number;
  /** Private enterprise number, 0 for IANA elements. */
  enterprise: number;
  scope: boolean;
}

/** What a template compiles to; shared by every template instance with the same field list (shapes.ts). */
export interface TemplateShape {
  readonly options: boolean;
  /** Field length per field (VARIABLE_LENGTH for variable-length fields). */
  readonly lengths: Uint16Array;
  /** Compiled operation per field (see fields.ts). */
  readonly ops: Uint8Array;
  /** Minimum octets one record takes (variable fields count 1). */
  readonly minLength: number;
  /** True if any field is variable-length. */
  readonly variable: boolean;
  /** Straight-line record decoder generated for fixed-length data templates (codegen.ts). */
  writer?: RecordWriter | undefined;
}

export interface Template extends TemplateShape {
  readonly id: number;
  /** Octets of the template record on the wire (what the limits count). */
  readonly wireBytes: number;
}

export interface TemplateStore {
  /** The template, unless unknown or (given nowMs) expired — an expired one is removed. */
  get(domain: number, id: number, nowMs?: number): Template | undefined;
  /** Stores (or refreshes) a template; returns the refusal kind when a bound would be exceeded. */
  set(domain: number, id: number, t: Template, nowMs?: number, raw?: Uint8Array): FlowErrorKind | undefined;
  delete(domain: number, id: number): boolean;
  /** Withdraws all templates (options=false) or all options templates (options=true) of a domain. */
  deleteAll(domain: number, options: boolean): number;
  readonly size: number;
}

const key = (domain: number, id: number) => domain * 65536 + id;

/** A copy of `[start, end)` of `dv` (the datagram's buffer is reused by the socket). */
export function copyOctets(dv: DataView, start: number, end: number): Uint8Array {
  const out = new Uint8Array(end - start);
  out.set(new Uint8Array(dv.buffer, dv.byteOffset + start, end - start));
  return out;
}

interface Entry {
  t: Template;
  refreshedMs: number;
  /** The template record's octets as received (template id to last field specifier), for `refresh`. */
  raw: Uint8Array | undefined;
}

export class MapTemplateStore implements TemplateStore {
  private readonly map = new Map<number, Entry>();
  /** Wire octets held. */
  bytes = 0;
  /** Templates discarded because they were not refreshed in time. */
  expired = 0;
  /** Re-sent templates identical to the stored one: lifetime restarted, nothing parsed or compiled. */
  refreshed = 0;

  constructor(
    private readonly maxCount = DEFAULT_FLOW_LIMITS.maxTemplatesPerExporter,
    private readonly maxBytes = DEFAULT_FLOW_LIMITS.maxTemplateBytesPerExporter,
    private readonly budget = new FlowBudget(),
    private readonly timeoutMs = DEFAULT_FLOW_LIMITS.templateTimeoutMs,
  ) {}

  get(domain: number, id: number, nowMs?: number): Template | undefined {
    const k = key(domain, id);
    const e = this.map.get(k);
    if (!e) return undefined;
    if (nowMs !== undefined && nowMs - e.refreshedMs > this.timeoutMs) {
      this.remove(k, e);
      this.expired++;
      return undefined;
    }
    return e.t;
  }

  /** The refusal `set` would give a template of `wireBytes` octets, checked before it is compiled. */
  refusal(domain: number, id: number, wireBytes: number): FlowErrorKind | undefined {
    const old = this.map.get(key(domain, id));
    const addCount = old ? 0 : 1;
    const addBytes = wireBytes - (old ? old.t.wireBytes : 0);
    if (this.map.size + addCount > this.maxCount || this.bytes + addBytes > this.maxBytes)
      return 'template-limit';
    const b = this.budget;
    if (
      b.templates + addCount > b.limits.maxTemplatesTotal ||
      b.templateBytes + addBytes > b.limits.maxTemplateBytesTotal
    )
      return 'template-budget';
    return undefined;
  }

  /**
   * A periodic template re-send (RFC 3954 §5.2, RFC 7011 §8.1: exporters repeat templates so that a collector
   * that restarted learns them) whose record octets `[start, end)` equal those of the stored template restarts its
   * lifetime and costs only this byte compare. False when the id is unknown or the definition differs: the caller
   * parses and stores it as a new template.
   */
  refresh(
    domain: number,
    id: number,
    options: boolean,
    dv: DataView,
    start: number,
    end: number,
    nowMs: number,
  ): boolean {
    const e = this.map.get(key(domain, id));
    const raw = e?.raw;
    if (!e || !raw || e.t.options !== options || raw.length !== end - start) return false;
    for (let k = 0; k < raw.length; k++) if (raw[k] !== dv.getUint8(start + k)) return false;
    // an expired one not yet swept is revived, exactly as storing the re-sent copy would
    e.refreshedMs = nowMs;
    this.refreshed++;
    return true;
  }

  /** `raw`: the record's octets as received, kept so that an identical re-send is recognised (`refresh`). */
  set(domain: number, id: number, t: Template, nowMs = 0, raw?: Uint8Array): FlowErrorKind | undefined {
    const k = key(domain, id);
    const old = this.map.get(k);
    const addCount = old ? 0 : 1;
    const addBytes = t.wireBytes - (old ? old.t.wireBytes : 0);
    if (this.map.size + addCount > this.maxCount || this.bytes + addBytes > this.maxBytes)
      return 'template-limit';
    const b = this.budget;
    if (
      b.templates + addCount > b.limits.maxTemplatesTotal ||
      b.templateBytes + addBytes > b.limits.maxTemplateBytesTotal
    )
      return 'template-budget';
    this.map.set(k, { t, refreshedMs: nowMs, raw });
    this.bytes += addBytes;
    b.templates += addCount;
    b.templateBytes += addBytes;
    return undefined;
  }

  delete(domain: number, id: number): boolean {
    const k = key(domain, id);
    const e = this.map.get(k);
    if (!e) return false;
    this.remove(k, e);
    return true;
  }

  deleteAll(domain: number, options: boolean): number {
    let n = 0;
    for (const [k, e] of this.map) {
      if (Math.floor(k / 65536) === domain && e.t.options === options) {
        this.remove(k, e);
        n++;
      }
    }
    return n;
  }

  /** Removes every template not refreshed within the lifetime; returns how many. */
  sweep(nowMs: number): number {
    let n = 0;
    for (const [k, e] of this.map) {
      if (nowMs - e.refreshedMs > this.timeoutMs) {
        this.remove(k, e);
        n++;
      }
    }
    this.expired += n;
    return n;
  }

  /** Releases everything (exporter evicted). */
  clear(): void {
    for (const [k, e] of this.map) this.remove(k, e);
  }

  private remove(k: number, e: Entry): void {
    this.map.delete(k);
    this.bytes -= e.t.wireBytes;
    this.budget.templates--;
    this.budget.templateBytes -= e.t.wireBytes;
  }

  get size(): number {
    return this.map.size;
  }
}
