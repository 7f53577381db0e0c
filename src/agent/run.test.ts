// HostAgent end to end without tcpdump or network: packets fed to its sampler raise an attack in its
// Detector; reports queue while the controller is unreachable (bounded: the oldest dropped and counted),
// the circuit breaker stops calling after 3 failures and lets one trial through after its wait; once the
// controller answers, queued reports go oldest first (the attack's start event among them) and the
// answer's mitigations reach the local nftables target.
import { describe, expect, it } from 'vitest';
import { parseDetectionConfig } from '../detect/config.js';
import type { Rule } from '../domain/rule.js';
import { sampleRule } from '../domain/sample-rule.js';
import { agentConfigSchema } from './config.js';
import type { PostResult } from './http.js';
import { LocalMitigation, type RuleTarget } from './local.js';
import { parseNetDev, parseNetSnmp } from './procnet.js';
import type { AgentReport } from './protocol.js';
import { HostAgent } from './run.js';
import { PcapStream } from './pcap-stream.js';
import type { Capture } from './tcpdump.js';

const DEV = `h\nh\n  eth9: 1000 10 0 0 0 0 0 0 500 5 0 0 0 0 0 0\n`;
const SNMP = `Udp: InDatagrams NoPorts\nUdp: 10 0\n`;

function frame(): Uint8Array {
  const f = new Uint8Array(14 + 28 + 64);
  f[12] = 0x08;
  f[14] = 0x45;
  const dv = new DataView(f.buffer);
  dv.setUint16(16, 28 + 64);
  f[23] = 17;
  f.set([192, 0, 2, 7], 26);
  f.set([10, 9, 0, 2], 30);
  dv.setUint16(36, 7777);
  return f;
}

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('HostAgent', () => {
  it('queues while the controller is down, breaks the circuit, then delivers in order and applies the answer', async () => {
    let now = 1_700_000_000_000;
    const posted: AgentReport[] = [];
    let up = false;
    let calls = 0;
    const answer = (): PostResult => ({
      status: 200,
      body: JSON.stringify({
        agent: 'h1',
        accepted: 0,
        refused: [],
        samples: 0,
        mitigations: [
          sampleRule('r1', {
            target: '10.9.0.2/32',
            intent: 'drop',
            level: 2,
            actions: [],
            createdAt: now,
            expiresAt: now + 300_000,
            reason: 'r',
            dryRun: false,
          }),
        ],
      }),
    });
    const table: string[] = [];
    const target: RuleTarget = {
      announce: async (r: Rule) => (table.push(r.id), { ok: true }),
      withdraw: async () => ({ ok: true }),
      list: async () => [],
    };
    const cfg = agentConfigSchema.parse({
      capture: { interface: 'eth9', samplingRate: 1 },
      queue: { maxReports: 5, flushPerInterval: 10 },
      breaker: { failures: 3, openMs: 2000, maxOpenMs: 8000 },
      samples: { maxPerReport: 50 },
    });
    const stream = { s: undefined as PcapStream | undefined };
    const agent = new HostAgent(
      cfg,
      parseDetectionConfig({ networks: ['10.9.0.2/32'], thresholds: { host: { incoming: { pps: 100 } } } }),
      {
        log: quiet,
        version: 'test',
        now: () => now,
        readHost: (at) => ({ at, dev: parseNetDev(DEV), snmp: parseNetSnmp(SNMP) }),
        post: async (path, body) => {
          calls++;
          expect(path).toBe('/api/v1/agents/report');
          if (!up) throw new Error('ECONNREFUSED');
          posted.push(JSON.parse(body) as AgentReport);
          return answer();
        },
        mitigation: new LocalMitigation(target, ['drop'], ['10.9.0.2/32'], quiet),
        startCapture: (onRecord) => {
          stream.s = new PcapStream(onRecord);
          return {
            child: { pid: 1 },
            stream: stream.s,
            exited: new Promise(() => undefined),
            stop: () => undefined,
          } as unknown as Capture;
        },
      },
    );
    // the flood: 2 000 packets per second for 3 s, then report cycles every 500 ms
    const f = frame();
    for (let sec = 0; sec < 3; sec++) {
      for (let k = 0; k < 2000; k++) agent.sampler.record(f, 0, f.length, f.length, now + k / 2, 1);
      now += 1000;
      for (let t = 0; t < 1000 / agent.detector.tickLength; t++) agent.tick();
    }
    expect(agent.stats.events).toBeGreaterThan(0);
    for (let c = 0; c < 8; c++) {
      await agent.cycle();
      now += 500;
    }
    // 3 failed calls opened the breaker; later cycles only queued (5 kept, the rest dropped)
    expect(calls).toBe(4); // 3 failures + one half-open trial after 2 s
    expect(agent.stats.breaker).toBe('open');
    expect(agent.stats.queued).toBe(5);
    expect(agent.stats.dropped).toBe(3);
    up = true;
    now += 4000; // the second wait (doubled) is over
    await agent.cycle();
    expect(agent.stats.breaker).toBe('closed');
    // the newest 5 (this cycle's report 9 pushed report 4 out), oldest first
    expect(posted.map((r) => r.seq)).toEqual([5, 6, 7, 8, 9]);
    expect(agent.stats.dropped).toBe(4);
    expect(agent.stats.queued).toBe(0);
    expect(table).toEqual(['r1']);
    now += 500;
    // packets to the attacked target since the last report go with the next one (their headers, base64)
    for (let k = 0; k < 30; k++) agent.sampler.record(f, 0, f.length, f.length, now - 100 + k, 1);
    await agent.cycle(); // the next report also says what the agent holds
    expect(posted.at(-1)!.held).toEqual(['r1']);
    expect(posted[0]!.counters?.interfaces).toHaveProperty('eth9');
    // the start event was in report 1, which the cap dropped: it was carried into the oldest kept report
    expect(posted[0]!.events!.map((e) => e.kind)).toContain('start');
    expect(posted.flatMap((r) => r.events ?? []).filter((e) => e.kind === 'start')).toHaveLength(1);
    expect(agent.stats.eventsLost).toBe(0);
    const samples = posted.at(-1)!.samples ?? [];
    expect(samples).toHaveLength(30);
    expect(Buffer.from(samples[0]!.data, 'base64')).toEqual(Buffer.from(f));
  });
});
