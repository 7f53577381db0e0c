// The agent's report call over real TLS: the floodgate API (buildApi with api.tls) on 127.43.0.2 with a
// self-signed certificate made by openssl; the agent trusts it through agent.controller.caFile and its
// report is taken; without that CA the call fails (certificate not trusted); a silent server hits the
// deadline. Loopback 127.43.0.0/16.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../api/server.js';
import { AGENT_SECRET, type Fixture, openFixture } from '../api/testing.js';
import { httpPoster } from './http.js';
import { agentReportAnswerSchema } from './protocol.js';
import { selfSignedCertificate } from '../../test/support/tls.js';

const HOST = '127.43.0.2';

describe('agent reports over HTTPS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fgagent-tls-'));
  let fx: Fixture;
  let app: ReturnType<typeof buildApi>;
  let url: string;
  let cert: Buffer;

  beforeAll(async () => {
    selfSignedCertificate(dir, HOST, [`IP:${HOST}`]);
    cert = readFileSync(join(dir, 'cert.pem'));
    fx = await openFixture();
    app = buildApi(fx.ports, { https: { cert, key: readFileSync(join(dir, 'key.pem')) } });
    url = await app.listen({ host: HOST, port: 0 });
  });
  afterAll(async () => {
    await app?.close();
    await fx?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const body = JSON.stringify({ seq: 1, sentAt: Date.now(), version: 't', samplingRate: 100 });

  it('is taken when the agent trusts the controller’s certificate (caFile)', async () => {
    expect(url.startsWith('https://')).toBe(true);
    const post = httpPoster({ url, key: AGENT_SECRET, ca: cert, timeoutMs: 10_000 });
    const res = await post('/api/v1/agents/report', body);
    expect(res.status, res.body).toBe(200);
    const a = agentReportAnswerSchema.parse(JSON.parse(res.body));
    expect(a).toMatchObject({ agent: 'fixture-agent', accepted: 0, mitigations: [] });
    const wrongKey = await httpPoster({ url, key: 'fga_wrong', ca: cert, timeoutMs: 10_000 })(
      '/api/v1/agents/report',
      body,
    );
    expect(wrongKey.status).toBe(401);
  });

  it('fails without the CA, and at the deadline when nothing answers', async () => {
    await expect(
      httpPoster({ url, key: AGENT_SECRET, timeoutMs: 10_000 })('/api/v1/agents/report', body),
    ).rejects.toThrow(/self.signed|certificate/i);
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, HOST, () => r()));
    const port = (silent.address() as { port: number }).port;
    try {
      await expect(
        httpPoster({ url: `http://${HOST}:${port}`, key: 'k', timeoutMs: 300 })(
          '/api/v1/agents/report',
          body,
        ),
      ).rejects.toThrow(/no answer within 300 ms/);
    } finally {
      silent.close();
    }
    expect(() => httpPoster({ url: 'ftp://x', key: 'k', timeoutMs: 300 })).toThrow(/http:\/\/ or https:\/\//);
  });
});
