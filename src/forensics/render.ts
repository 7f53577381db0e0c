// A finished (or ongoing) attack capture as a pcapng file: one interface per (exporter, link type, sampling
// rate), so that every packet's exporter and 1-in-N rate are named by its interface's comment.
import { writePcapng, type NgInterface, type NgPacket } from './pcapng.js';
import type { Capture } from './recorder.js';

export interface CaptureInfo {
  readonly attackId: string;
  readonly target: string;
  readonly family: string;
  readonly startedAt: number;
  /** Absent while the attack lasts. */
  readonly endedAt?: number;
  readonly packets: number;
  readonly capped: number;
  readonly exporters: readonly { address: string; samplingRate: number }[];
  readonly signature: unknown;
  /** File size in bytes (once written). */
  readonly size?: number;
  readonly file?: string;
}

export function captureInfo(c: Capture, ended: boolean): CaptureInfo {
  const ex = new Map<string, { address: string; samplingRate: number }>();
  for (const s of c.samples) ex.set(`${s.exporter} ${s.rate}`, { address: s.exporter, samplingRate: s.rate });
  return {
    attackId: c.attackId,
    target: c.target,
    family: c.family,
    startedAt: c.first.startedAt,
    ...(ended ? { endedAt: c.last.at } : {}),
    packets: c.samples.length,
    capped: c.capped,
    exporters: [...ex.values()],
    signature: c.last.signature,
  };
}

export function renderCapture(c: Capture, ended: boolean, version: string): Buffer {
  const interfaces: NgInterface[] = [];
  const index = new Map<string, number>();
  const packets: NgPacket[] = c.samples.map((s) => {
    const key = `${s.exporter}|${s.link}|${s.rate}`;
    let iface = index.get(key);
    if (iface === undefined) {
      iface = interfaces.length;
      index.set(key, iface);
      // host agents (src/agent) report as "agent:<name>": their samples come from tcpdump, not sFlow
      const agent = s.exporter.startsWith('agent:') ? s.exporter.slice(6) : undefined;
      const what =
        agent !== undefined
          ? `floodgate host agent ${agent}, sampling rate 1 in ${s.rate}`
          : `sFlow exporter ${s.exporter}, sampling rate 1 in ${s.rate}`;
      interfaces.push({
        link: s.link,
        name: agent !== undefined ? `agent:${agent}` : `sflow:${s.exporter}`,
        description: what,
        comment: `${what}: each packet is the sampled header of one packet standing for ${s.rate} on the wire`,
      });
    }
    return { iface, timeMs: s.at, data: s.data, origLen: s.origLen };
  });
  const iso = (t: number) => new Date(t).toISOString();
  const comments = [
    `floodgate attack ${c.attackId}: ${c.family} on ${c.target}, started ${iso(c.first.startedAt)}` +
      (ended ? `, ended ${iso(c.last.at)}` : ', ongoing at capture time'),
    `sampled packet headers (sFlow flow samples, host agents); ${c.samples.length} packets` +
      (c.capped ? `, ${c.capped} more left out by the capture caps` : ''),
    `signature: ${JSON.stringify(c.last.signature)}`,
  ];
  return writePcapng({ comments, application: `floodgate ${version}`, interfaces, packets });
}
