// Engine failover between real daemons: a MitigationRunner (dryRun off) drives two adapters in
// preference order, A = GoBGP (gobgpd 127.0.90.2, gRPC 50401) and B = BIRD 2 (127.0.90.3), both peering
// iBGP with a receiving gobgpd (127.0.90.1, gRPC 50400). A manual rule lands in the router via A; once
// A's gobgpd stops, an announce fails over from A's error to B even while A's last known health is
// still up, A's health goes red on its next test, and new rules go straight to B; the decision record
// and the audit name B, and the router holds the routes from BIRD.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BirdAdapter } from '../../../src/adapters/bird/adapter.js';
import { birdConfigSchema, gobgpConfigSchema } from '../../../src/adapters/config-daemons.js';
import { GobgpAdapter } from '../../../src/adapters/gobgp/adapter.js';
import type { ListedPath } from '../../../src/adapters/gobgp/client.js';
import type { Rule } from '../../../src/domain/rule.js';
import { parseMitigationConfig } from '../../../src/mitigation/config.js';
import { MemoryStore } from '../../../src/store/memory.js';
import { type DecisionRecord, MitigationRunner } from '../../../src/engine-shell/runner.js';
import { startBird } from '../../support/daemons/bird.js';
import { FS4, expectFlowPath, findFlow } from './harness/expect-rib.js';
import { type Daemon, tempDir } from '../../support/daemon.js';
import { waitFor } from '../../support/wait.js';
import {
  PROTO_DIR,
  type Receiver,
  TEST_ASN,
  startAdapterGobgpd,
  startReceiver,
} from '../../support/daemons/gobgpd.js';
import { DryRunAdapter } from '../../../src/adapters/dry-run.js';

const RECEIVER = '127.0.90.1';
const A_ADDR = '127.0.90.2';
const B_ADDR = '127.0.90.3';
const A_NAME = 'gobgp-a';
const B_NAME = 'bird-b';

