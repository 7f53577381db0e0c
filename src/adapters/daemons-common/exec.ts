// Runs a daemon's control program (birdc, vtysh) with a deadline and no shell: arguments are passed
// as an argv array, so nothing in a rule can be interpreted by a shell.
import { execFile } from 'node:child_process';

export interface ExecResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** true when the deadline killed it or the program could not be started. */
  readonly failedToRun: boolean;
  readonly error?: string;
}

export type CommandRunner = (file: string, args: readonly string[], timeoutMs: number) => Promise<ExecResult>;

export const runCommand: CommandRunner = (file, args, timeoutMs) =>
  new Promise((resolve) => {
    execFile(
      file,
      [...args],
      { timeout: timeoutMs, maxBuffer: 32 * 1024 * 1024, encoding: 'utf8', killSignal: 'SIGKILL' },
      (err, stdout, stderr) => {
        if (!err) {
          resolve({ code: 0, stdout, stderr, failedToRun: false });
          return;
        }
        const e = err as NodeJS.ErrnoException & { code?: number | string; killed?: boolean };
        const failedToRun = typeof e.code === 'string' || e.killed === true;
        resolve({
          code: typeof e.code === 'number' ? e.code : -1,
          stdout: stdout ?? '',
          stderr: stderr ?? '',
          failedToRun,
          error: e.killed ? `${file} timed out after ${timeoutMs} ms` : e.message,
        });
      },
    );
  });
