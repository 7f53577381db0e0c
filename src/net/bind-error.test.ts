import { describe, expect, it } from 'vitest';
import { bindError } from './bind-error.js';

const sysErr = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('bindError', () => {
  it('names the listener by its config key, transport and address, with the reason and who to ask', () => {
    const e = bindError(
      sysErr('bind EADDRINUSE 0.0.0.0:2055', 'EADDRINUSE'),
      'flow.listeners[0]',
      'UDP',
      '0.0.0.0',
      2055,
    );
    expect(e.message).toBe(
      "flow.listeners[0] (UDP 0.0.0.0:2055) cannot be bound: bind EADDRINUSE 0.0.0.0:2055: another process holds UDP port 2055 there (a second floodgate? `ss -ulpn 'sport = :2055'` names it)",
    );
    expect((e as Error & { code?: string }).code).toBe('EADDRINUSE');
    expect(e.cause).toBeInstanceOf(Error);
  });

  it('reads the native receiver’s strerror text when there is no Node code, and brackets IPv6', () => {
    expect(
      bindError(new Error('bind: Permission denied'), 'flow.listeners[2]', 'UDP', '::', 179).message,
    ).toBe(
      'flow.listeners[2] (UDP [::]:179) cannot be bound: bind: Permission denied: ports below 1024 need root or CAP_NET_BIND_SERVICE',
    );
    expect(
      bindError(
        sysErr('listen EADDRNOTAVAIL: address not available 10.9.9.9:8080', 'EADDRNOTAVAIL'),
        'api',
        'TCP',
        '10.9.9.9',
        8080,
      ).message,
    ).toMatch(
      /^api \(TCP 10\.9\.9\.9:8080\) cannot be bound: .*: 10\.9\.9\.9 is not an address of this machine$/,
    );
    expect(
      bindError(sysErr('listen EADDRINUSE', 'EADDRINUSE'), 'bgp.listen', 'TCP', '127.0.0.1', 179).message,
    ).toContain("`ss -tlpn 'sport = :179'`");
  });

  it('adds no advice it does not have', () => {
    expect(bindError('boom', 'bgp.listen', 'TCP', '127.0.0.1', 1179).message).toBe(
      'bgp.listen (TCP 127.0.0.1:1179) cannot be bound: boom',
    );
  });
});
