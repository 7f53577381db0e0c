// Host counters for `floodgate agent`: pure parsers of Linux /proc/net/dev (per interface receive/transmit
// counters, proc(5)) and /proc/net/snmp (RFC 1213 / RFC 4293 IP, ICMP, TCP, UDP MIB counters as
// "Proto: names" / "Proto: values" line pairs), and per-second rates between two readings.

export const DEV_FIELDS = [
  'rxBytes',
  'rxPackets',
  'rxErrs',
  'rxDrop',
  'rxFifo',
  'rxFrame',
  'rxCompressed',
  'rxMulticast',
  'txBytes',
  'txPackets',
  'txErrs',
  'txDrop',
  'txFifo',
  'txColls',
  'txCarrier',
  'txCompressed',
] as const;
export type DevField = (typeof DEV_FIELDS)[number];
export type DevCounters = Record<DevField, number>;

export class ProcParseError extends Error {
  constructor(file: string, line: number, why: string) {
    super(`${file} line ${line}: ${why}`);
    this.name = 'ProcParseError';
  }
}

/** /proc/net/dev: two header lines, then "iface: 16 numbers". */
export function parseNetDev(text: string): Map<string, DevCounters> {
  const out = new Map<string, DevCounters>();
  const lines = text.split('\n');
  for (let n = 2; n < lines.length; n++) {
    const line = lines[n]!.trim();
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon < 1) throw new ProcParseError('/proc/net/dev', n + 1, 'no "interface:" prefix');
    const values = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    if (values.length < DEV_FIELDS.length || values.some((v) => !Number.isFinite(v) || v < 0))
      throw new ProcParseError('/proc/net/dev', n + 1, `expected ${DEV_FIELDS.length} counters`);
    const c = {} as DevCounters;
    DEV_FIELDS.forEach((f, k) => (c[f] = values[k]!));
    out.set(line.slice(0, colon), c);
  }
  return out;
}

/** /proc/net/snmp: { Ip: { InReceives: …, … }, Udp: { InDatagrams: …, … }, … }. */
export function parseNetSnmp(text: string): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length % 2 !== 0) throw new ProcParseError('/proc/net/snmp', lines.length, 'odd number of lines');
  for (let n = 0; n < lines.length; n += 2) {
    const [p1, ...names] = lines[n]!.trim().split(/\s+/);
    const [p2, ...values] = lines[n + 1]!.trim().split(/\s+/);
    if (!p1?.endsWith(':') || p1 !== p2 || names.length !== values.length)
      throw new ProcParseError('/proc/net/snmp', n + 1, 'names and values lines do not pair up');
    const proto: Record<string, number> = {};
    names.forEach((k, i) => (proto[k] = Number(values[i])));
    out[p1.slice(0, -1)] = proto;
  }
  return out;
}

/** Per-second rate of every counter present in both readings; a counter that went down (reset) rates 0. */
export function perSecond<T extends Record<string, number>>(
  prev: T,
  cur: T,
  ms: number,
): Record<string, number> {
  const out: Record<string, number> = {};
  if (!(ms > 0)) return out;
  for (const k of Object.keys(cur)) {
    const a = prev[k];
    const b = cur[k]!;
    if (a === undefined || !Number.isFinite(a) || !Number.isFinite(b)) continue;
    out[k] = b >= a ? ((b - a) * 1000) / ms : 0;
  }
  return out;
}

export interface HostReading {
  readonly at: number;
  readonly dev: Map<string, DevCounters>;
  readonly snmp: Record<string, Record<string, number>>;
}

export interface HostRates {
  readonly at: number;
  readonly seconds: number;
  /** Per interface: every /proc/net/dev counter per second. */
  readonly interfaces: Record<string, Record<string, number>>;
  /** Per protocol (Ip, Icmp, Tcp, Udp, …): every MIB counter per second (gauges such as CurrEstab included). */
  readonly snmp: Record<string, Record<string, number>>;
}

export function rates(prev: HostReading, cur: HostReading): HostRates {
  const ms = cur.at - prev.at;
  const interfaces: Record<string, Record<string, number>> = {};
  for (const [name, c] of cur.dev) {
    const p = prev.dev.get(name);
    if (p) interfaces[name] = perSecond(p, c, ms);
  }
  const snmp: Record<string, Record<string, number>> = {};
  for (const [proto, c] of Object.entries(cur.snmp)) {
    const p = prev.snmp[proto];
    if (p) snmp[proto] = perSecond(p, c, ms);
  }
  return { at: cur.at, seconds: ms / 1000, interfaces, snmp };
}
