// Template store for NetFlow v9 (RFC 3954 §5.2-5.3) and IPFIX (RFC 7011 §3.4): templates and options templates
// keyed by (source id / observation domain, template id) inside one exporter's state.
import type { RecordWriter } from './codegen.js';
import type { FieldOp } from './ops.js';

export const VARIABLE_LENGTH = 65535;

export interface TemplateField {
  id: number;
  /** Octets, or VARIABLE_LENGTH (RFC 7011 §7). */
  length: number;
  /** Private enterprise number, 0 for IANA elements. */
  enterprise: number;
  scope: boolean;
}

export interface Template {
  id: number;
  options: boolean;
  fields: TemplateField[];
  /** Compiled operation per field (see fields.ts). */
  ops: FieldOp[];
  /** Minimum octets one record takes (variable fields count 1). */
  minLength: number;
  /** True if any field is variable-length. */
  variable: boolean;
  /** Straight-line record decoder generated for fixed-length data templates (codegen.ts). */
  writer?: RecordWriter;
}

export interface TemplateStore {
  get(domain: number, id: number): Template | undefined;
  /** Returns false when the store is full (the template is not stored). */
  set(domain: number, id: number, t: Template): boolean;
  delete(domain: number, id: number): boolean;
  /** Withdraws all templates (options=false) or all options templates (options=true) of a domain. */
  deleteAll(domain: number, options: boolean): number;
  readonly size: number;
}

const key = (domain: number, id: number) => domain * 65536 + id;

export class MapTemplateStore implements TemplateStore {
  private readonly map = new Map<number, Template>();
  constructor(private readonly limit = 4096) {}
  get(domain: number, id: number): Template | undefined {
    return this.map.get(key(domain, id));
  }
  set(domain: number, id: number, t: Template): boolean {
    const k = key(domain, id);
    if (!this.map.has(k) && this.map.size >= this.limit) return false;
    this.map.set(k, t);
    return true;
  }
  delete(domain: number, id: number): boolean {
    return this.map.delete(key(domain, id));
  }
  deleteAll(domain: number, options: boolean): number {
    let n = 0;
    for (const [k, t] of this.map) {
      if (Math.floor(k / 65536) === domain && t.options === options) {
        this.map.delete(k);
        n++;
      }
    }
    return n;
  }
  get size(): number {
    return this.map.size;
  }
}
