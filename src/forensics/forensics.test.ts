// Forensics core: ring bounds, pcapng bytes (read back by our reader and by tshark), the recorder's
// pre-attack samples, target matching and caps, and the retention / disk quota of capture files.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { AttackEvent } from '../domain/attack.js';
import { readCapture } from '../flow/pcap.js';
import { CaptureFiles } from './files.js';
import { writePcapng } from './pcapng.js';
import { AttackRecorder, targetMatcher } from './recorder.js';
import { captureInfo, renderCapture } from './render.js';
import { SampleRing, type RawSample } from './ring.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'fg-forensics-unit-'));
  dirs.push(d);
  return d;
};

/** A raw IPv4 UDP header (LINKTYPE_IPV4) from 198.51.100.s to 203.0.113.d, dst port `port`. */
function ipv4Udp(s: number, d: number, port: number): Uint8Array {
  const b = Buffer.alloc(28);
  b[0] = 0x45;
  b.writeUInt16BE(512, 2);
  b[8] = 64;
  b[9] = 17;
  Buffer.from([198, 51, 100, s]).copy(b, 12);
  Buffer.from([203, 0, 113, d]).copy(b, 16);
  b.writeUInt16BE(40000 + s, 20);
  b.writeUInt16BE(port, 22);
  b.writeUInt16BE(492, 24);
  return new Uint8Array(b);
}
const key = (d: number) => ((203 << 24) | (113 << 8) | d | (0 << 16)) >>> 0;
const sample = (at: number, d: number, port = 53, s = 1): RawSample => ({
  at,
  link: 228,
  data: ipv4Udp(s, d, port),
  origLen: 512,
  exporter: '127.22.0.9',
  rate: 1000,
});

function event(kind: AttackEvent['kind'], at: number, target = '203.0.113.10/32'): AttackEvent {
  return {
    attackId: `in:${target}:1000`,
    kind,
    target,
    direction: 'incoming',
    family: 'udp_flood',
    reason: 'test',
    node: 'n',
    hostGroup: 'default',
    at,
    startedAt: 1000,
    pps: 1,
    bps: 1,
    peakPps: 1,
    peakBps: 1,
    severity: 2,
    signature: { protocols: [17], destinationPorts: [53], coverage: 1 },
  };
}

const add = (r: SampleRing, k: number, s: RawSample) =>
  r.add(k, s.data, 0, s.data.length, s.at, s.link, s.origLen, s.exporter, s.rate);
const feed = (r: AttackRecorder, k: number, s: RawSample) =>
  r.sample(k, s.data, 0, s.data.length, s.at, s.link, s.origLen, s.exporter, s.rate);

describe('SampleRing', () => {
  it('keeps the newest samplesPerTarget samples per target, growing its slab up to that', () => {
    const r = new SampleRing({
      samplesPerTarget: 100,
      bytesPerTarget: 100 * 28,
      maxTargets: 10,
      totalBytes: 1e6,
    });
    for (let t = 0; t < 150; t++) add(r, key(10), sample(t, 10));
    const kept = r.collect((k) => k === key(10), 0);
    expect(kept.map((s) => s.at)).toEqual(Array.from({ length: 100 }, (_, k) => 50 + k));
    expect(kept[0]).toEqual(sample(50, 10)); // octets, lengths, exporter and rate come back as they went in
    expect(r.stats().bytes).toBe(100 * 28 + 100 * 18); // slots and their metadata
  });

  it('truncates a header to its slot (bytesPerTarget / samplesPerTarget), like a snaplen', () => {
    const r = new SampleRing({ samplesPerTarget: 4, bytesPerTarget: 64, maxTargets: 10, totalBytes: 1e6 });
    add(r, key(10), sample(1, 10));
    const [s] = r.collect(() => true, 0);
    expect(s!.data).toEqual(sample(1, 10).data.subarray(0, 16));
    expect(s!.origLen).toBe(512);
  });

  it('evicts the least recently seen target beyond maxTargets and totalBytes', () => {
    const r = new SampleRing({ samplesPerTarget: 100, bytesPerTarget: 1e5, maxTargets: 2, totalBytes: 1e7 });
    add(r, key(1), sample(0, 1));
    add(r, key(2), sample(2000, 2));
    add(r, key(1), sample(4000, 1)); // 1 is now the most recent
    add(r, key(3), sample(6000, 3)); // evicts 2
    expect(r.collect((k) => k === key(2), 0)).toEqual([]);
    expect(r.collect(() => true, 0).map((s) => s.at)).toEqual([0, 4000, 6000]);
    const small = new SampleRing({
      samplesPerTarget: 32,
      bytesPerTarget: 32 * 28,
      maxTargets: 9,
      totalBytes: 4000,
    });
    for (let d = 1; d <= 6; d++) add(small, key(d), sample(d, d));
    expect(small.stats().bytes).toBeLessThanOrEqual(4000); // one target's slab is 32 × (28 + 18) = 1472 bytes
    expect(small.stats().targets).toBe(2);
    expect(small.stats().evictedTargets).toBe(4);
  });
});

