// Before floodgate touches a router, the ports it will listen on are tried. `floodgate run` started a
// second time with the same config (by hand, while the service runs) must stop before its BGP sessions
// collide with the running instance's and before its engine restores and reconciles rules — not after,
// when it reaches the flow listeners. Each port is bound and released at once; the real bind later still
// reports a port taken in between (bindError, the same message).
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import type { Config } from '../config/schema.js';
import { listenerBindError } from '../flow/listeners.js';
import { bindError } from '../net/bind-error.js';

function tryUdp(address: string, port: number): Promise<void> {
  const type = address.includes(':') ? 'udp6' : 'udp4';
  const s = createSocket({ type, ipv6Only: type === 'udp6' });
  return new Promise<void>((resolve, reject) => {
    s.once('error', (err) => {
      s.close();
      reject(err);
    });
    s.bind(port, address, () => s.close(() => resolve()));
  });
}

function tryTcp(address: string, port: number): Promise<void> {
  const s = createServer();
  return new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.listen({ host: address, port, exclusive: true }, () => s.close(() => resolve()));
  });
}

/**
 * Throws the first listener that cannot be bound (flow listeners when this process collects, then the
 * HTTP API), named as the config names it. Port 0 (any free port) needs no check.
 */
export async function preflightPorts(config: Config, collects: boolean): Promise<void> {
  if (collects)
    for (const [i, l] of config.flow.listeners.entries()) {
      if (l.port === 0) continue;
      await tryUdp(l.address, l.port).catch((err: unknown) => {
        throw listenerBindError(err, l, i);
      });
    }
  const api = config.api;
  if (api.enabled && api.port !== 0)
    await tryTcp(api.host, api.port).catch((err: unknown) => {
      throw bindError(err, 'api', 'TCP', api.host, api.port);
    });
}