describe('engine failover: GoBGP (A) → BIRD 2 (B), both peering a receiving gobgpd', () => {
  const dir = tempDir('failover');
  const store = new MemoryStore();
  const decisions: DecisionRecord[] = [];
  const birdCfg = birdConfigSchema.parse({
    name: B_NAME,
    socket: join(dir, 'bird.ctl'),
    includeFile: join(dir, 'floodgate.conf'),
    timeoutMs: 5000,
  });
  let receiver: Receiver;
  let gobgpd: Daemon;
  let bird: Daemon;
  let a: GobgpAdapter;
  let b: BirdAdapter;
  let runner: MitigationRunner;

  /** The runner's carried-out announce of a rule (the record with the adapter that took it). */
  const announced = (rule: Rule): DecisionRecord | undefined =>
    decisions.find((d) => d.action === 'announce' && d.ruleId === rule.id && d.adapter !== undefined);

  /** Manual "drop UDP to port 53" rule, announced by the runner; resolves once every call is done. */
  async function dropDns(target: string): Promise<Rule> {
    const res = await runner.addRule(
      { target, intent: 'drop', protocol: 17, port: 53, reason: 'failover interop' },
      'test',
    );
    if (!res.ok) throw new Error(`addRule ${target} refused: ${res.code} ${res.reason}`);
    expect(res.queued).toBe(false);
    await runner.idle();
    return res.rule;
  }

  /** The router's IPv4 FlowSpec route for this rule once present, learnt from `from`. */
  const routeAt = (rule: Rule, from: string): Promise<ListedPath> =>
    waitFor(`${rule.target} at the router from ${from}`, async () => {
      const p = findFlow(await receiver.rib(FS4), rule);
      return p?.neighborIp === from ? p : undefined;
    });

  beforeAll(async () => {
    receiver = await startReceiver({
      dir,
      address: RECEIVER,
      grpc: `${RECEIVER}:50400`,
      peers: [A_ADDR, B_ADDR],
    });
    gobgpd = startAdapterGobgpd({
      dir,
      name: 'speaker-a',
      address: A_ADDR,
      routerId: '10.255.90.2',
      receiver: RECEIVER,
      api: `${A_ADDR}:50401`,
    });
    a = new GobgpAdapter(
      gobgpConfigSchema.parse({
        name: A_NAME,
        target: `${A_ADDR}:50401`,
        protoDir: PROTO_DIR,
        timeoutMs: 3000,
      }),
    );
    b = new BirdAdapter(birdCfg);
    await b.start(); // the empty include file bird.conf needs
    bird = startBird({
      dir,
      local: B_ADDR,
      peer: RECEIVER,
      asn: TEST_ASN,
      include: birdCfg.includeFile,
      socket: birdCfg.socket,
    });
    await receiver.waitEstablished(A_ADDR);
    await receiver.waitEstablished(B_ADDR);
    // As the app does at start: a first connectivity test scores every adapter before the engine runs.
    await waitFor('both adapters up', async () => {
      const [ha, hb] = await Promise.all([a.test(), b.test()]);
      return ha.status === 'up' && hb.status === 'up';
    });
    runner = new MitigationRunner({
      config: parseMitigationConfig({
        dryRun: false,
        tenants: { lab: { networks: ['203.0.113.0/24'] } },
        guards: { allowSpecialPurpose: ['203.0.113.0/24'] },
      }),
      store,
      adapters: [a, b],
      dryRunAdapter: new DryRunAdapter(),
      timer: false,
      onDecision: (d) => decisions.push(d),
    });
    await runner.start();
  });

  afterAll(async () => {
    await runner?.stop();
    await a?.close();
    await b?.close();
    await gobgpd?.stop();
    await bird?.stop();
    await receiver?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  let first: Rule;

  it('places a manual rule on the preferred adapter A; the router holds it from gobgpd', async () => {
    first = await dropDns('203.0.113.40/32');
    expect(first).toMatchObject({ target: '203.0.113.40/32', intent: 'drop', tenant: 'lab', dryRun: false });
    expect(announced(first)).toMatchObject({ adapter: A_NAME, ok: true, target: first.target });
    const p = await routeAt(first, A_ADDR);
    expectFlowPath(p, first); // destination, protocol 17, dport 53 and traffic-rate 0, field by field
    expect(p.nlri.rules).toContainEqual(
      expect.objectContaining({ type: 3, items: [expect.objectContaining({ value: 17 })] }),
    );
    expect(p.nlri.rules).toContainEqual(
      expect.objectContaining({ type: 5, items: [expect.objectContaining({ value: 53 })] }),
    );
    const audit = await store.audit.query({ ruleId: first.id, action: 'announce' });
    expect(audit.map((r) => r.adapter)).toContain(A_NAME);
    expect(await b.list()).toEqual([]);
  });

  it("fails over on A's error when gobgpd stops before anyone re-tests its health", async () => {
    await gobgpd.stop();
    expect(a.health().status).toBe('up'); // last known health: nothing has polled A since it died
    const failuresOnA = runner.stats().adapters[A_NAME]?.failures ?? 0;
    const rule = await dropDns('203.0.113.42/32');
    // one announce: A was tried first and failed, B carried it in the same call
    expect(runner.stats().adapters[A_NAME]?.failures).toBe(failuresOnA + 1);
    expect(announced(rule)).toMatchObject({ adapter: B_NAME, ok: true, target: rule.target });
    expectFlowPath(await routeAt(rule, B_ADDR), rule);
  });

  it("goes red once A's connectivity test runs", async () => {
    expect((await a.test()).status).toBe('down');
    expect(a.health().status).toBe('down');
    expect((await b.test()).status).toBe('up');
    // the dead speaker's session is gone, and with it the route it carried
    await waitFor('router drops the route of the dead speaker', async () =>
      findFlow(await receiver.rib(FS4), first) === undefined ? true : undefined,
    );
  });

  it('announces the next rule through B: the router holds it from BIRD, the audit names B', async () => {
    const callsOnA = runner.stats().adapters[A_NAME]?.calls;
    const rule = await dropDns('203.0.113.41/32');
    const rec = announced(rule);
    expect(rec).toMatchObject({
      action: 'announce',
      adapter: B_NAME,
      ok: true,
      target: '203.0.113.41/32',
      intent: 'drop',
      dryRun: false,
    });
    // A scores below B (health down, last call failed): it was not even tried
    expect(runner.stats().adapters[A_NAME]?.calls).toBe(callsOnA);
    const audit = await store.audit.query({ ruleId: rule.id, action: 'announce' });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ adapter: B_NAME, target: rule.target, dryRun: false });
    expect(JSON.stringify(audit[0]?.payload)).toContain('203.0.113.41/32'); // BIRD's route text is audited
    expectFlowPath(await routeAt(rule, B_ADDR), rule);
    expect((await b.list()).map((h) => h.ruleId)).toContain(rule.id);
    expect(runner.listRules('lab').active.find((r) => r.id === rule.id)?.state).toBe('announced');
  });

  it('the health check moves the rule stranded on dead A to B, and the router holds it again', async () => {
    await runner.checkAdapters();
    const rehomed = (await store.audit.query({ ruleId: first.id, action: 'announce' })).find((r) =>
      r.reason.startsWith('re-homed'),
    );
    expect(rehomed).toMatchObject({ adapter: B_NAME, target: first.target, dryRun: false });
    expect(rehomed?.reason).toBe(`re-homed: adapter ${A_NAME} is down — now on ${B_NAME}`);
    expectFlowPath(await routeAt(first, B_ADDR), first);
    expect((await b.list()).map((h) => h.ruleId)).toContain(first.id);
  });
});