describe('targetMatcher', () => {
  it('matches hosts and prefixes of both families', () => {
    expect(targetMatcher('203.0.113.10/32')!(key(10))).toBe(true);
    expect(targetMatcher('203.0.113.10/32')!(key(11))).toBe(false);
    expect(targetMatcher('203.0.113.0/24')!(key(200))).toBe(true);
    expect(targetMatcher('203.0.112.0/24')!(key(200))).toBe(false);
    expect(targetMatcher('2001:db8::/64')!('2001:db8::5')).toBe(true);
    expect(targetMatcher('2001:db8::/64')!('2001:db8:0:1::5')).toBe(false);
    expect(targetMatcher('2001:db8::/64')!(key(1))).toBe(false);
    expect(targetMatcher('not a prefix')).toBeUndefined();
  });
});

describe('AttackRecorder', () => {
  const limits = { samplesPerTarget: 1000, bytesPerTarget: 1e6, maxTargets: 10, totalBytes: 1e7 };

  it('starts a capture with the pre-attack seconds from the ring, adds samples to its target only, ends it', () => {
    const rec = new AttackRecorder(limits, {
      preAttackSeconds: 2,
      maxPackets: 100,
      maxBytes: 1e6,
      maxSeconds: 60,
    });
    feed(rec, key(10), sample(-5000, 10)); // older than startedAt − 2 s: left out
    feed(rec, key(10), sample(-500, 10)); // pre-attack: in
    feed(rec, key(11), sample(-400, 11)); // another target: out
    expect(rec.event(event('start', 1000))).toBeUndefined();
    feed(rec, key(10), sample(1100, 10));
    feed(rec, key(12), sample(1200, 12));
    expect(rec.current('in:203.0.113.10/32:1000')!.samples.map((s) => s.at)).toEqual([-500, 1100]);
    const done = rec.event(event('end', 5000))!;
    expect(done.samples.map((s) => s.at)).toEqual([-500, 1100]);
    expect(rec.activeCount).toBe(0);
    feed(rec, key(10), sample(6000, 10)); // after the end: only the ring
    expect(done.samples).toHaveLength(2);
  });

  it('applies the packet, byte and time caps and counts what it left out', () => {
    const rec = new AttackRecorder(limits, {
      preAttackSeconds: 0,
      maxPackets: 3,
      maxBytes: 1e6,
      maxSeconds: 1,
    });
    rec.event(event('start', 1000));
    for (let t = 1000; t < 1010; t++) feed(rec, key(10), sample(t, 10));
    feed(rec, key(10), sample(2500, 10)); // after startedAt + 1 s
    const c = rec.event(event('end', 3000))!;
    expect(c.samples).toHaveLength(3);
    expect(c.capped).toBe(8);
    const byBytes = new AttackRecorder(limits, {
      preAttackSeconds: 0,
      maxPackets: 1e6,
      maxBytes: 4096 + 60 * 5,
      maxSeconds: 60,
    });
    byBytes.event(event('start', 1000));
    for (let t = 1000; t < 1010; t++) feed(byBytes, key(10), sample(t, 10));
    expect(byBytes.current('in:203.0.113.10/32:1000')!.samples).toHaveLength(5); // 60 bytes each in pcapng
  });

  it('ignores outgoing attacks and an end without a start', () => {
    const rec = new AttackRecorder(limits, {
      preAttackSeconds: 0,
      maxPackets: 3,
      maxBytes: 1e6,
      maxSeconds: 1,
    });
    expect(rec.event({ ...event('start', 1000), direction: 'outgoing' })).toBeUndefined();
    expect(rec.activeCount).toBe(0);
    expect(rec.event(event('end', 1000))).toBeUndefined();
  });
});

