// vtysh driver (`vtysh --vty_socket DIR`) and parsers of `show running-config` and
// `show bgp summary json`.
import { type CommandRunner, runCommand } from '../daemons-common/exec.js';

export interface VtyshOptions {
  readonly vtysh: string;
  readonly vtySocketDir: string;
  readonly timeoutMs: number;
}

export interface VtyshAnswer {
  readonly ok: boolean;
  readonly output: string;
  readonly error?: string;
  readonly unreachable: boolean;
}

/** Runs the lines as one vtysh session (-c per line); vtysh stops at and reports the first failing line. */
export async function vtysh(
  o: VtyshOptions,
  lines: readonly string[],
  run: CommandRunner = runCommand,
): Promise<VtyshAnswer> {
  const args = ['--vty_socket', o.vtySocketDir, ...lines.flatMap((l) => ['-c', l])];
  const r = await run(o.vtysh, args, o.timeoutMs);
  const output = r.stdout + r.stderr;
  if (r.failedToRun) return { ok: false, output, error: r.error, unreachable: true };
  // vtysh exits 0 even when a daemon is missing; it then says so
  const down = /is not running|failed to connect|Exiting: failed/i.test(output);
  if (r.code !== 0 || down) {
    return {
      ok: false,
      output,
      error: output.trim() || `vtysh exited ${r.code}`,
      unreachable: down || r.code !== 1,
    };
  }
  return { ok: true, output, unreachable: false };
}

export interface RunningBlock {
  readonly header: string;
  readonly body: readonly string[];
}

/** Top-level blocks of `show running-config`: a header line and its indented lines. */
export function parseRunningConfig(text: string): RunningBlock[] {
  const out: { header: string; body: string[] }[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\s+$/, '');
    if (line === '' || line === '!' || line === 'exit' || line === 'end') continue;
    if (/^\s/.test(line)) out[out.length - 1]?.body.push(line.trim());
    else out.push({ header: line, body: [] });
  }
  return out;
}

export interface FrrHeldEntry {
  readonly kind: 'rtbh' | 'pbr';
  readonly seq: number;
  readonly ruleId?: string;
  readonly target?: string;
  readonly description: string;
}

/** Our route-map entries (with their static routes) and pbr-map entries in the running config. */
export function findEntries(
  blocks: readonly RunningBlock[],
  routeMap: string,
  pbrMap: string,
): FrrHeldEntry[] {
  const statics = new Map<number, string>();
  for (const b of blocks) {
    const m = /^(?:ip|ipv6) route (\S+) blackhole tag (\d+)\b/.exec(b.header);
    if (m) statics.set(Number(m[2]), m[1] as string);
  }
  const out: FrrHeldEntry[] = [];
  for (const b of blocks) {
    const rm = new RegExp(`^route-map ${escape(routeMap)} permit (\\d+)$`).exec(b.header);
    if (rm) {
      const seq = Number(rm[1]);
      const d = b.body.find((l) => l.startsWith('description floodgate rule '));
      out.push({
        kind: 'rtbh',
        seq,
        ruleId: d?.slice('description floodgate rule '.length),
        target: statics.get(seq),
        description: [b.header, ...b.body].join('; '),
      });
      continue;
    }
    const pm = new RegExp(`^pbr-map ${escape(pbrMap)} seq (\\d+)$`).exec(b.header);
    if (pm) {
      const dst = b.body.find((l) => l.startsWith('match dst-ip '));
      out.push({
        kind: 'pbr',
        seq: Number(pm[1]),
        target: dst?.slice('match dst-ip '.length),
        description: [b.header, ...b.body].join('; '),
      });
    }
  }
  return out;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `show bgp summary json`: { ipv4Unicast: { peers: { addr: { state } } }, ipv6Unicast: … } → peer → state. */
export function parseBgpSummary(json: string): Record<string, string> {
  const doc = JSON.parse(json) as Record<string, { peers?: Record<string, { state?: string }> }>;
  const out: Record<string, string> = {};
  for (const af of Object.values(doc)) {
    for (const [peer, p] of Object.entries(af?.peers ?? {})) {
      const s = (p.state ?? 'unknown').toLowerCase();
      // a peer is as good as its worst address family
      if (out[peer] === undefined || out[peer] === 'established') out[peer] = s;
    }
  }
  return out;
}
