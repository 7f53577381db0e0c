// Runs the real softflowd over a pcap file and exports NetFlow v5/v9/IPFIX to a collector.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * `softflowd -r PCAP -n HOST:PORT -v VERSION -6 -a -c none`: reads the capture (timestamps from the pcap
 * clock, -a) and flushes every flow at EOF. `-c none` stops 1.1.0 from blocking on its control socket.
 */
export async function softflowdExport(
  pcap: string,
  host: string,
  port: number,
  version: 5 | 9 | 10,
): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'fg-sfd-'));
  try {
    return await new Promise<string>((resolve, reject) => {
      const child = spawn(
        'softflowd',
        [
          '-d',
          '-6',
          '-a',
          '-r',
          pcap,
          '-n',
          `${host}:${port}`,
          '-v',
          String(version),
          '-p',
          join(dir, 'pid'),
          '-c',
          'none',
        ],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.on('error', (err) =>
        reject(new Error(`cannot run softflowd (Debian package "softflowd"): ${err.message}`)),
      );
      child.on('exit', (code) => {
        clearTimeout(timer);
        if (code === 0) resolve(out);
        else reject(new Error(`softflowd exited ${code}: ${out}`));
      });
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
