// The adapter link and the `floodgate exabgp-api` relay together, with a scripted stand-in for exabgp
// on the relay's stdin/stdout (the real exabgp is in test/adapters/daemons/exabgp.test.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { parseLinkAddress } from './link-address.js';
import { ExabgpProcessLink } from './process-link.js';
import { runExabgpRelay } from './relay.js';

/** Fake exabgp: answers each command line like exabgp with `ack = true`. */
function fakeExabgp(
  stdout: PassThrough,
  stdin: PassThrough,
  answer: (cmd: string) => string[] | undefined,
): string[] {
  const seen: string[] = [];
  let buf = '';
  stdout.setEncoding('utf8');
  stdout.on('data', (d: string) => {
    buf += d;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const cmd = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      seen.push(cmd);
      const lines = answer(cmd);
      if (lines) stdin.write(lines.map((l) => l + '\n').join(''));
    }
  });
  return seen;
}

describe('ExaBGP process link ↔ exabgp-api relay', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it.each(['unix', 'tcp'])('relays commands and acks over %s', async (kind) => {
    const dir = mkdtempSync(join(tmpdir(), 'fgad-link-'));
    dirs.push(dir);
    const link = new ExabgpProcessLink(
      parseLinkAddress(kind === 'unix' ? `unix:${join(dir, 's')}` : 'tcp:127.0.0.1:0'),
      2000,
    );
    const where = await link.start();
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const seen = fakeExabgp(stdout, stdin, (cmd) =>
      cmd.startsWith('show')
        ? ['127.0.0.1 65001 0:00:01 established 1 1', 'done']
        : cmd.includes('bad')
          ? ['error']
          : ['done'],
    );
    const relay = runExabgpRelay(
      { link: parseLinkAddress(where), retryMs: 20 },
      { stdin, stdout, log: () => undefined },
    );
    await expect.poll(() => link.connected).toBe(true);

    expect(await link.send('announce route 203.0.113.1/32 next-hop 100.64.0.1')).toEqual({
      ok: true,
      lines: [],
    });
    expect(await link.send('show neighbor summary')).toEqual({
      ok: true,
      lines: ['127.0.0.1 65001 0:00:01 established 1 1'],
    });
    expect(await link.send('announce bad')).toMatchObject({ ok: false, error: 'exabgp answered error' });
    expect(await link.send('two\nlines')).toMatchObject({
      ok: false,
      error: 'command contains a line break',
    });
    expect(seen).toEqual([
      'announce route 203.0.113.1/32 next-hop 100.64.0.1',
      'show neighbor summary',
      'announce bad',
    ]);

    stdin.end(); // exabgp went away
    await relay;
    await expect.poll(() => link.connected).toBe(false);
    expect(await link.send('announce route 203.0.113.1/32 next-hop 100.64.0.1')).toMatchObject({
      ok: false,
      error: 'exabgp API process not connected',
    });
    await link.close();
  });

  it('times out a command exabgp never answers and drops the link to resync', async () => {
    const link = new ExabgpProcessLink(parseLinkAddress('tcp:127.0.0.1:0'), 150);
    const where = await link.start();
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    fakeExabgp(stdout, stdin, () => undefined);
    const relay = runExabgpRelay(
      { link: parseLinkAddress(where), retryMs: 20 },
      { stdin, stdout, log: () => undefined },
    );
    await expect.poll(() => link.connected).toBe(true);
    expect(await link.send('announce route 203.0.113.1/32 next-hop 100.64.0.1')).toMatchObject({
      ok: false,
      error: /no answer/,
    });
    // the relay dials again
    await expect.poll(() => link.connected).toBe(true);
    stdin.end();
    await relay;
    await link.close();
  });

  it('accepts only unix sockets and loopback TCP', () => {
    expect(parseLinkAddress('tcp:[::1]:9')).toEqual({ kind: 'tcp', host: '::1', port: 9 });
    expect(() => parseLinkAddress('tcp:10.0.0.1:9')).toThrow(/loopback/);
    expect(() => parseLinkAddress('http://x')).toThrow(/neither/);
  });
});
