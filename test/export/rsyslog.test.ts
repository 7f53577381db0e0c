// Syslog export into a real rsyslogd (RIG.md §14) started by the test: UDP, TCP (octet counting) and TLS
// (RFC 5425, server certificate from a CA the test generates with openssl), RFC 5424 and RFC 3164 headers,
// CEF, LEEF and JSON (Wazuh) payloads. Each message must arrive byte for byte, and rsyslog's own parser
// must read our header fields (host, app name, msgid) back as we meant them.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syslogSinkSchema, type SyslogSinkConfig } from '../../src/export/config.js';
import { toExportEvent, type ExportEvent } from '../../src/export/event.js';
import { SyslogSink, syslogMessage } from '../../src/export/syslog.js';
import { attack } from './fixtures.js';
import { requireBinary, startProcess, stopProcess, type Proc } from '../support/daemon.js';
import { certificateAuthority } from '../support/tls.js';
import { waitFor } from '../support/wait.js';

const HOST = '127.15.0.10';
const PLAIN = 15514;
const TLS = 16514;

const tcpOpen = (port: number) =>
  new Promise<boolean>((r) => {
    const s = net.connect(port, HOST);
    s.once('connect', () => {
      s.destroy();
      r(true);
    });
    s.once('error', () => r(false));
  });

