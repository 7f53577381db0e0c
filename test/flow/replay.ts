// The repository's real exporter captures as datagrams to replay over a socket (workers, native receiver,
// whole-process tests), with the records a decode of the whole capture counts.
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeCapture, udpOf } from '../../src/flow/capture.js';
import { readCapture } from '../../src/flow/pcap.js';
import { FIXTURE_DIR } from './fixtures.js';

const capture = (file: string): Buffer => readFileSync(join(FIXTURE_DIR, file));

/** The UDP payloads of a capture under test/fixtures/flow, in order. */
export function capturePayloads(file: string): Buffer[] {
  return readCapture(capture(file))
    .packets.map(udpOf)
    .filter((u) => u !== undefined)
    .map((u) => Buffer.from(u.payload));
}

/** Flow records (or samples) in the whole capture, as the collector decodes them. */
export function captureRecords(file: string): number {
  return decodeCapture(capture(file)).sink.count;
}

/**
 * sFlow v5 datagrams re-addressed as agent `address` sends them (sflow_version_5.txt: the agent address
 * follows the version and its address type, 1 = IPv4). Throws on a datagram with another agent type.
 */
export function asSflowAgent(datagrams: readonly Buffer[], address: string): Buffer[] {
  return datagrams.map((d) => {
    const c = Buffer.from(d);
    if (c.readUInt32BE(4) !== 1) throw new Error('asSflowAgent: the datagram has no IPv4 agent address');
    address.split('.').forEach((o, i) => (c[8 + i] = Number(o)));
    return c;
  });
}

/** The softflowd NetFlow v9 and sfprobe sFlow captures, and their record counts. */
export const V9 = capturePayloads('softflowd-v9.pcap');
export const V9_RECORDS = captureRecords('softflowd-v9.pcap');
export const SFLOW = capturePayloads('sfprobe-sflow5.pcap');
export const SFLOW_RECORDS = captureRecords('sfprobe-sflow5.pcap');

/**
 * Sends `bufs` to host:port from a socket bound to `from`, one at a time (the point of these tests is equal
 * counts, not a race with the receive buffer); resolves with how many the kernel accepted.
 */
export async function sendFrom(
  host: string,
  port: number,
  from: string,
  bufs: readonly Buffer[],
): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, from, () => r()));
  let ok = 0;
  for (const b of bufs) ok += await new Promise<number>((r) => s.send(b, port, host, (e) => r(e ? 0 : 1)));
  await new Promise<void>((r) => s.close(() => r()));
  return ok;
}
