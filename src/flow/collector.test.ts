import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { nf5, type Nf5Rec } from '../../test/flow/wire.js';
import type { FlowBatch } from './batch.js';
import { FlowCollector } from './collector.js';
import { waitFor } from '../../test/support/wait.js';

const rec: Nf5Rec = {
  src: '198.51.100.1',
  dst: '203.0.113.5',
  pkts: 1,
  bytes: 100,
  first: 1,
  last: 1,
  sport: 1,
  dport: 2,
  proto: 17,
};
const datagram = (seq: number, n = 1) =>
  nf5(
    { uptime: 10, secs: 1_800_000_000, seq },
    Array.from({ length: n }, () => rec),
  );

async function send(host: string, port: number, bufs: Buffer[], from?: string): Promise<void> {
  const s = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  if (from) await new Promise<void>((r) => s.bind(0, from, () => r()));
  for (const b of bufs) await new Promise<void>((r) => s.send(b, port, host, () => r()));
  s.close();
}

let c: FlowCollector | undefined;
afterEach(async () => {
  await c?.stop();
  c = undefined;
});

describe('FlowCollector', () => {
  it('listens on IPv4 and IPv6, hands a partial batch over on the timer, counts garbage and keeps going', async () => {
    const got: number[] = [];
    c = new FlowCollector({
      listen: [
        { address: '127.0.10.1', port: 0 },
        { address: '::1', port: 0 },
      ],
      flushMs: 20,
      onBatch: (b) => got.push(b.length),
    });
    const [v4, v6] = await c.start();
    await send('127.0.10.1', v4!.port, [datagram(0, 3), Buffer.from('garbage'), datagram(3, 2)]);
    await send('::1', v6!.port, [datagram(0, 4)]);
    await waitFor('9 records handed over', () => got.reduce((a, b) => a + b, 0) === 9, 10_000, 10);
    expect(got.reduce((a, b) => a + b, 0)).toBe(9);
    const s = c.stats();
    expect(s.datagrams).toBe(4);
    const byAddr = Object.fromEntries(s.exporters.map((e) => [e.address, e]));
    expect(byAddr['127.0.0.1']).toMatchObject({ datagrams: 3, records: 5, sequenceGaps: 0 });
    expect(byAddr['127.0.0.1']!.errors['unknown-format']).toBe(1);
    expect(byAddr['::1']).toMatchObject({ datagrams: 1, records: 4 });
  });

  it('reuses two batches (double buffering) when batches fill', () => {
    const seen = new Set<FlowBatch>();
    let total = 0;
    c = new FlowCollector({ listen: [], batchSize: 16, onBatch: (b) => (seen.add(b), (total += b.length)) });
    for (let k = 0; k < 50; k++) c.ingest(datagram(k * 30, 30), '192.0.2.9', 0);
    c.flush();
    expect(total).toBe(1500);
    expect(seen.size).toBe(2);
  });

  it('drops datagrams from exporters outside the allowlist without creating state', () => {
    c = new FlowCollector({ listen: [], allow: ['192.0.2.0/28', '2001:db8::1'], onBatch: () => undefined });
    c.ingest(datagram(0), '192.0.2.5');
    c.ingest(datagram(0), '::ffff:192.0.2.6');
    c.ingest(datagram(0), '192.0.2.77');
    c.ingest(datagram(0), '2001:db8::1');
    c.ingest(datagram(0), '2001:db8::2');
    const s = c.stats();
    expect(s.rejected).toBe(2);
    expect(s.exporters.map((e) => e.address)).toEqual(['192.0.2.5', '192.0.2.6', '2001:db8::1']);
  });

  it('applies per-exporter sampling overrides from options', () => {
    let rate = 0;
    c = new FlowCollector({
      listen: [],
      sampling: { '192.0.2.5': { rate: 1000 } },
      onBatch: (b) => (rate = b.samplingRate[0]!),
    });
    c.ingest(datagram(0), '192.0.2.5');
    c.flush();
    expect(rate).toBe(1000);
    expect(c.stats().exporters[0]!.samplingRate).toBe(1000);
  });

  it('asks for a 4 MiB receive buffer (kernel caps it at rmem_max)', async () => {
    c = new FlowCollector({ listen: [{ address: '127.0.10.1', port: 0 }], onBatch: () => undefined });
    await c.start();
    // Linux doubles the request for bookkeeping and caps at 2 × rmem_max
    expect(c.recvBufferSizes[0]).toBeGreaterThan(212992);
  });
});
