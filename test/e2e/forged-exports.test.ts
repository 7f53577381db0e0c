// Issue 19 item 2 end to end, through a real `floodgate run`: sFlow floods from an unlisted UDP source open no
// attack; from a listed relay, a flood claiming an absurd sampling rate is quarantined, a flood over its agent's
// plausibility ceiling opens an attack but no rule (its only node is flagged implausible and needs
// corroboration), and an ordinary flood opens an attack and a rule. Two agents relayed through the one listed
// host are two exporters (issue 10 item 3, flow side). Loopback 127.11.0.0/16 only; every sender bounded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src/domain/audit.js';
import type { Rule } from '../../src/domain/rule.js';
import type { CollectorStats } from '../../src/flow/collector.js';
import type { AttackRecord } from '../../src/domain/store-port.js';
import { getJson, type FloodgateProcess } from '../support/floodgate-process.js';
import { waitFor } from '../support/wait.js';
import { sendPaced, sflowFlood, startSflowFloodgate } from './support-sflow.js';

const HOST = '127.11.0.1';
const LISTED = '127.11.0.2';
const UNLISTED = '127.11.0.3';

/** An sFlow flood on `target` whose datagrams name `agent` as their agent address. */
function flood(target: string, agent: string, samplingRate: number): Uint8Array[] {
  const a = agent.split('.').map(Number);
  return sflowFlood({ target, samples: 800, samplingRate, perDatagram: 8 }).map((d) => {
    const c = Uint8Array.from(d);
    c.set(a, 8); // agent address (IPv4) at octets 8..11 of the datagram header
    return c;
  });
}

const attacks = async (fg: FloodgateProcess) =>
  (await getJson<{ attacks: AttackRecord[] }>(`${fg.api}/api/v1/attacks`)).attacks;
const rules = async (fg: FloodgateProcess) =>
  (await getJson<{ rules: Rule[] }>(`${fg.api}/api/v1/rules`)).rules;
const exporters = async (fg: FloodgateProcess) =>
  (await getJson<{ exporters: CollectorStats }>(`${fg.api}/api/v1/exporters`)).exporters;

