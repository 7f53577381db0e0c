// How many datagrams/s one core can receive with an empty handler: node:dgram (one callback, Buffer and rinfo
// per datagram) against the recvmmsg receiver (src/flow/native-receive.ts, batches of up to 64). The receiver
// runs in a child pinned to one core, the C sender of ../shared/bench (blast.c, compiled, path in BLAST) on the
// other; each step reports sent, received, loss and the receiver's CPU per datagram. Figures: docs/performance.md
// ("Receive path"). Linux only; needs taskset and BLAST.
//   BLAST=/path/to/blast RECV_RATES=100000,200000,400000 npx tsx bench/receive-ceiling.ts
import { execFileSync, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { fileURLToPath } from 'node:url';
import { runIfMain } from './main.js';
import { bindNativeListener, nativeAddon } from '../src/flow/native-receive.js';

const HOST = '127.0.103.1';
const PORT = 10395;
const PCAP = fileURLToPath(new URL('../test/fixtures/flow/sfprobe-sflow5.pcap', import.meta.url));

/** The child: receives for `ms` with an empty handler, then prints what it got and the CPU it used. */
async function receiver(mode: string, ms: number): Promise<void> {
  let n = 0;
  let stop: () => void;
  if (mode === 'native') {
    const { addon, reason } = nativeAddon();
    if (!addon) throw new Error(reason);
    const l = bindNativeListener(addon, { address: HOST, port: PORT }, 8 << 20, () => n++);
    stop = () => l.close();
  } else {
    const s = dgram.createSocket({ type: 'udp4', recvBufferSize: 8 << 20 });
    s.on('message', () => n++);
    await new Promise<void>((r) => s.bind(PORT, HOST, () => r()));
    stop = () => s.close();
  }
  process.stdout.write('ready\n');
  const c0 = process.cpuUsage();
  await new Promise((r) => setTimeout(r, ms));
  const c = process.cpuUsage(c0);
  stop();
  process.stdout.write(JSON.stringify({ n, cpuSeconds: (c.user + c.system) / 1e6 }) + '\n');
}

async function step(mode: string, rate: number, seconds: number) {
  const child = spawn(
    'taskset',
    ['-c', '0', process.execPath, ...process.execArgv, fileURLToPath(import.meta.url)],
    {
      env: { ...process.env, RECV_CHILD: mode, RECV_MS: String(seconds * 1000 + 1500) },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  while (!out.includes('ready\n')) await new Promise((r) => setTimeout(r, 50));
  const blast = JSON.parse(
    execFileSync('taskset', [
      '-c',
      '1',
      process.env.BLAST ?? 'blast',
      '-f',
      PCAP,
      '-a',
      HOST,
      '-p',
      String(PORT),
      '-r',
      String(rate),
      '-d',
      String(seconds),
      '-s',
    ]).toString(),
  ) as { sent: number; seconds: number };
  await new Promise((r) => child.once('exit', r));
  const got = JSON.parse(out.split('\n').filter((l) => l.startsWith('{'))[0] ?? '{}') as {
    n: number;
    cpuSeconds: number;
  };
  return {
    mode,
    offered: rate,
    sentPerSecond: Math.round(blast.sent / blast.seconds),
    received: got.n,
    lossPercent: +((100 * (blast.sent - got.n)) / blast.sent).toFixed(2),
    cpuMicrosPerDatagram: +((got.cpuSeconds * 1e6) / Math.max(1, got.n)).toFixed(2),
  };
}

export async function run() {
  const rates = (process.env.RECV_RATES ?? '100000,200000,300000,400000,0').split(',').map(Number);
  const seconds = Number(process.env.RECV_SECONDS ?? 4);
  const rows = [];
  for (const mode of ['dgram', 'native']) for (const r of rates) rows.push(await step(mode, r, seconds));
  return rows;
}

if (process.env.RECV_CHILD) void receiver(process.env.RECV_CHILD, Number(process.env.RECV_MS ?? 5000));
else runIfMain(import.meta.url, run);
