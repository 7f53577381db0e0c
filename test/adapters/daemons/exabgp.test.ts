// ExaBGP adapter against a real exabgp 4.2 (127.0.40.5) whose API process is `floodgate exabgp-api`,
// peering iBGP with a receiving gobgpd (127.0.40.15, gRPC 50215): IPv4/IPv6 FlowSpec and RTBH arrive
// field by field, withdrawals remove them, health follows the session and goes red when exabgp stops.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExabgpAdapter } from '../../../src/adapters/exabgp/adapter.js';
import { exabgpConfigSchema } from '../../../src/adapters/config-daemons.js';
import { startExabgp } from '../../support/daemons/exabgp.js';
import { type Daemon, tempDir } from '../../support/daemon.js';
import { waitFor } from '../../support/wait.js';
import { type Receiver, TEST_ASN, startReceiver } from '../../support/daemons/gobgpd.js';
import {
  expectDiversionRoundTrip,
  expectReceiverEmpty,
  expectReceiverHoldsTestRules,
} from './harness/expect-all.js';
import { FLOW_RULES, RTBH_RULES, v4Drop } from './harness/rules.js';

const SPEAKER = '127.0.40.5';
const RECEIVER = '127.0.40.15';

describe('ExaBGP adapter ↔ floodgate exabgp-api ↔ exabgp ↔ receiving gobgpd', () => {
  const dir = tempDir('exabgp');
  const link = `unix:${join(dir, 'link.sock')}`;
  let receiver: Receiver;
  let exabgp: Daemon;
  let adapter: ExabgpAdapter;

  beforeAll(async () => {
    receiver = await startReceiver({ dir, address: RECEIVER, grpc: `${RECEIVER}:50215`, peers: [SPEAKER] });
    adapter = new ExabgpAdapter(
      exabgpConfigSchema.parse({ name: 'exabgp-test', listen: link, timeoutMs: 5000 }),
    );
    await adapter.start();
    exabgp = startExabgp({ dir, local: SPEAKER, peer: RECEIVER, asn: TEST_ASN, link });
    await receiver.waitEstablished(SPEAKER);
    await waitFor('exabgp-api relay connected', () => adapter.transport.ready || undefined, 20_000);
  });

  afterAll(async () => {
    await exabgp?.stop();
    await adapter?.close();
    await receiver?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports the established session as health', async () => {
    const h = await waitFor(
      'exabgp adapter up',
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
      expect((res.payload as { command: string }).command).toMatch(/^announce (flow )?route /);
    }
    await expectReceiverHoldsTestRules(receiver);
  });

  it("lists exabgp's adj-rib-out with rule ids", async () => {
    const held = await adapter.list();
    expect(held.map((h) => h.ruleId).sort()).toEqual([...FLOW_RULES, ...RTBH_RULES].map((r) => r.id).sort());
  });

  it('withdraws every route', async () => {
    for (const r of [...FLOW_RULES, ...RTBH_RULES]) {
      const res = await adapter.withdraw(r);
      expect(res.error).toBeUndefined();
    }
    await expectReceiverEmpty(receiver);
    expect(await adapter.list()).toEqual([]);
  });

  it('carries a scrubbing diversion: the covering prefix with its communities and next hop', async () => {
    await expectDiversionRoundTrip(adapter, receiver);
  });

  it("passes exabgp's refusal back as a non-retryable failure", async () => {
    const res = await adapter.announce({
      ...v4Drop,
      id: 'bad-rt',
      actions: [{ kind: 'redirect-vrf', routeTarget: '65040:99999999999' }],
    });
    expect(res.ok).toBe(false);
  });

  it('goes red when exabgp stops', async () => {
    await exabgp.stop();
    await waitFor('relay disconnected', () => !adapter.transport.ready || undefined, 10_000);
    expect((await adapter.test()).status).toBe('down');
    expect(adapter.health().status).toBe('down');
    expect(await adapter.announce(v4Drop)).toMatchObject({ ok: false, retryable: true });
  });
});
