// birdc driver and parsers of its answers (`configure`, `show protocols`, `show route`).
import { type CommandRunner, runCommand } from '../daemons-common/exec.js';

export interface BirdcOptions {
  readonly birdc: string;
  readonly socket: string;
  readonly timeoutMs: number;
}

export interface BirdcAnswer {
  readonly ok: boolean;
  readonly lines: readonly string[];
  readonly error?: string;
  /** The control socket could not be used (bird down): worth a retry. */
  readonly unreachable: boolean;
}

/** BIRD's own words for a failed command (cli reply codes 8xxx/9xxx print these texts). */
const FAILURE = /(parse error|syntax error|error|unknown|not found|cannot|failed)/i;

export async function birdc(
  o: BirdcOptions,
  args: readonly string[],
  run: CommandRunner = runCommand,
): Promise<BirdcAnswer> {
  const r = await run(o.birdc, ['-s', o.socket, ...args], o.timeoutMs);
  const lines = r.stdout
    .split('\n')
    .filter((l) => l.trim() !== '' && !/^BIRD [\d.]+ ready\.$/.test(l.trim()));
  if (r.failedToRun || r.code !== 0) {
    const text = (r.stderr || r.stdout || r.error || '').trim();
    return { ok: false, lines, error: `birdc ${args.join(' ')}: ${text}`, unreachable: true };
  }
  return { ok: true, lines, unreachable: false };
}

/** `configure check` / `configure` answers: "Configuration OK", "Reconfigured", "Reconfiguration in progress". */
export function configureOutcome(lines: readonly string[]): { ok: boolean; message: string } {
  const text = lines.join('\n');
  if (
    /Configuration OK|Reconfigured|Reconfiguration in progress|Reconfiguration already in progress/.test(text)
  ) {
    return { ok: true, message: text };
  }
  return { ok: !FAILURE.test(text) && text.length > 0, message: text || 'no answer' };
}

export interface BirdProtocol {
  readonly name: string;
  readonly proto: string;
  readonly state: string;
  readonly info: string;
}

/** `show protocols`: Name Proto Table State Since Info. Since may be a time or a date and a time. */
export function parseProtocols(lines: readonly string[]): BirdProtocol[] {
  const out: BirdProtocol[] = [];
  for (const line of lines) {
    const t = line.trim().split(/\s+/);
    if (t.length < 4 || t[0] === 'Name') continue;
    const rest = t.slice(4).filter((x) => !/^\d{1,4}[-:.]\d/.test(x));
    out.push({ name: t[0] as string, proto: t[1] as string, state: t[3] as string, info: rest.join(' ') });
  }
  return out;
}

export interface BirdRouteLine {
  /** Destination prefix: the flow's `dst` or the unicast network. */
  readonly prefix: string;
  readonly line: string;
}

/** `show route table T protocol P`: one route per line starting at column 0 (attributes are indented). */
export function parseRoutes(lines: readonly string[]): BirdRouteLine[] {
  const out: BirdRouteLine[] = [];
  for (const line of lines) {
    if (/^\s/.test(line) || line.startsWith('Table ')) continue;
    const flow = /^flow[46] \{ dst ([^;\s]+)/.exec(line);
    if (flow) {
      out.push({ prefix: flow[1] as string, line: line.trim() });
      continue;
    }
    const uni = /^([0-9a-fA-F.:]+\/\d+)\s/.exec(line);
    if (uni) out.push({ prefix: uni[1] as string, line: line.trim() });
  }
  return out;
}
