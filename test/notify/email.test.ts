// Email channel against a real SMTP server started by the test (smtp-server): STARTTLS with a
// throwaway self-signed certificate that the channel trusts through caFile, AUTH PLAIN, and the
// message parsed back with mailparser (plain text and HTML alternatives).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attackLife, harness, rule } from './harness.js';
import { selfSignedCertificate } from '../support/tls.js';

const HOST = '127.16.0.3';

interface Received {
  mail: ParsedMail;
  secure: boolean;
  user: unknown;
}

describe('email over SMTP with STARTTLS and AUTH', () => {
  let dir: string;
  let server: SMTPServer;
  let port: number;
  const received: Received[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fg-smtp-'));
    selfSignedCertificate(dir, 'smtp.test', ['DNS:smtp.test', `IP:${HOST}`]);
    server = new SMTPServer({
      secure: false, // plaintext greeting, STARTTLS advertised because key+cert are set
      key: readFileSync(join(dir, 'key.pem')),
      cert: readFileSync(join(dir, 'cert.pem')),
      authMethods: ['PLAIN', 'LOGIN'],
      logger: false,
      closeTimeout: 1000,
      onAuth(auth, _session, cb) {
        if (auth.username === 'alerts' && auth.password === 's3cret') return cb(null, { user: 'alerts' });
        cb(new Error('Invalid username or password'));
      },
      onData(stream, session, cb) {
        simpleParser(stream).then(
          (mail) => {
            received.push({ mail, secure: session.secure, user: session.user });
            cb();
          },
          (err: Error) => cb(err),
        );
      },
    });
    await new Promise<void>((r) => server.listen(0, HOST, () => r()));
    port = (server.server.address() as { port: number }).port;
  });

  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  const channel = (over: Record<string, unknown>) => ({
    type: 'email',
    name: 'mail',
    host: HOST,
    port,
    user: 'alerts',
    pass: 's3cret',
    from: 'floodgate@example.test',
    to: ['noc@example.test', 'oncall@example.test'],
    caFile: join(dir, 'cert.pem'),
    servername: 'smtp.test',
    retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 10_000, maxRetryAfterMs: 1000 },
    ...over,
  });

  it('delivers plain text and HTML after upgrading with STARTTLS and authenticating', async () => {
    const h = await harness({
      runbooks: { default: 'https://runbooks.example/ddos' },
      channels: [channel({})],
    });
    h.rules.set('r1', rule('r1', '203.0.113.10/32'));
    const [start] = attackLife('203.0.113.10/32', Date.now(), 'r1', 'udp 3.1 Gbps from port 53 <script>');
    h.bus.publish(start!);
    await h.notifier.idle();
    expect(await h.notifier.listDeadLetters()).toEqual([]);
    expect(received).toHaveLength(1);
    const { mail, secure, user } = received[0]!;
    expect(secure).toBe(true); // STARTTLS happened before the message
    expect(user).toBe('alerts');
    expect(mail.subject).toBe(
      '[floodgate critical] DNS amplification attack on 203.0.113.10/32 (3.1 Gbit/s)',
    );
    expect(mail.from?.text).toBe('floodgate@example.test');
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.text : '').toBe(
      'noc@example.test, oncall@example.test',
    );
    expect(mail.text).toContain('udp 3.1 Gbps from port 53 <script>');
    expect(mail.text).toContain('Runbook: https://runbooks.example/ddos');
    expect(mail.html).toContain('&lt;script&gt;'); // escaped in the HTML part
    expect(mail.html).not.toContain('<script>');
    await h.notifier.stop();
  });

  it('a wrong password is a final failure in the dead-letter list, not a retry loop', async () => {
    const h = await harness({ channels: [channel({ pass: 'wrong' })] });
    h.bus.publish(attackLife('203.0.113.11/32', Date.now(), 'r2')[0]!);
    await h.notifier.idle();
    const [dead] = await h.notifier.listDeadLetters();
    expect(dead).toMatchObject({ channel: 'mail', attempts: 1 });
    expect(dead!.error).toMatch(/535|Invalid username or password/);
    await h.notifier.stop();
  });

  it('refuses to send in clear when the certificate is not trusted', async () => {
    const h = await harness({ channels: [channel({ caFile: '' })] });
    h.bus.publish(attackLife('203.0.113.12/32', Date.now(), 'r3')[0]!);
    await h.notifier.idle();
    const [dead] = await h.notifier.listDeadLetters();
    expect(dead?.error).toMatch(/certificate/i);
    await h.notifier.stop();
  });
});
