// HTTP bridge mode: one POST per command, form or text body, headers, and retryable classification.
import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exabgpConfigSchema } from '../config-daemons.js';
import { v4Blackhole } from '../../../test/adapters/daemons/harness/rules.js';
import { ExabgpAdapter } from './adapter.js';
import { HttpBridgeTransport } from './transport.js';
import { DryRunAdapter } from '../dry-run.js';

interface Seen {
  method?: string;
  url?: string;
  headers: IncomingMessage['headers'];
  body: string;
}

describe('ExaBGP HTTP bridge', () => {
  const seen: Seen[] = [];
  let status = 200;
  let server: Server;
  let url = '';

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, headers: req.headers, body });
        res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'OK\n' : 'busy\n');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/bridge`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('POSTs the full command as a form field with the configured headers, and audits it', async () => {
    const cfg = exabgpConfigSchema.parse({
      mode: 'http',
      http: { url, headers: { authorization: 'Bearer t' } },
    });
    const adapter = new ExabgpAdapter(cfg);
    const res = await adapter.announce(v4Blackhole);
    expect(res.ok).toBe(true);
    const cmd =
      'announce route 203.0.113.12/32 next-hop 100.64.0.1 community [ 65535:666 65535:65281 65040:7 ] large-community [ 65040:666:1 ]';
    expect(res.payload).toEqual({
      adapter: 'exabgp',
      transport: 'http',
      command: cmd,
      dryRun: false,
      answer: ['OK'],
    });
    const s = seen.at(-1)!;
    expect(s).toMatchObject({ method: 'POST', url: '/bridge' });
    expect(s.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(s.headers.authorization).toBe('Bearer t');
    expect(new URLSearchParams(s.body).get('command')).toBe(cmd);
    expect((await adapter.list()).map((h) => h.ruleId)).toEqual([v4Blackhole.id]);
    expect((await adapter.test()).status).toBe('up');
  });

  it('sends text bodies and classifies failures', async () => {
    const t = new HttpBridgeTransport({
      url,
      bodyFormat: 'text',
      field: 'command',
      headers: {},
      timeoutMs: 2000,
    });
    expect(await t.send('withdraw route 203.0.113.12/32')).toMatchObject({ ok: true });
    expect(seen.at(-1)?.body).toBe('withdraw route 203.0.113.12/32');
    status = 503;
    expect(await t.send('x')).toMatchObject({
      ok: false,
      retryable: true,
      error: 'bridge answered HTTP 503',
    });
    status = 400;
    expect(await t.send('x')).toMatchObject({ ok: false, retryable: false });
    status = 200;
    const dead = new HttpBridgeTransport({
      url: 'http://127.0.0.1:9/',
      bodyFormat: 'text',
      field: 'c',
      headers: {},
      timeoutMs: 500,
    });
    expect(await dead.send('x')).toMatchObject({ ok: false, retryable: true });
  });

  it('sends nothing in dry-run (the wrapper) but returns the payload', async () => {
    const n = seen.length;
    const inner = new ExabgpAdapter(exabgpConfigSchema.parse({ mode: 'http', http: { url } }));
    const res = await new DryRunAdapter('dry-run', Date.now, inner).announce({
      ...v4Blackhole,
      dryRun: true,
    });
    expect(res).toMatchObject({ ok: true, payload: { dryRun: true, target: { transport: 'http' } } });
    expect(seen.length).toBe(n);
  });
});
