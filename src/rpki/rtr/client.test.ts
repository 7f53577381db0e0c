// The socket runner against caches that misbehave at the TCP level (loopback 127.19.0.0/16).
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RtrClient } from './client.js';

const HOST = '127.19.0.9';
let server: Server | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

describe('RtrClient', () => {
  it('a cache that accepts the connection but never answers the Reset Query is dropped and retried', async () => {
    let connections = 0;
    const queries: Buffer[] = [];
    server = createServer((s) => {
      connections++;
      sockets.push(s);
      s.on('data', (d: Buffer) => queries.push(d)); // read, never answer
    });
    await new Promise<void>((r) => server!.listen(0, HOST, () => r()));
    const port = (server.address() as { port: number }).port;
    const client = new RtrClient({ cache: { host: HOST, port }, responseTimeoutMs: 300, minBackoffMs: 50 });
    client.start();
    try {
      await vi.waitFor(
        () => {
          expect(client.status().lastError).toBe('no answer from the cache within 0.3 s');
          expect(connections).toBeGreaterThanOrEqual(2);
        },
        { timeout: 10_000, interval: 50 },
      );
      // the query it gave up on was a Reset Query (RFC 8210 §5.4: type 2, version 1, length 8)
      expect([...queries[0]!.subarray(0, 2)]).toEqual([1, 2]);
      expect(client.status().state).not.toBe('synced');
    } finally {
      client.stop();
    }
  });
});
