// packaging/floodgate.service passes `systemd-analyze verify` and carries the hardening the docs promise.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
const UNIT = readFileSync(join(ROOT, 'packaging', 'floodgate.service'), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'fg-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('packaging/floodgate.service', () => {
  it('is clean under systemd-analyze verify (ExecStart pointed at an existing binary)', () => {
    expect(UNIT).toMatch(/^ExecStart=\/usr\/bin\/floodgate run -c \/etc\/floodgate\/floodgate\.yaml$/m);
    // verify checks that ExecStart's binary exists; /usr/bin/floodgate is only there once installed
    const file = join(dir, 'floodgate.service');
    writeFileSync(file, UNIT.replace(/^ExecStart=\/usr\/bin\/floodgate/m, 'ExecStart=/bin/true'));
    const r = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
    // lines about other units on this host (no systemd running in a container) are not ours
    const ours = r.stderr.split('\n').filter((l) => l.includes('floodgate.service'));
    expect(ours).toEqual([]);
    expect(r.status).toBe(0);
  });

  it('runs as its own user with a read-only system and state under /var/lib/floodgate', () => {
    const keys = (k: string) =>
      UNIT.split('\n')
        .filter((l) => l.startsWith(`${k}=`))
        .map((l) => l.slice(k.length + 1));
    expect(keys('DynamicUser')).toEqual(['no']);
    expect(keys('User')).toEqual(['floodgate']);
    expect(keys('StateDirectory')).toEqual(['floodgate']);
    expect(keys('ConfigurationDirectory')).toEqual(['floodgate']);
    expect(keys('ProtectSystem')).toEqual(['strict']);
    expect(keys('ProtectHome')).toEqual(['yes']);
    expect(keys('PrivateTmp')).toEqual(['yes']);
    expect(keys('NoNewPrivileges')).toEqual(['yes']);
    expect(keys('RestrictAddressFamilies')).toEqual(['AF_INET AF_INET6 AF_UNIX AF_NETLINK']);
    expect(keys('ExecReload')).toEqual(['/bin/kill -HUP $MAINPID']);
    expect(keys('KillSignal')).toEqual(['SIGTERM']);
    expect(keys('Restart')).toEqual(['on-failure']);
    // no capability unless BGP listens on 179 (commented alternative)
    expect(keys('AmbientCapabilities')).toEqual(['']);
    expect(UNIT).toMatch(/only if BGP listens on 179[\s\S]*#AmbientCapabilities=CAP_NET_BIND_SERVICE/i);
  });
});

const AGENT_UNIT = readFileSync(join(ROOT, 'packaging', 'floodgate-agent.service'), 'utf8');
const keysOf = (unit: string, k: string) =>
  unit
    .split('\n')
    .filter((l) => l.startsWith(`${k}=`))
    .map((l) => l.slice(k.length + 1));

describe('packaging/floodgate-agent.service', () => {
  it('is clean under systemd-analyze verify (ExecStart pointed at an existing binary)', () => {
    expect(AGENT_UNIT).toMatch(/^ExecStart=\/usr\/bin\/floodgate agent -c \/etc\/floodgate\/agent\.yaml$/m);
    const file = join(dir, 'floodgate-agent.service');
    writeFileSync(file, AGENT_UNIT.replace(/^ExecStart=\/usr\/bin\/floodgate/m, 'ExecStart=/bin/true'));
    const r = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
    const ours = r.stderr.split('\n').filter((l) => l.includes('floodgate-agent.service'));
    expect(ours).toEqual([]);
    expect(r.status).toBe(0);
  });

  it('is hardened like the main unit, with only the capabilities capture and nftables need', () => {
    const k = (key: string) => keysOf(AGENT_UNIT, key);
    for (const [key, value] of [
      ['ProtectSystem', 'strict'],
      ['ProtectHome', 'yes'],
      ['PrivateTmp', 'yes'],
      ['PrivateDevices', 'yes'],
      ['NoNewPrivileges', 'yes'],
      ['ProtectKernelTunables', 'yes'],
      ['ProtectKernelModules', 'yes'],
      ['RestrictNamespaces', 'yes'],
      ['RestrictSUIDSGID', 'yes'],
      ['SystemCallArchitectures', 'native'],
      ['KillSignal', 'SIGTERM'],
      ['Restart', 'on-failure'],
      ['DynamicUser', 'yes'],
    ])
      expect(k(key!), key).toEqual([value]);
    expect(k('RestrictAddressFamilies')).toEqual(['AF_INET AF_INET6 AF_UNIX AF_NETLINK AF_PACKET']);
    expect(k('CapabilityBoundingSet')).toEqual(['CAP_NET_RAW CAP_NET_ADMIN']);
    expect(k('AmbientCapabilities')).toEqual(['CAP_NET_RAW CAP_NET_ADMIN']);
    // the key stays out of the YAML and out of the unit
    expect(k('EnvironmentFile')).toEqual(['-/etc/floodgate/agent.env']);
    expect(AGENT_UNIT).not.toMatch(/fga_[A-Za-z0-9_-]{10}/);
  });
});
