import { describe, expect, it } from 'vitest';
import type { CommandRunner } from '../daemons-common/exec.js';
import { birdc, configureOutcome, parseProtocols, parseRoutes } from './birdc.js';

describe('birdc answers', () => {
  it('reads protocol states, with time or date+time in Since', () => {
    const lines = [
      'Name       Proto      Table      State  Since         Info',
      'device1    Device     ---        up     06:51:25.123  ',
      'floodgate_flow4 Static  flowtab4  up     06:51:25.123  ',
      'to_receiver BGP        ---        up     06:51:27.456  Established   ',
      'to_other   BGP        ---        start  2026-11-24 06:51:25  Active        Socket: Connection refused',
    ];
    expect(parseProtocols(lines)).toEqual([
      { name: 'device1', proto: 'Device', state: 'up', info: '' },
      { name: 'floodgate_flow4', proto: 'Static', state: 'up', info: '' },
      { name: 'to_receiver', proto: 'BGP', state: 'up', info: 'Established' },
      { name: 'to_other', proto: 'BGP', state: 'start', info: 'Active Socket: Connection refused' },
    ]);
  });

  it('reads flow and unicast routes, skipping indented attributes (RIG.md §3 output)', () => {
    const lines = [
      'Table flowtab4:',
      'flow4 { dst 198.51.100.10/32; proto 6; dport 443; tcp flags 0x2/0x2 && 0x0/0x10; }  [mitig_flow4 04:11:42.077] * (200)',
      '\tBGP.ext_community: (generic, 0x80060000, 0x461c4000)',
      '203.0.113.5/32       blackhole [floodgate_rtbh4 04:11:24.916] * (200)',
      'flow6 { dst 2001:db8::9/128; next header 17; sport 53; }  [mitig_flow6 04:11:42.077] * (200)',
    ];
    expect(parseRoutes(lines).map((r) => r.prefix)).toEqual([
      '198.51.100.10/32',
      '203.0.113.5/32',
      '2001:db8::9/128',
    ]);
  });

  it('tells a good configure from a parse error', () => {
    expect(configureOutcome(['Reading configuration from /etc/bird/bird.conf', 'Reconfigured']).ok).toBe(
      true,
    );
    expect(configureOutcome(['Reading configuration from /etc/bird/bird.conf', 'Configuration OK']).ok).toBe(
      true,
    );
    expect(configureOutcome(['/etc/bird/floodgate.conf:4:12 syntax error, unexpected NUM']).ok).toBe(false);
  });

  it('passes argv without a shell and flags an unreachable socket', async () => {
    const calls: unknown[] = [];
    const run: CommandRunner = async (file, args) => {
      calls.push([file, args]);
      return {
        code: 1,
        stdout: '',
        stderr: 'Unable to connect to server control socket (/x.ctl): No such file or directory',
        failedToRun: false,
      };
    };
    const a = await birdc({ birdc: 'birdc', socket: '/x.ctl', timeoutMs: 100 }, ['show', 'protocols'], run);
    expect(calls).toEqual([['birdc', ['-s', '/x.ctl', 'show', 'protocols']]]);
    expect(a).toMatchObject({ ok: false, unreachable: true });
    expect(a.error).toMatch(/Unable to connect/);
  });
});
