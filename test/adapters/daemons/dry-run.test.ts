// Dry-run on every daemon adapter: the full payload comes back, nothing reaches a daemon (the command
// runner / transport would fail the test if called; the gRPC target does not exist).
import { describe, expect, it } from 'vitest';
import { BirdAdapter } from '../../../src/adapters/bird/adapter.js';
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
import { PROTO_DIR } from './harness/receiver.js';
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

describe('daemon adapters in dry-run', () => {
  const dry = [
    { ...v4Blackhole, dryRun: true },
    { ...v6Drop, dryRun: true },
  ];

  it('ExaBGP returns the command text', async () => {
    const a = new ExabgpAdapter(exabgpConfigSchema.parse({}), { transport: noTransport });
    const r = await a.announce(dry[0]!);
    expect(r).toMatchObject({
      ok: true,
      payload: { dryRun: true, command: expect.stringMatching(/^announce route 203\.0\.113\.12\/32 /) },
    });
    expect((await a.withdraw(dry[1]!)).payload).toMatchObject({
      command: expect.stringMatching(/^withdraw flow route /),
    });
  });

  it('GoBGP returns the rendered Path', async () => {
    const a = new GobgpAdapter(
      gobgpConfigSchema.parse({ target: 'unix:///nonexistent/gobgp.sock', protoDir: PROTO_DIR }),
    );
    for (const r of dry) {
      const res = await a.announce(r);
      expect(res).toMatchObject({ ok: true, payload: { call: 'AddPath', dryRun: true } });
      expect((res.payload as { path: { nlri: unknown } }).path.nlri).toBeDefined();
    }
    await a.close();
  });

  it('BIRD returns the route and the whole file it would write', async () => {
    const a = new BirdAdapter(birdConfigSchema.parse({ includeFile: '/nonexistent/floodgate.conf' }), {
      run: forbidden,
    });
    const r = await a.announce(dry[0]!);
    expect(r).toMatchObject({ ok: true, payload: { protocol: 'floodgate_rtbh4', dryRun: true } });
    expect((r.payload as { file: string }).file).toContain('route 203.0.113.12/32 blackhole {');
  });

  it('FRR returns the vtysh lines', async () => {
    const a = new FrrAdapter(frrConfigSchema.parse({ asn: 65040 }), { run: forbidden });
    const r = await a.announce(dry[0]!);
    expect(r).toMatchObject({ ok: true, payload: { dryRun: true } });
    expect((r.payload as { lines: string[] }).lines).toContain('ip route 203.0.113.12/32 blackhole tag 100');
  });
});
