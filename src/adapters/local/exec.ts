// Command runner for the local adapter: argv only (no shell), optional stdin, a hard timeout, and an optional
// network namespace (ip netns exec <ns>) so tests and multi-namespace hosts never touch the root ruleset.
import { spawn } from 'node:child_process';

export interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

export type CommandRunner = (argv: readonly string[], input?: string) => Promise<CommandResult>;

export function commandRunner(opts: { netns?: string; timeoutMs: number }): CommandRunner {
  return (argv, input) =>
    new Promise((resolve) => {
      const full = opts.netns ? ['ip', 'netns', 'exec', opts.netns, ...argv] : [...argv];
      const child = spawn(full[0]!, full.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, opts.timeoutMs);
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('error', (e) => {
        clearTimeout(timer);
        resolve({ code: null, stdout, stderr: stderr + String(e), timedOut });
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr, timedOut });
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(input ?? '');
    });
}
