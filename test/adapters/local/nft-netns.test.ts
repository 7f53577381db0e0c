// Acceptance: the local adapter's nftables rules, applied inside a victim namespace the test makes
// (fgad-vic, RIG.md §9), drop or rate-limit a bounded hping3 flood from fgad-atk (nft counters prove it),
// hold and restore sysctls, and vanish on withdrawal. The root namespace's ruleset is never touched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { LocalAdapter } from '../../../src/adapters/local/adapter.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeMmdb } from './mmdb-writer.js';
import { localConfigSchema } from '../../../src/adapters/config-services.js';
import { makeRule } from '../services/rule-fixture.js';
import { eq } from '../../support/rules.js';

const ATK = 'fgad-atk';
const VIC = 'fgad-vic';
const VIC_IP = '10.250.60.2';
const NEEDED: Record<string, string> = {
  ip: 'iproute2',
  nft: 'nftables',
  hping3: 'hping3',
  sysctl: 'procps',
  timeout: 'coreutils',
};

function sh(argv: string[], allowFail = false): string {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 20_000 });
  if (!allowFail && r.status !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr}`);
  return (r.stdout ?? '') + (r.stderr ?? '');
}

/** Bounded flood from the attacker namespace; returns the packets hping3 says it sent. */
function flood(args: string[]): number {
  const out = sh(['ip', 'netns', 'exec', ATK, 'timeout', '15', 'hping3', '-n', '-q', ...args, VIC_IP], true);
  const m = /(\d+) packets transmitted/.exec(out);
  if (!m) throw new Error(`hping3 printed no summary: ${out}`);
  return Number(m[1]);
}

/** floodgate's table in the victim namespace, or '' once it is gone. */
const vicTable = () =>
  sh(['ip', 'netns', 'exec', VIC, 'nft', 'list', 'table', 'inet', 'floodgate'], true).replace(
    /^Error:.*$/ms,
    '',
  );

const vicSysctl = (key: string) => sh(['ip', 'netns', 'exec', VIC, 'sysctl', '-n', key]).trim();

function teardown(): void {
  sh(['ip', 'netns', 'del', ATK], true);
  sh(['ip', 'netns', 'del', VIC], true);
}

describe('local nftables adapter in a namespace pair', () => {
  let adapter: LocalAdapter;
  let dir = '';

  beforeAll(() => {
    for (const [bin, pkg] of Object.entries(NEEDED)) {
      if (spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0)
        throw new Error(`${bin} is missing: apt-get install ${pkg}`);
    }
    if (process.getuid?.() !== 0) throw new Error('this test creates network namespaces and needs root');
    teardown();
    execFileSync('ip', ['netns', 'add', ATK]);
    execFileSync('ip', ['netns', 'add', VIC]);
    sh(['ip', 'link', 'add', 'fgad-atk0', 'type', 'veth', 'peer', 'name', 'fgad-vic0']);
    sh(['ip', 'link', 'set', 'fgad-atk0', 'netns', ATK]);
    sh(['ip', 'link', 'set', 'fgad-vic0', 'netns', VIC]);
    sh(['ip', '-n', ATK, 'addr', 'add', '10.250.60.1/24', 'dev', 'fgad-atk0']);
    sh(['ip', '-n', VIC, 'addr', 'add', `${VIC_IP}/24`, 'dev', 'fgad-vic0']);
    for (const [ns, dev] of [
      [ATK, 'fgad-atk0'],
      [VIC, 'fgad-vic0'],
    ] as const) {
      sh(['ip', '-n', ns, 'link', 'set', dev, 'up']);
      sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
      sh(['ip', 'netns', 'exec', ns, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=0']);
    }
    // a MaxMind-format country database: the attacker's /25 is in "ZZ", everything else unknown
    dir = mkdtempSync(join(tmpdir(), 'fgad-geo-'));
    const db = join(dir, 'country.mmdb');
    writeFileSync(
      db,
      writeMmdb([
        ['10.250.60.0/25', 'ZZ'],
        ['198.18.0.0/15', 'XY'],
      ]),
    );
    adapter = new LocalAdapter(
      localConfigSchema.parse({ enabled: true, netns: VIC, table: 'floodgate', geoipDatabase: db }),
    );
  });

  afterAll(() => {
    teardown();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('is healthy and holds nothing before any rule', async () => {
    expect((await adapter.test()).status).toBe('up');
    expect(await adapter.list()).toEqual([]);
  });

  it('drops a UDP flood matching the signature and leaves other traffic alone; withdrawal removes the rule', async () => {
    const rule = makeRule({
      id: 'udp-drop',
      target: `${VIC_IP}/32`,
      intent: 'drop',
      match: {
        family: 4,
        destination: { prefix: `${VIC_IP}/32` },
        ipProtocol: [eq(17)],
        destinationPort: [eq(53)],
      },
    });
    const res = await adapter.announce(rule);
    expect(res.error).toBeUndefined();
    expect((res.payload as { script: string }).script).toContain('meta l4proto 17 th dport 53 counter drop');
    const sent = flood(['--udp', '-p', '53', '-c', '2000', '-i', 'u100']);
    const other = flood(['--udp', '-p', '54', '-c', '300', '-i', 'u100']);
    expect(sent).toBe(2000);
    expect(other).toBe(300);
    const c = await adapter.counters('udp-drop');
    expect(c.packets).toBe(sent); // every flood packet hit the drop rule, none of the port-54 packets did
    expect(await adapter.list()).toEqual([
      {
        ruleId: 'udp-drop',
        target: `${VIC_IP}/32`,
        description: expect.stringContaining('drop: 1 nft rule'),
      },
    ]);

    const w = await adapter.withdraw(rule);
    expect(w.ok).toBe(true);
    expect((w.payload as { script: string }).script).toMatch(
      /^delete rule inet floodgate pre handle \d+\ndelete table inet floodgate$/,
    );
    expect(vicTable()).toBe(''); // the last rule out takes the table with it
    expect(await adapter.list()).toEqual([]);
    expect(vicTable()).not.toContain('fg:');
    // withdrawing again is a no-op, not an error
    expect((await adapter.withdraw(rule)).ok).toBe(true);
  });

  it('rate-limits a SYN flood: some SYNs pass, the excess is dropped and counted', async () => {
    const rule = makeRule({
      id: 'syn-rl',
      target: `${VIC_IP}/32`,
      intent: 'rate-limit',
      rateBytesPerSecond: 4_000, // 100 SYNs of 40 bytes per second
      match: {
        family: 4,
        destination: { prefix: `${VIC_IP}/32` },
        ipProtocol: [eq(6)],
        destinationPort: [eq(80)],
        tcpFlags: [{ and: false, not: false, match: true, value: 0x02 }],
      },
    });
    expect((await adapter.announce(rule)).ok).toBe(true);
    // re-announcing replaces, never duplicates
    expect((await adapter.announce(rule)).ok).toBe(true);
    expect((await adapter.counters('syn-rl')).rules).toBe(1);
    const sent = flood(['-S', '-p', '80', '-c', '3000', '-i', 'u100']);
    const dropped = (await adapter.counters('syn-rl')).packets;
    expect(sent).toBe(3000);
    expect(dropped).toBeGreaterThan(sent / 2); // hping3 -i u100 runs ~1-10k pps, far above 100/s
    expect(dropped).toBeLessThan(sent);
    expect((await adapter.withdraw(rule)).ok).toBe(true);
    const table = vicTable();
    expect(table).not.toContain('fg:');
    expect(table).not.toContain('fg_'); // the named limit went with it
  });

  it('holds SYN cookies while active and restores the previous value on withdrawal', async () => {
    sh(['ip', 'netns', 'exec', VIC, 'sysctl', '-q', '-w', 'net.ipv4.tcp_syncookies=0']);
    const rule = makeRule({
      id: 'cookies',
      target: `${VIC_IP}/32`,
      intent: 'syn-cookies',
      match: { family: 4 },
    });
    expect((await adapter.announce(rule)).ok).toBe(true);
    expect(vicSysctl('net.ipv4.tcp_syncookies')).toBe('1');
    const sent = flood(['-S', '-p', '22', '-c', '200', '-i', 'u100']);
    expect((await adapter.counters('cookies')).packets).toBe(sent);
    expect((await adapter.withdraw(rule)).ok).toBe(true);
    expect(vicSysctl('net.ipv4.tcp_syncookies')).toBe('0');
    expect(await adapter.list()).toEqual([]);
  });

  it('puts a SYNPROXY in front of port 80 (notrack + synproxy) and removes it cleanly', async () => {
    sh(['ip', 'netns', 'exec', VIC, 'sysctl', '-q', '-w', 'net.netfilter.nf_conntrack_tcp_loose=1']);
    const rule = makeRule({
      id: 'proxy',
      target: `${VIC_IP}/32`,
      intent: 'synproxy',
      match: { family: 4, destination: { prefix: `${VIC_IP}/32` }, destinationPort: [eq(80)] },
    });
    const res = await adapter.announce(rule);
    expect(res.error).toBeUndefined();
    expect(vicSysctl('net.netfilter.nf_conntrack_tcp_loose')).toBe('0');
    const sent = flood(['-S', '-p', '80', '-c', '500', '-i', 'u100']);
    const c = await adapter.counters('proxy');
    // every SYN was untracked in raw prerouting and answered by the synproxy statement (counted in input)
    expect(c.packets).toBeGreaterThanOrEqual(sent);
    expect(sh(['ip', 'netns', 'exec', VIC, 'nft', 'list', 'chain', 'inet', 'floodgate', 'in'])).toContain(
      'synproxy mss 1460 wscale 7',
    );
    expect((await adapter.withdraw(rule)).ok).toBe(true);
    expect(vicSysctl('net.netfilter.nf_conntrack_tcp_loose')).toBe('1');
    expect(await adapter.list()).toEqual([]);
  });

  it('geo lockdown drops sources outside the allowed countries and keeps allowed ones', async () => {
    const rule = makeRule({
      id: 'geo',
      target: `${VIC_IP}/32`,
      intent: 'geo-lockdown',
      allowCountries: ['ZZ'],
      match: { family: 4, destination: { prefix: `${VIC_IP}/32` }, ipProtocol: [eq(17)] },
    });
    expect((await adapter.announce(rule)).error).toBeUndefined();
    flood(['--udp', '-p', '5000', '-c', '300', '-i', 'u100']); // from 10.250.60.1: inside ZZ
    expect((await adapter.counters('geo')).packets).toBe(0);
    const sent = flood(['--udp', '-p', '5000', '-c', '1000', '-i', 'u100', '--rand-source']);
    expect((await adapter.counters('geo')).packets).toBe(sent);
    expect((await adapter.withdraw(rule)).ok).toBe(true);
    const table = vicTable();
    expect(table).not.toContain('fg_');
    expect(table).not.toContain('fg:');
  });

  it('rules are independent: withdrawing one keeps the others, a shared sysctl is restored only by the last holder', async () => {
    sh(['ip', 'netns', 'exec', VIC, 'sysctl', '-q', '-w', 'net.ipv4.tcp_syncookies=0']);
    const drop = makeRule({ id: 'a', target: `${VIC_IP}/32`, match: { family: 4, ipProtocol: [eq(17)] } });
    const c1 = makeRule({ id: 'b', target: `${VIC_IP}/32`, intent: 'syn-cookies', match: { family: 4 } });
    const c2 = makeRule({ id: 'c', target: '10.250.60.3/32', intent: 'syn-cookies', match: { family: 4 } });
    for (const r of [drop, c1, c2]) expect((await adapter.announce(r)).error).toBeUndefined();
    expect((await adapter.list()).map((h) => h.ruleId).sort()).toEqual(['a', 'b', 'c']);
    expect((await adapter.withdraw(drop)).ok).toBe(true);
    expect((await adapter.withdraw(c1)).ok).toBe(true);
    expect(vicSysctl('net.ipv4.tcp_syncookies')).toBe('1'); // c still needs it
    expect((await adapter.list()).map((h) => h.ruleId)).toEqual(['c']);
    expect((await adapter.withdraw(c2)).ok).toBe(true);
    expect(vicSysctl('net.ipv4.tcp_syncookies')).toBe('0'); // the value before floodgate touched it
    expect(vicTable()).toBe('');
  });
});
