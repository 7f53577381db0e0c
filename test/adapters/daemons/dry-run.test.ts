// Dry-run wrapped around every daemon adapter: the daemon's full rendering comes back, nothing reaches a
// daemon (the command runner / transport would fail the test if called; the gRPC target does not exist).
import { describe, expect, it } from 'vitest';
import { BirdAdapter } from '../../../src/adapters/bird/adapter.js';
import { DryRunAdapter } from '../../../src/adapters/dry-run.js';
import type { Adapter } from '../../../src/domain/adapter-port.js';
import {
  birdConfigSchema,
  exabgpConfigSchema,
  frrConfigSchema,
  gobgpConfigSchema,
} from '../../../src/adapters/config-daemons.js';
import type { CommandRunner } from '../../../src/adapters/daemons-common/exec.js';
import { ExabgpAdapter } from '../../../src/adapters/exabgp/adapter.js';
import type { ExabgpTransport } from '../../../src/adapters/exabgp/transport.js';
import { FrrAdapter } from '../../../src/adapters/frr/adapter.js';
import { GobgpAdapter } from '../../../src/adapters/gobgp/adapter.js';
import { PROTO_DIR } from '../../support/daemons/gobgpd.js';
import { v4Blackhole, v6Drop } from './harness/rules.js';

const forbidden: CommandRunner = async (file) => {
  throw new Error(`dry-run ran ${file}`);
};
const noTransport: ExabgpTransport = {
  mode: 'process',
  ready: true,
  canQuery: true,
  start: async () => undefined,
  send: async (c) => {
    throw new Error(`dry-run sent ${c}`);
  },
  close: async () => undefined,
};

const dryRun = (a: Adapter) => new DryRunAdapter('dry-run', Date.now, a);

describe('daemon adapters in dry-run', () => {
  const dry = [
    { ...v4Blackhole, dryRun: true },
    { ...v6Drop, dryRun: true },
  ];

  it('ExaBGP returns the command text', async () => {
    const a = dryRun(new ExabgpAdapter(exabgpConfigSchema.parse({}), { transport: noTransport }));
    const r = await a.announce(dry[0]!);
    expect(r).toMatchObject({
      ok: true,
      payload: {
        dryRun: true,
        target: { command: expect.stringMatching(/^announce route 203\.0\.113\.12\/32 /) },
      },
    });
    expect((await a.withdraw(dry[1]!)).payload).toMatchObject({
      target: { command: expect.stringMatching(/^withdraw flow route /) },
    });
  });

  it('GoBGP returns the rendered Path', async () => {
    const inner = new GobgpAdapter(
      gobgpConfigSchema.parse({ target: 'unix:///nonexistent/gobgp.sock', protoDir: PROTO_DIR }),
    );
    const a = dryRun(inner);
    for (const r of dry) {
      const res = await a.announce(r);
      expect(res).toMatchObject({ ok: true, payload: { dryRun: true, target: { call: 'AddPath' } } });
      expect((res.payload as { target: { path: { nlri: unknown } } }).target.path.nlri).toBeDefined();
    }
    await inner.close();
  });

  it('BIRD returns the route and the whole file it would write', async () => {
    const a = dryRun(
      new BirdAdapter(birdConfigSchema.parse({ includeFile: '/nonexistent/floodgate.conf' }), {
        run: forbidden,
      }),
    );
    const r = await a.announce(dry[0]!);
    expect(r).toMatchObject({ ok: true, payload: { dryRun: true, target: { protocol: 'floodgate_rtbh4' } } });
    expect((r.payload as { target: { file: string } }).target.file).toContain(
      'route 203.0.113.12/32 blackhole {',
    );
  });

  it('FRR returns the vtysh lines', async () => {
    const a = dryRun(new FrrAdapter(frrConfigSchema.parse({ asn: 65040 }), { run: forbidden }));
    const r = await a.announce(dry[0]!);
    expect(r).toMatchObject({ ok: true, payload: { dryRun: true } });
    expect((r.payload as { target: { lines: string[] } }).target.lines).toContain(
      'ip route 203.0.113.12/32 blackhole tag 100',
    );
  });

  it('a rule the target cannot render fails in dry-run as it would for real', async () => {
    const a = dryRun(new FrrAdapter(frrConfigSchema.parse({ asn: 65040 }), { run: forbidden }));
    const r = await a.announce({ ...dry[0]!, intent: 'geo-lockdown' });
    expect(r).toMatchObject({ ok: false, retryable: false, payload: { dryRun: true } });
    expect(await a.list()).toEqual([]);
  });
});