describe('pcapng writer', () => {
  it('writes blocks our reader and tshark read back, comments included', async () => {
    const buf = writePcapng({
      comments: ['attack x', 'second comment'],
      application: 'floodgate test',
      interfaces: [
        { link: 228, name: 'sflow:127.22.0.9', description: 'sampling rate 1 in 1000', comment: 'c' },
      ],
      packets: [0, 1, 2].map((k) => ({
        iface: 0,
        timeMs: 1_700_000_000_123 + k,
        data: ipv4Udp(k + 1, 10, 53),
        origLen: 512,
      })),
    });
    const back = readCapture(buf);
    expect(back.format).toBe('pcapng');
    expect(back.error).toBeUndefined();
    expect(back.packets.map((p) => [p.linktype, p.timeMs, p.origLen, p.data.length])).toEqual([
      [228, 1_700_000_000_123, 512, 28],
      [228, 1_700_000_000_124, 512, 28],
      [228, 1_700_000_000_125, 512, 28],
    ]);
    const file = join(tmp(), 'w.pcapng');
    writeFileSync(file, buf);
    const run = promisify(execFile);
    const { stdout } = await run(
      'tshark',
      ['-r', file, '-T', 'fields', '-e', 'ip.src', '-e', 'udp.dstport', '-e', 'frame.len'],
      {
        timeout: 60_000,
      },
    );
    expect(stdout.trim().split('\n')).toEqual([
      '198.51.100.1\t53\t512',
      '198.51.100.2\t53\t512',
      '198.51.100.3\t53\t512',
    ]);
    const { stdout: info } = await run('capinfos', [file], { timeout: 60_000 });
    expect(info).toContain('attack x');
    expect(info).toContain('second comment');
  }, 120_000);
});

describe('CaptureFiles', () => {
  function capture(id: number, startedAt: number) {
    const rec = new AttackRecorder(
      { samplesPerTarget: 1000, bytesPerTarget: 1e6, maxTargets: 10, totalBytes: 1e7 },
      { preAttackSeconds: 0, maxPackets: 1000, maxBytes: 1e6, maxSeconds: 1e6 },
    );
    const s = { ...event('start', startedAt), attackId: `in:203.0.113.${id}/32:${startedAt}`, startedAt };
    rec.event(s);
    for (let k = 0; k < 20; k++) feed(rec, key(10), sample(startedAt + k, 10));
    return rec.event({ ...s, kind: 'end', at: startedAt + 100 })!;
  }

  it('lists and reads written captures; deletes by age and then oldest-first to fit the quota', async () => {
    const day = 86_400_000;
    const now = 100 * day;
    const dir = tmp();
    const files = new CaptureFiles(dir, { retentionDays: 10, maxDiskBytes: 1e9 });
    const old = capture(1, now - 11 * day);
    const a = capture(2, now - 3 * day);
    const b = capture(3, now - 2 * day);
    const w = await files.write(captureInfo(old, true), renderCapture(old, true, 't'), now - 11 * day);
    expect(w.size).toBeGreaterThan(1000);
    expect((await files.read(old.attackId))!.data.length).toBe(w.size);
    const wa = await files.write(captureInfo(a, true), renderCapture(a, true, 't'), now);
    // the old one is past the retention
    expect((await files.list()).map((c) => c.attackId)).toEqual([a.attackId]);
    // a quota that holds one capture, not two: writing b deletes a, the oldest
    const tight = new CaptureFiles(dir, { retentionDays: 10, maxDiskBytes: wa.size! + 100 });
    await tight.write(captureInfo(b, true), renderCapture(b, true, 't'), now);
    expect((await tight.list()).map((c) => c.attackId)).toEqual([b.attackId]);
    expect(await tight.read(a.attackId)).toBeUndefined();
    expect(await files.read('no such attack')).toBeUndefined();
  });
});

