// flow.receiver when the addon is absent (no compiler at npm install, not Linux): 'auto' receives with
// node:dgram, 'native' refuses to start with the reason. The loader is replaced by one that finds nothing.
import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { FlowCollector } from '../../src/flow/collector.js';
import type * as NativeReceive from '../../src/flow/native-receive.js';
import { waitFor } from '../support/wait.js';

vi.mock('../../src/flow/native-receive.js', async (orig) => ({
  ...(await orig<typeof NativeReceive>()),
  nativeAddon: () => ({ reason: 'cannot load the native receiver (test: no addon built)' }),
}));

const HOST = '127.0.103.20';
let collector: FlowCollector | undefined;
afterEach(async () => {
  await collector?.stop();
  collector = undefined;
});

describe('flow.receiver without the native addon', () => {
  it("'auto' falls back to node:dgram and receives", async () => {
    collector = new FlowCollector({
      listen: [{ address: HOST, port: 0 }],
      receiver: 'auto',
      onBatch: () => undefined,
    });
    const [bound] = await collector.start();
    expect(collector.receiverKind).toBe('dgram');
    const s = createSocket('udp4');
    await new Promise<void>((r) => s.send(Buffer.alloc(8), bound!.port, HOST, () => r()));
    s.close();
    const c = collector;
    // eight zero octets are no flow format: counted as a datagram (and a decode error), which is all we need
    await waitFor('the datagram', () => c.stats().datagrams === 1);
  });

  it("'native' refuses to start, saying why", async () => {
    collector = new FlowCollector({
      listen: [{ address: HOST, port: 0 }],
      receiver: 'native',
      onBatch: () => undefined,
    });
    await expect(collector.start()).rejects.toThrow(
      "flow.receiver is 'native' but cannot load the native receiver (test: no addon built)",
    );
  });
});

describe('scripts/build-native.mjs (the npm install step)', () => {
  const script = fileURLToPath(new URL('../../scripts/build-native.mjs', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'fg-native-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('without a working compiler prints one line and exits 0 (npm install must not fail)', () => {
    const out = join(dir, 'none.node');
    const r = spawnSync(process.execPath, [script, out], { env: { ...process.env, CC: '/nonexistent/cc' } });
    expect(r.status).toBe(0);
    expect(String(r.stdout).trim()).toMatch(
      /^floodgate: native receiver unavailable \(.*\); node:dgram will be used$/,
    );
    expect(existsSync(out)).toBe(false);
  });

  it.runIf(process.platform === 'linux')('with one builds an addon that loads', async () => {
    const out = join(dir, 'recvmmsg.node');
    const r = spawnSync(process.execPath, [script, out], { timeout: 120_000 });
    expect(r.status).toBe(0);
    expect(String(r.stdout)).toMatch(/native receiver built/);
    const { loadNativeAddon } = await vi.importActual<typeof NativeReceive>(
      '../../src/flow/native-receive.js',
    );
    expect(typeof loadNativeAddon(out).addon?.open).toBe('function');
  });
});
