// `floodgate run` on a port another process holds: it stops at once with exit status 1 and one line that
// names the listener as the config names it (flow.listeners[i], api, bgp.listen), its address and who to
// ask — not a bare "address already in use" — for the flow listeners, the HTTP API and the BGP listener;
// and it stops before it connects to a router (a second floodgate on the same config, started by hand
// while the service runs, must neither open BGP sessions to the same routers nor reconcile rules).
import { spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { floodgateCommand } from '../support/floodgate-process.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const HOST = '127.0.94.10';
const dir = mkdtempSync(join(tmpdir(), 'fg-run-bind-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const udpTaken = async (): Promise<Socket> => {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, HOST, () => r()));
  return s;
};
const tcpTaken = async (): Promise<Server> => {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, HOST, () => r()));
  return s;
};
const portOf = (s: Socket | Server): number => {
  const a = s.address();
  return typeof a === 'object' && a ? a.port : 0;
};

/** Runs `floodgate run` on the config; resolves with its exit status and stderr (killed after 30 s). */
function run(config: string): Promise<{ status: number | null; stderr: string }> {
  const file = join(dir, `fg-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, config);
  const { cmd, args } = floodgateCommand(['run', '-c', file]);
  const child = spawn(cmd, args, {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((r) =>
    child.on('exit', (status) => {
      clearTimeout(kill);
      r({ status, stderr });
    }),
  );
}

const base = (apiPort: number, flowPort: number) =>
  [
    `store: { sqlitePath: ${join(dir, `${Math.random().toString(36).slice(2)}.db`)} }`,
    `api: { host: ${HOST}, port: ${apiPort} }`,
    'flow:',
    '  listeners:',
    `    - { protocol: netflow, address: ${HOST}, port: 0 }`,
    `    - { protocol: sflow, address: ${HOST}, port: ${flowPort} }`,
    '',
  ].join('\n');

describe('floodgate run on a port that is taken', () => {
  it('a flow listener: named flow.listeners[1] with its address, exit status 1', async () => {
    const taken = await udpTaken();
    try {
      const r = await run(base(0, portOf(taken)));
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).toContain(
        `floodgate: flow.listeners[1] (UDP ${HOST}:${portOf(taken)}) cannot be bound: bind`,
      );
      expect(r.stderr).toContain(`another process holds UDP port ${portOf(taken)} there`);
    } finally {
      taken.close();
    }
  }, 40_000);

  it('the HTTP API: named api with its address, exit status 1', async () => {
    const taken = await tcpTaken();
    try {
      const r = await run(base(portOf(taken), 0));
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).toContain(`floodgate: api (TCP ${HOST}:${portOf(taken)}) cannot be bound:`);
      expect(r.stderr).toContain(`\`ss -tlpn 'sport = :${portOf(taken)}'\``);
    } finally {
      taken.close();
    }
  }, 40_000);

  it('stops before it touches a router: with a flow port taken, its BGP peer never sees a connection', async () => {
    const taken = await udpTaken();
    const router = await tcpTaken();
    let connections = 0;
    router.on('connection', (c) => {
      connections++;
      c.destroy();
    });
    try {
      const r = await run(
        base(0, portOf(taken)) +
          [
            'bgp:',
            '  enabled: true',
            '  routerId: 10.255.255.1',
            '  localAs: 64512',
            `  peers: [{ address: ${HOST}, port: ${portOf(router)}, remoteAs: 64500 }]`,
            '',
          ].join('\n'),
      );
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).toContain(
        `floodgate: flow.listeners[1] (UDP ${HOST}:${portOf(taken)}) cannot be bound`,
      );
      // the speaker would have connected out at once (connectRetry applies after a failure)
      await new Promise((ok) => setTimeout(ok, 300));
      expect(connections).toBe(0);
    } finally {
      taken.close();
      router.close();
    }
  }, 40_000);

  it('the BGP listener: named bgp.listen with its address, exit status 1', async () => {
    const taken = await tcpTaken();
    try {
      const r = await run(
        base(0, 0) +
          [
            'bgp:',
            '  enabled: true',
            `  listen: { enabled: true, address: ${HOST}, port: ${portOf(taken)} }`,
            '',
          ].join('\n'),
      );
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).toContain(`floodgate: bgp.listen (TCP ${HOST}:${portOf(taken)}) cannot be bound:`);
    } finally {
      taken.close();
    }
  }, 40_000);
});