describe('sFlow raw header tap', () => {
  it('hands each raw header with its decoded slot to the tap; the Forensics shell keys it by destination', async () => {
    const { FlowBatch } = await import('../flow/batch.js');
    const { toSflow } = await import('../gen/export.js');
    const { decodeDatagram } = await import('../flow/datagram.js');
    const { ExporterState } = await import('../flow/exporter.js');
    const { CollectingSink } = await import('../flow/sink.js');
    const { Forensics } = await import('./service.js');
    const { forensicsConfigSchema } = await import('./config.js');
    const b = new FlowBatch(4);
    for (let k = 0; k < 3; k++) {
      const i = b.next();
      b.family[i] = 4;
      b.srcAddr[i * 4] = ((198 << 24) | (51 << 16) | (100 << 8) | (k + 1)) >>> 0;
      b.dstAddr[i * 4] = key(10 + k);
      b.proto[i] = 17;
      b.dstPort[i] = 53;
      b.packets[i] = 1;
      b.bytes[i] = 700;
      b.samplingRate[i] = 512;
    }
    const f = new Forensics(forensicsConfigSchema.parse({}), tmp(), 't', { info() {}, error() {} });
    const sink = Object.assign(new CollectingSink(), { rawTap: f.tap });
    const exp = new ExporterState(0, '127.22.0.9');
    for (const d of toSflow([b], 0x7f160009)) decodeDatagram(d.payload, exp, sink, 5000);
    expect(sink.count).toBe(3);
    const got = f.recorder.ring.collect((k) => k === key(11), 0);
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ at: 5000, link: 1, origLen: 714, exporter: '127.22.0.9', rate: 512 });
    // an Ethernet frame: IPv4 ethertype, destination 203.0.113.11 at offset 14 + 16
    expect(Buffer.from(got[0]!.data).readUInt16BE(12)).toBe(0x0800);
    expect([...got[0]!.data.subarray(30, 34)]).toEqual([203, 0, 113, 11]);
  });
});

describe('Forensics shell', () => {
  it('writes a capture at the attack end, none for an attack no sample reached', async () => {
    const { Forensics } = await import('./service.js');
    const { forensicsConfigSchema } = await import('./config.js');
    const dir = tmp();
    // the clock is injected: retention judges these 1970 timestamps against it
    const f = new Forensics(forensicsConfigSchema.parse({}), dir, 't', { info() {}, error() {} }, () => 6000);
    const other = event('start', 1000, '203.0.113.11/32');
    f.onEvent({ type: 'attack', at: 1000, event: other });
    f.onEvent({ type: 'attack', at: 1000, event: event('start', 1000) });
    f.recorder.sample(key(10), sample(1500, 10).data, 0, 28, 1500, 228, 512, '127.22.0.9', 1000);
    expect((await f.list()).map((c) => [c.target, c.packets, c.endedAt])).toEqual([
      ['203.0.113.11/32', 0, undefined],
      ['203.0.113.10/32', 1, undefined],
    ]);
    expect((await f.pcap(event('start', 1000).attackId))!.data.length).toBeGreaterThan(28);
    f.onEvent({ type: 'attack', at: 5000, event: { ...other, kind: 'end', at: 5000 } });
    f.onEvent({ type: 'attack', at: 5000, event: event('end', 5000) });
    await f.stop();
    const files = await f.files.list();
    expect(files.map((c) => [c.target, c.packets, c.endedAt])).toEqual([['203.0.113.10/32', 1, 5000]]);
    expect(f.stats()).toMatchObject({ written: 1, empty: 1, activeCaptures: 0 });
  });
});
