// The repository's real exporter captures as datagrams to replay over a socket (workers, native receiver,
// whole-process tests), with the records a decode of the whole capture counts.
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
