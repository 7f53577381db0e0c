// BIRD adapter against a real BIRD 2 (127.0.40.3) peering iBGP with a receiving gobgpd (127.0.40.13,
// gRPC 50213): routes written to the include file and applied by `birdc configure` arrive field by
// field, withdrawals remove them, a restarted adapter recovers its set from the file, health goes red
// when bird stops.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BirdAdapter } from '../../../src/adapters/bird/adapter.js';
import { birdConfigSchema } from '../../../src/adapters/config-daemons.js';
import { startBird } from '../../support/daemons/bird.js';
import { type Daemon, tempDir } from '../../support/daemon.js';
import { waitFor } from '../../support/wait.js';
import { type Receiver, TEST_ASN, startReceiver } from '../../support/daemons/gobgpd.js';
import {
  expectDiversionRoundTrip,
  expectReceiverEmpty,
  expectReceiverHoldsTestRules,
} from './harness/expect-all.js';
import { FLOW_RULES, RTBH_RULES, v4Drop } from './harness/rules.js';

const SPEAKER = '127.0.40.3';
const RECEIVER = '127.0.40.13';

describe('BIRD adapter ↔ bird ↔ receiving gobgpd', () => {
  const dir = tempDir('bird');
  const socket = join(dir, 'bird.ctl');
  const cfg = birdConfigSchema.parse({
    name: 'bird-test',
    socket,
    includeFile: join(dir, 'floodgate.conf'),
    timeoutMs: 5000,
  });
  let receiver: Receiver;
  let bird: Daemon;
  let adapter: BirdAdapter;

  beforeAll(async () => {
    receiver = await startReceiver({ dir, address: RECEIVER, grpc: `${RECEIVER}:50213`, peers: [SPEAKER] });
    adapter = new BirdAdapter(cfg);
    await adapter.start(); // writes the empty include file bird.conf needs
    bird = startBird({
      dir,
      local: SPEAKER,
      peer: RECEIVER,
      asn: TEST_ASN,
      include: cfg.includeFile,
      socket,
    });
    await receiver.waitEstablished(SPEAKER);
  });

  afterAll(async () => {
    await adapter?.close();
    await bird?.stop();
    await receiver?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports the established session as health', async () => {
    const h = await waitFor(
      'bird adapter up',
      async () => ((await adapter.test()).status === 'up' ? adapter.health() : undefined),
      20_000,
    );
    expect(h.sessions).toEqual({ to_receiver: 'established' });
  });

  it('announces IPv4 and IPv6 FlowSpec and RTBH that the receiver holds field by field', async () => {
    for (const r of [...FLOW_RULES, ...RTBH_RULES]) {
      const res = await adapter.announce(r);
      expect(res.error).toBeUndefined();
      expect(res.ok).toBe(true);
    }
    await expectReceiverHoldsTestRules(receiver);
  });

  it('lists the routes bird holds, and a new adapter recovers them from the include file', async () => {
    const ids = [...FLOW_RULES, ...RTBH_RULES].map((r) => r.id).sort();
    expect((await adapter.list()).map((h) => h.ruleId).sort()).toEqual(ids);
    const again = new BirdAdapter(cfg);
    await again.start();
    expect((await again.list()).map((h) => h.ruleId).sort()).toEqual(ids);
  });

  it('keeps the running config when bird rejects the file', async () => {
    const before = readFileSync(cfg.includeFile, 'utf8');
    const res = await adapter.announce({
      ...v4Drop,
      id: 'bad',
      match: { ...v4Drop.match, dscp: [{ and: false, lt: false, gt: false, eq: true, value: 99999 }] },
    });
    expect(res.ok).toBe(false);
    expect(readFileSync(cfg.includeFile, 'utf8')).toBe(before);
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

  it('goes red when bird stops', async () => {
    await bird.stop();
    expect((await adapter.test()).status).toBe('down');
    expect(await adapter.announce(v4Drop)).toMatchObject({ ok: false, retryable: true });
  });
});