describe('forged flow exports through floodgate run', () => {
  let fg: FloodgateProcess;
  let port: number;
  /** From `from` to floodgate's sFlow port, 10 datagrams every 2 ms. */
  const send = (from: string, datagrams: readonly Uint8Array[]) =>
    sendPaced(from, HOST, port, datagrams, 10, 2);

  beforeAll(async () => {
    ({ fg, flowPort: port } = await startSflowFloodgate(HOST, {
      node: { name: 'e2e-forged' },
      flow: {
        exporters: [LISTED],
        nodes: { '127.11.0.21': 'pop-a' },
        // 5 Mbit/s over a 5 s window: the first datagram (8 × 4 Mbit sampled) already crosses it, so the
        // exporter is flagged in the same batch that lets its first records through
        plausibility: { exporters: { '127.11.0.22': { maxBps: 5e6 } } },
      },
      detection: { networks: ['203.0.113.0/24'], thresholds: { host: { incoming: { pps: 1000 } } } },
      mitigation: {
        dryRun: true,
        guards: { allowSpecialPurpose: ['203.0.113.0/24'] },
        policies: {
          default: {
            levels: [
              { intent: 'rate-limit', bps: 1e6 },
              { intent: 'drop', bps: 500e9 },
              { intent: 'blackhole', bps: 2e12 },
              { intent: 'scrubbing', bps: 5e12 },
            ],
          },
        },
      },
    }));
  }, 60_000);

  afterAll(async () => {
    if (fg) expect(await fg.stop('SIGTERM')).toBe(0);
  });

  it('opens no attack from an unlisted source, nor from a listed one claiming an absurd sampling rate', async () => {
    await send(UNLISTED, flood('203.0.113.20', '127.11.0.21', 1000));
    await send(LISTED, flood('203.0.113.21', '127.11.0.23', 1e9));
    const s = await waitFor('both floods to be received', async () => {
      const e = await exporters(fg);
      return e.rejected >= 50 && e.quarantinedRecords >= 700 ? e : undefined;
    });
    const agent = s.exporters.find((e) => e.address === '127.11.0.23');
    expect(agent).toMatchObject({ source: LISTED, subAgentId: 0 });
    expect(agent!.quarantinedRecords).toBeGreaterThanOrEqual(700);
    expect(agent!.implausibleReason).toMatch(/sampling rate 1:1000000000 over the bound/);
    const health = await getJson<{ checks: { flow: { implausibleNodes: string[] } } }>(`${fg.api}/healthz`);
    expect(health.checks.flow.implausibleNodes).toContain('127.11.0.23');
    // several detection ticks later, still nothing opened for either target
    await new Promise((r) => setTimeout(r, 3000));
    const targets = (await attacks(fg)).map((a) => a.target);
    expect(targets).not.toContain('203.0.113.20/32');
    expect(targets).not.toContain('203.0.113.21/32');
  });

  it('over its plausibility ceiling, a single flagged node opens an attack but no rule', async () => {
    await send(LISTED, flood('203.0.113.22', '127.11.0.22', 1000));
    await fg.waitFor('the attack on .22', async () =>
      (await attacks(fg)).some((a) => a.target === '203.0.113.22/32'),
    );
    const alert = await waitFor('the engine to alert on .22', async () => {
      const { records } = await getJson<{ records: AuditRecord[] }>(
        `${fg.api}/api/v1/audit?target=${encodeURIComponent('203.0.113.22/32')}`,
      );
      return records.find((r) => r.action === 'alert');
    });
    expect(alert.reason).toMatch(/flagged implausible: needs a second node/);
    const flagged = (await attacks(fg)).find((a) => a.target === '203.0.113.22/32');
    expect(flagged?.lastEvent.implausibleNodes).toEqual(['127.11.0.22']);
    const agent = (await exporters(fg)).exporters.find((e) => e.address === '127.11.0.22');
    expect(agent!.implausibleRecords).toBeGreaterThan(0);
    expect((await rules(fg)).map((r) => r.target)).not.toContain('203.0.113.22/32');
  });

  it('a listed exporter’s ordinary flood opens an attack and a rule; relayed agents are two exporters', async () => {
    await send(LISTED, flood('203.0.113.10', '127.11.0.21', 1000));
    const rule = await fg.waitFor('a rule for .10', async () =>
      (await rules(fg)).find((r) => r.target === '203.0.113.10/32'),
    );
    expect(rule.origin).toBe('auto');
    const attack = (await attacks(fg)).find((a) => a.target === '203.0.113.10/32');
    // the detector reports under the node name configured for the agent (flow.nodes), not the relay's address
    expect(attack?.lastEvent.node).toBe('pop-a');
    expect(attack?.lastEvent.implausibleNodes).toBeUndefined();
    const relayed = (await exporters(fg)).exporters.filter((e) => e.source === LISTED);
    expect(relayed.map((e) => e.address).sort()).toEqual(['127.11.0.21', '127.11.0.22', '127.11.0.23']);
    expect(relayed.map((e) => e.node).sort()).toEqual(['127.11.0.22', '127.11.0.23', 'pop-a']);
  });

  it('refuses a 16,000-field template and shows the refusal per exporter and in /healthz', async () => {
    const fields = 16_000;
    const d = Buffer.alloc(20 + 8 + fields * 4);
    d.writeUInt16BE(9, 0); // NetFlow v9 header (RFC 3954 §5.1)
    d.writeUInt16BE(1, 2);
    d.writeUInt32BE(Math.floor(Date.now() / 1000), 8);
    d.writeUInt16BE(0, 20); // template FlowSet
    d.writeUInt16BE(8 + fields * 4, 22);
    d.writeUInt16BE(300, 24);
    d.writeUInt16BE(fields, 26);
    for (let k = 0; k < fields; k++) d.writeUInt32BE(((1 + (k % 300)) << 16) | 4, 28 + k * 4);
    await send(LISTED, [d]);
    const e = await waitFor('the refusal to be counted', async () =>
      (await exporters(fg)).exporters.find((x) => x.address === LISTED && x.errors['template-too-large'] > 0),
    );
    expect(e.templates).toBe(0);
    const health = await getJson<{ checks: { flow: { refusals: Record<string, number> } } }>(
      `${fg.api}/healthz`,
    );
    expect(health.checks.flow.refusals['template-too-large']).toBeGreaterThanOrEqual(1);
  });
});
