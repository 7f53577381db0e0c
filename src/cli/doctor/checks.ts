// `floodgate doctor`: one verdict per part of a running floodgate, with the fix when it is not well.
// Pure: the config and what the daemon's API and the kernel's socket table say come in; lines out.
import { endianness } from 'node:os';
import type { Config } from '../../config/schema.js';
import { canonicalAddress, type Endianness, parseProcNetUdp } from '../../flow/socket-drops.js';

export type DoctorStatus = 'ok' | 'warn' | 'fail';

export interface DoctorLine {
  readonly status: DoctorStatus;
  readonly part: string;
  readonly message: string;
  readonly fix?: string;
}

export interface DoctorFacts {
  readonly config: Config;
  readonly configFile: string | undefined;
  /** undefined: the API did not answer. */
  readonly health?: { ok?: boolean; checks?: Record<string, unknown> };
  readonly apiError?: string;
  readonly apiUrl: string;
  /** GET /api/v1/exporters: `{ exporters: CollectorStats }` (a bare list is accepted too). */
  readonly exporters?: { exporters?: ExporterFacts[] | { exporters?: ExporterFacts[] } };
  readonly bgpPeers?: { peers?: PeerFacts[] };
  /** UDP ports bound on this host (from /proc/net/udp and udp6), as "address:port" and ":port". */
  readonly boundUdp: ReadonlySet<string>;
  readonly now: number;
}

export interface ExporterFacts {
  readonly address: string;
  readonly lastFormat?: string;
  readonly datagrams?: number;
  readonly samplingRate?: number;
  readonly lastSeenMs?: number;
  readonly errors?: Record<string, number>;
}

export interface PeerFacts {
  readonly name: string;
  readonly address: string;
  readonly state: string;
  readonly families?: readonly string[];
  readonly negotiatedFamilies?: readonly string[];
  readonly uptimeSeconds?: number | null;
}

const SILENT_AFTER_MS = 60_000;

function ago(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 120 ? `${s} s ago` : `${Math.round(s / 60)} min ago`;
}