describe('syslog export into a real rsyslogd', () => {
  let dir: string;
  let caFile: string;
  let rsyslog: Proc | undefined;

  beforeAll(async () => {
    requireBinary('/usr/sbin/rsyslogd', 'rsyslog');
    requireBinary('/usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_ossl.so', 'rsyslog-openssl');
    dir = join(tmpdir(), `fg-rsyslog-${process.pid}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, 'work'), { recursive: true });
    const ca = certificateAuthority(dir, 'floodgate test CA');
    caFile = ca.caFile;
    const server = ca.issueServer('server', 'syslog.test', ['DNS:syslog.test', `IP:${HOST}`]);
    writeFileSync(
      join(dir, 'rsyslog.conf'),
      `global(workDirectory="${dir}/work" maxMessageSize="64k" parser.escapeControlCharactersOnReceive="off")
module(load="imudp")
module(load="imtcp")
template(name="raw" type="string" string="%rawmsg%\\n")
template(name="parsed" type="string" string="%app-name%|%hostname%|%msgid%|%syslogseverity%|%syslogfacility%\\n")
ruleset(name="remote") {
  action(type="omfile" file="${dir}/raw.log" template="raw")
  action(type="omfile" file="${dir}/parsed.log" template="parsed")
}
input(type="imudp" address="${HOST}" port="${PLAIN}" ruleset="remote")
input(type="imtcp" address="${HOST}" port="${PLAIN}" ruleset="remote")
input(type="imtcp" address="${HOST}" port="${TLS}" ruleset="remote"
      streamDriver.name="ossl" streamDriver.mode="1" streamDriver.authMode="anon"
      streamDriver.CAFile="${caFile}" streamDriver.CertFile="${server.certFile}" streamDriver.KeyFile="${server.keyFile}")
`,
    );
    rsyslog = startProcess('/usr/sbin/rsyslogd', [
      '-n',
      '-f',
      join(dir, 'rsyslog.conf'),
      '-i',
      join(dir, 'rsyslogd.pid'),
    ]);
    // a bad TLS input is skipped, not fatal: probe both ports
    await waitFor('rsyslogd listening', async () => (await tcpOpen(PLAIN)) && (await tcpOpen(TLS)), 20_000);
  }, 60_000);

  afterAll(async () => {
    await stopProcess(rsyslog);
    if (dir && !process.env.KEEP) rmSync(dir, { recursive: true, force: true });
  });

  const cases: [string, Partial<SyslogSinkConfig>][] = [
    ['udp-5424-cef', { transport: 'udp', protocol: 'rfc5424', payload: 'cef', port: PLAIN }],
    ['udp-3164-cef', { transport: 'udp', protocol: 'rfc3164', payload: 'cef', port: PLAIN }],
    ['tcp-3164-leef', { transport: 'tcp', protocol: 'rfc3164', payload: 'leef', port: PLAIN }],
    ['tcp-5424-leef', { transport: 'tcp', protocol: 'rfc5424', payload: 'leef', port: PLAIN }],
    ['tls-5424-cef', { transport: 'tls', protocol: 'rfc5424', payload: 'cef', port: TLS }],
    ['tls-5424-json', { transport: 'tls', protocol: 'rfc5424', payload: 'json', port: TLS }],
  ];

  for (const [name, over] of cases) {
    it(`${name}: every message arrives verbatim and rsyslog parses our header`, async () => {
      const app = `fg${name.replace(/-/g, '')}`;
      const cfg = syslogSinkSchema.parse({
        name,
        host: HOST,
        appName: app,
        hostname: 'edge1.test',
        tls: { ca: caFile, servername: 'syslog.test' },
        queue: { flushMs: 0 },
        ...over,
      });
      const sink = new SyslogSink(cfg, 'ignored');
      const events: ExportEvent[] = [
        toExportEvent(
          { type: 'attack', at: attack.at, event: { ...attack, reason: `${name}: ü | = \\ ^ "q"` } },
          'fg',
        )!,
        toExportEvent(
          {
            type: 'audit',
            at: attack.at + 1,
            record: {
              at: attack.at + 1,
              actor: 'engine',
              action: 'announce',
              tenant: 't1',
              target: '203.0.113.5/32',
              ruleId: 'r-1',
              adapter: 'gobgp',
              dryRun: false,
              reason: 'drop udp/53',
            },
          },
          'fg',
        )!,
        toExportEvent(
          { type: 'bgp-session', at: attack.at + 2, peer: 'r1', state: 'down', detail: 'hold timer' },
          'fg',
        )!,
      ];
      for (const e of events) sink.push(e);
      await sink.idle();
      expect(sink.stats()).toMatchObject({ sent: 3, dropped: 0, deadLettered: 0 });
      const want = events.map((e) => syslogMessage(cfg, e, 'ignored'));
      const lines = await waitFor(
        `${name} in rsyslog`,
        () => {
          if (!existsSync(join(dir, 'raw.log'))) return undefined;
          const got = readFileSync(join(dir, 'raw.log'), 'utf8').split('\n');
          return want.every((w) => got.includes(w)) ? got : undefined;
        },
        10_000,
      );
      expect(lines.filter((l) => l.includes(` ${app}`)).length).toBe(3);
      const parsed = readFileSync(join(dir, 'parsed.log'), 'utf8')
        .split('\n')
        .filter((l) => l.startsWith(`${app}|`));
      const msgIds =
        cfg.protocol === 'rfc5424' ? ['attack-start', 'rule-announce', 'bgp-down'] : ['-', '-', '-'];
      // local0 = 16; attack severity 7 → err (3), announce 6 → warning (4), bgp down 8 → err (3)
      expect(parsed).toEqual([
        `${app}|edge1.test|${msgIds[0]}|3|16`,
        `${app}|edge1.test|${msgIds[1]}|4|16`,
        `${app}|edge1.test|${msgIds[2]}|3|16`,
      ]);
      if (cfg.payload === 'json') {
        const body = JSON.parse(want[0]!.slice(want[0]!.indexOf(' - ') + 3)) as Record<string, unknown>;
        expect(body).toMatchObject({ category: 'attack', action: 'start', target: '203.0.113.5/32' });
      }
      await sink.close();
    }, 30_000);
  }

  it('a TLS receiver whose certificate the CA did not sign is refused (events retried, not sent)', async () => {
    const cfg = syslogSinkSchema.parse({
      name: 'tls-wrong-ca',
      host: HOST,
      port: TLS,
      transport: 'tls',
      queue: { flushMs: 0, maxAttempts: 1, timeoutMs: 3000 },
    });
    const sink = new SyslogSink(cfg, 'edge1');
    sink.push(toExportEvent({ type: 'adapter', at: 1, adapter: 'x', state: 'down' }, 'fg')!);
    await sink.idle();
    expect(sink.stats()).toMatchObject({ sent: 0, deadLettered: 1 });
    expect(sink.stats().lastError).toMatch(/certificate/i);
    await sink.close();
  });
});
