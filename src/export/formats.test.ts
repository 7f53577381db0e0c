// Rendering of export events: the event model, CEF, LEEF and the syslog headers and framing.
import { describe, expect, it } from 'vitest';
import { attack } from '../../test/export/fixtures.js';
import { VERSION } from '../cli/version.js';
import { cefHeaderEscape, cefValueEscape, toCef } from './cef.js';
import { toExportEvent, type ExportEvent } from './event.js';
import { toLeef } from './leef.js';
import { formatSyslog, headerField, octetFrame, syslogSeverity } from './syslog-format.js';

describe('toExportEvent', () => {
  it('maps an attack event with its rates, signature sources and severity', () => {
    const e = toExportEvent({ type: 'attack', at: attack.at, event: attack }, 'fg')!;
    expect(e).toMatchObject({
      category: 'attack',
      action: 'start',
      node: 'edge1',
      target: '203.0.113.5/32',
      family: 'dns_amplification',
      pps: 80000,
      sources: ['198.51.100.0/24'],
      protocols: [17],
      severity: 7, // 5 + log2(4)
    });
    expect(e.id).toBe(`attack:a-1:start:${attack.at}`);
  });

  it('exports rule actions from audit records and skips the others', () => {
    const base = {
      at: 1,
      actor: 'engine',
      tenant: 't1',
      target: '203.0.113.5/32',
      dryRun: false,
      reason: 'r',
    };
    for (const action of ['announce', 'withdraw', 'escalate', 'de-escalate', 'rollback'] as const)
      expect(toExportEvent({ type: 'audit', at: 1, record: { ...base, action } }, 'fg')).toMatchObject({
        category: 'rule',
        action,
        tenant: 't1',
      });
    for (const action of ['alert', 'queue', 'refresh', 'retry', 'reject', 'config'] as const)
      expect(toExportEvent({ type: 'audit', at: 1, record: { ...base, action } }, 'fg')).toBeUndefined();
  });

  it('maps health events', () => {
    expect(
      toExportEvent({ type: 'adapter', at: 5, adapter: 'gobgp', state: 'down', detail: 'x' }, 'fg'),
    ).toMatchObject({
      category: 'adapter',
      action: 'down',
      adapter: 'gobgp',
      severity: 8,
      reason: 'x',
    });
    expect(
      toExportEvent(
        { type: 'exporter', at: 5, exporter: '192.0.2.9', state: 'silent', silentForMs: 61_000 },
        'fg',
      ),
    ).toMatchObject({ category: 'exporter', action: 'silent', reason: 'no datagram for 61 s' });
    expect(toExportEvent({ type: 'bgp-session', at: 5, peer: 'r1', state: 'up' }, 'fg')).toMatchObject({
      category: 'bgp',
      action: 'up',
      peer: 'r1',
    });
  });
});

describe('CEF', () => {
  const e = toExportEvent({ type: 'attack', at: attack.at, event: attack }, 'fg') as ExportEvent;

  it('escapes header pipes and backslashes, extension equals, backslashes and newlines', () => {
    expect(cefHeaderEscape('a|b\\c')).toBe('a\\|b\\\\c');
    expect(cefValueEscape('a=b\\c\nd\re|f')).toBe('a\\=b\\\\c\\nd\\re|f');
  });

  it('renders the header and dictionary keys', () => {
    const line = toCef(e);
    expect(
      line.startsWith(
        `CEF:0|floodgate|floodgate|${VERSION}|attack:start|attack start: dns_amplification on 203.0.113.5/32|7|`,
      ),
    ).toBe(true);
    const ext = line.split('|').slice(7).join('|');
    expect(ext).toContain(
      `rt=${attack.at} act=start cat=attack dvchost=edge1 externalId=a-1 dst=203.0.113.5 `,
    );
    expect(ext).toContain('msg=udpPps 80000 > 50000 | from port 53 \\= amplification');
    expect(ext).toContain('cs1Label=target cs1=203.0.113.5/32');
    expect(ext).toContain('cs6Label=sources cs6=198.51.100.0/24');
    expect(ext).toContain('cn1Label=pps cn1=80000');
  });

  it('has no dst for an IPv6 or prefix target (dst is IPv4 only in CEF)', () => {
    expect(toCef({ ...e, target: '2001:db8::5/128' })).not.toMatch(/ dst=/);
    expect(toCef({ ...e, target: '203.0.113.0/24' })).not.toMatch(/ dst=/);
  });
});

describe('LEEF 2.0', () => {
  it('declares the caret delimiter and keeps it out of values', () => {
    const e = toExportEvent({ type: 'attack', at: attack.at, event: { ...attack, reason: 'a^b\tc' } }, 'fg')!;
    const line = toLeef(e);
    expect(
      line.startsWith(
        `LEEF:2.0|floodgate|floodgate|${VERSION}|attack:start|^|devTime=2026-12-03T09:30:00.123Z^`,
      ),
    ).toBe(true);
    const attrs = Object.fromEntries(
      line
        .split('|')
        .slice(6)
        .join('|')
        .split('^')
        .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
    );
    expect(attrs).toMatchObject({
      cat: 'attack',
      sev: '7',
      dst: '203.0.113.5',
      msg: 'a b c',
      family: 'dns_amplification',
    });
  });
});

describe('syslog headers', () => {
  const h = {
    facility: 16,
    severity: 4,
    at: Date.UTC(2026, 0, 5, 7, 8, 9, 10),
    hostname: 'edge 1',
    appName: 'floodgate',
    procId: '42',
    msgId: 'attack-start',
  };

  it('RFC 5424: PRI, version, ISO time, printable header fields, nil structured data', () => {
    expect(formatSyslog('rfc5424', h, 'CEF:0|x')).toBe(
      '<132>1 2026-01-05T07:08:09.010Z edge1 floodgate 42 attack-start - CEF:0|x',
    );
    expect(headerField('', 10)).toBe('-');
    expect(headerField('x'.repeat(40), 32)).toHaveLength(32);
  });

  it('RFC 3164: BSD timestamp with space-padded day and TAG[pid]:', () => {
    expect(formatSyslog('rfc3164', h, 'm')).toBe('<132>Jan  5 07:08:09 edge1 floodgate[42]: m');
  });

  it('maps severities and frames by octet count in bytes (RFC 6587)', () => {
    expect([10, 9, 7, 5, 3, 0].map(syslogSeverity)).toEqual([2, 2, 3, 4, 5, 6]);
    expect(octetFrame('ü').toString('utf8')).toBe('2 ü');
  });
});
