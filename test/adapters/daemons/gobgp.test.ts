// GoBGP adapter against a real gobgpd (127.0.40.2, gRPC 50202) peering iBGP with a receiving gobgpd
// (127.0.40.11, gRPC 50211): IPv4/IPv6 FlowSpec and RTBH arrive field by field, withdrawals remove them,
// health follows the session and goes red when the daemon stops.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GobgpAdapter } from '../../../src/adapters/gobgp/adapter.js';
import { gobgpConfigSchema } from '../../../src/adapters/config-daemons.js';
import { type Daemon, tempDir } from '../../support/daemon.js';
import { waitFor } from '../../support/wait.js';
import { PROTO_DIR, type Receiver, startAdapterGobgpd, startReceiver } from '../../support/daemons/gobgpd.js';
import {
  expectDiversionRoundTrip,
  expectReceiverEmpty,
  expectReceiverHoldsTestRules,
} from './harness/expect-all.js';
import { FLOW_RULES, RTBH_RULES, v4Drop } from './harness/rules.js';

const SPEAKER = '127.0.40.2';
const RECEIVER = '127.0.40.11';

describe('GoBGP adapter ↔ gobgpd ↔ receiving gobgpd', () => {
  const dir = tempDir('gobgp');
  let receiver: Receiver;
  let speaker: Daemon;
  let adapter: GobgpAdapter;

  beforeAll(async () => {
    receiver = await startReceiver({ dir, address: RECEIVER, grpc: `${RECEIVER}:50211`, peers: [SPEAKER] });
    speaker = startAdapterGobgpd({
      dir,
      name: 'speaker',
      address: SPEAKER,
      routerId: '10.255.40.2',
      receiver: RECEIVER,
      api: `${SPEAKER}:50202`,
    });
    adapter = new GobgpAdapter(
      gobgpConfigSchema.parse({
        name: 'gobgp-test',
        target: `${SPEAKER}:50202`,
        protoDir: PROTO_DIR,
        timeoutMs: 3000,
      }),
    );
    await receiver.waitEstablished(SPEAKER);
  });

  afterAll(async () => {
    await adapter?.close();
    await speaker?.stop();
    await receiver?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports the established session as health', async () => {
    const h = await waitFor(
      'gobgp adapter up',
      async () => ((await adapter.test()).status === 'up' ? adapter.health() : undefined),
      20_000,
    );
    expect(h.sessions).toEqual({ [RECEIVER]: 'established' });
  });

  it('announces IPv4 and IPv6 FlowSpec and RTBH that the receiver holds field by field', async () => {
    for (const r of [...FLOW_RULES, ...RTBH_RULES]) {
      const res = await adapter.announce(r);
      expect(res.error).toBeUndefined();
      expect(res.ok).toBe(true);
      expect((res.payload as { path: unknown }).path).toBeDefined();
    }
    await expectReceiverHoldsTestRules(receiver);
  });

  it('lists what it put into gobgpd, with rule ids', async () => {
    const held = await adapter.list();
    expect(held.map((h) => h.ruleId).sort()).toEqual([...FLOW_RULES, ...RTBH_RULES].map((r) => r.id).sort());
    expect(held.find((h) => h.ruleId === v4Drop.id)?.target).toBe(v4Drop.target);
  });

  it('withdraws every route', async () => {
    for (const r of [...FLOW_RULES, ...RTBH_RULES]) expect((await adapter.withdraw(r)).ok).toBe(true);
    await expectReceiverEmpty(receiver);
    expect(await adapter.list()).toEqual([]);
  });

  it('carries a scrubbing diversion: the covering prefix with its communities, its next hop', async () => {
    await expectDiversionRoundTrip(adapter, receiver);
  });

  it('refuses what gobgpd cannot carry without sending anything', async () => {
    const res = await adapter.announce({
      ...v4Drop,
      id: 'pkts',
      actions: [{ kind: 'traffic-rate-packets', asn: 0, packetsPerSecond: 10 }],
    });
    expect(res).toMatchObject({ ok: false, retryable: false });
    expect(res.error).toMatch(/^unsupported-action/);
  });

  it('goes red when gobgpd stops', async () => {
    await speaker.stop();
    const h = await adapter.test();
    expect(h.status).toBe('down');
    expect(adapter.health().status).toBe('down');
    const res = await adapter.announce(v4Drop);
    expect(res).toMatchObject({ ok: false, retryable: true });
  });
});