export function doctorLines(f: DoctorFacts): DoctorLine[] {
  const out: DoctorLine[] = [
    { status: 'ok', part: 'config', message: `valid (${f.configFile ?? 'no file: built-in defaults'})` },
  ];
  if (!f.health) {
    out.push({
      status: 'fail',
      part: 'api',
      message: `floodgate does not answer at ${f.apiUrl}${f.apiError ? ` (${f.apiError})` : ''}`,
      fix: `start it: floodgate run${f.configFile ? ` -c ${f.configFile}` : ''} (or point --api at it)`,
    });
    return out;
  }
  out.push({ status: 'ok', part: 'api', message: `answering at ${f.apiUrl}` });

  for (const l of f.config.flow.listeners) {
    const bound = f.boundUdp.has(`${canonicalAddress(l.address)}:${l.port}`) || f.boundUdp.has(`:${l.port}`);
    out.push(
      bound
        ? { status: 'ok', part: `listener ${l.protocol} ${l.address}:${l.port}`, message: 'bound' }
        : {
            status: 'fail',
            part: `listener ${l.protocol} ${l.address}:${l.port}`,
            message: 'no UDP socket bound on this port',
            fix: 'see the floodgate log for the bind error (address in use? address not on this host?)',
          },
    );
  }

  const ex = f.exporters?.exporters;
  const seen = (Array.isArray(ex) ? ex : ex?.exporters) ?? [];
  const listed = f.config.flow.exporters;
  for (const e of seen) {
    const age = e.lastSeenMs !== undefined ? f.now - e.lastSeenMs : Infinity;
    const what = `${e.lastFormat ?? 'flows'}, sampling 1:${e.samplingRate ?? 1}, ${e.datagrams ?? 0} datagrams`;
    out.push(
      age <= SILENT_AFTER_MS
        ? { status: 'ok', part: `exporter ${e.address}`, message: `sending (${what}, last ${ago(age)})` }
        : {
            status: 'warn',
            part: `exporter ${e.address}`,
            message: `silent since ${ago(age)} (${what})`,
            fix: 'check the export configuration and the path (UDP to the listener ports) on that router',
          },
    );
    if ((e.samplingRate ?? 1) === 1 && e.lastFormat !== undefined && !/sflow/i.test(e.lastFormat))
      out.push({
        status: 'warn',
        part: `exporter ${e.address}`,
        message: 'reports no sampling rate (read as 1:1): volumes are under-counted if it samples',
        fix: `set flow.samplingOverrides["${e.address}"] to its 1-in-N rate`,
      });
  }
  for (const x of listed)
    if (!seen.some((e) => e.address === x || x.includes('/')))
      out.push({
        status: 'warn',
        part: `exporter ${x}`,
        message: 'listed in flow.exporters but nothing received from it',
        fix: 'configure flow export on that router towards this host (floodgate init prints examples)',
      });
  if (!seen.length && !listed.length)
    out.push({
      status: 'warn',
      part: 'exporters',
      message: 'no flow datagram received from any exporter',
      fix: 'point your routers\u2019 sFlow/NetFlow/IPFIX export at this host, then list them in flow.exporters',
    });

  for (const p of f.bgpPeers?.peers ?? []) {
    const up = p.state === 'Established';
    const missing = (p.families ?? []).filter((x) => !(p.negotiatedFamilies ?? []).includes(x));
    out.push(
      up
        ? {
            status: missing.length ? 'warn' : 'ok',
            part: `bgp ${p.name} ${p.address}`,
            message: `Established (${(p.negotiatedFamilies ?? []).join(', ') || 'no family'})${missing.length ? `; not negotiated: ${missing.join(', ')}` : ''}`,
            ...(missing.length
              ? { fix: 'enable those address families for this neighbor on the router' }
              : {}),
          }
        : {
            status: 'fail',
            part: `bgp ${p.name} ${p.address}`,
            message: `${p.state}, not Established`,
            fix: 'check the neighbor stanza on the router (addresses, AS numbers, families), and that TCP 179 reaches it',
          },
    );
  }

  const checks = f.health.checks ?? {};
  if (Object.keys(checks).length === 0) {
    out.push({
      status: 'warn',
      part: 'api',
      message: 'this token may not read the system views (health details, adapters, store)',
      fix: 'give an unbound token with --token, FLOODGATE_API_TOKEN or api.token in the config',
    });
    return out;
  }
  const adapters = (checks.adapters ?? {}) as Record<string, { status?: string; detail?: string }>;
  for (const [name, h] of Object.entries(adapters)) {
    const st = h.status ?? 'unknown';
    out.push(
      st === 'up'
        ? {
            status: 'ok',
            part: `adapter ${name}`,
            message: `health check passes${h.detail ? ` (${h.detail})` : ''}`,
          }
        : {
            status: st === 'degraded' ? 'warn' : 'fail',
            part: `adapter ${name}`,
            message: `${st}${h.detail ? `: ${h.detail}` : ''}`,
            fix: 'check that the daemon or service runs and that the adapter settings (socket, URL, credentials) match it',
          },
    );
  }
  const store = (checks.store ?? {}) as { status?: string; driver?: string; error?: string };
  out.push(
    store.status === 'up'
      ? { status: 'ok', part: 'store', message: `writable (${store.driver ?? '?'})` }
      : {
          status: 'fail',
          part: 'store',
          message: `not writable: ${store.error ?? 'unknown error'}`,
          fix: 'check store.sqlitePath permissions and disk space, or store.postgresUrl',
        },
  );
  const dryRun = (checks.mitigation as { dryRun?: boolean } | undefined)?.dryRun;
  if (dryRun)
    out.push({
      status: 'warn',
      part: 'mitigation',
      message: 'DRY-RUN: decisions are audited, nothing is sent to routers',
      fix: 'when a test attack looks right, set mitigation.dryRun: false and reload',
    });
  return out;
}

/** "address:port" and ":port" for every UDP socket in /proc/net/udp{,6} text (src/flow/socket-drops.ts). */
export function boundUdpPorts(procNetUdp: readonly string[], order: Endianness = endianness()): Set<string> {
  const out = new Set<string>();
  for (const text of procNetUdp)
    for (const r of parseProcNetUdp(text, order)) {
      out.add(`:${r.localPort}`);
      out.add(`${canonicalAddress(r.localAddress)}:${r.localPort}`);
    }
  return out;
}
