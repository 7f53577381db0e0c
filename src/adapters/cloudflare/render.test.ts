import { describe, expect, it } from 'vitest';
import { makeRule } from '../../../test/adapters/services/rule-fixture.js';
import { coveringPrefix, render, selectPrefix } from './render.js';

const lens = { coverLengthV4: 24, coverLengthV6: 48 };

describe('Cloudflare renderer', () => {
  it('covers a host with its /24 or /48, never with something longer than the target', () => {
    expect(coveringPrefix('203.0.113.5/32', lens)).toBe('203.0.113.0/24');
    expect(coveringPrefix('2001:db8:1:2::5/128', lens)).toBe('2001:db8:1::/48');
    expect(coveringPrefix('198.51.100.0/22', lens)).toBe('198.51.100.0/22');
  });

  it('prefers the exact covering prefix, else the longest onboarded prefix holding the target', () => {
    const ps = [
      { id: 'a', cidr: '203.0.112.0/22' },
      { id: 'b', cidr: '203.0.113.0/24' },
      { id: 'c', cidr: 'junk' },
    ];
    expect(selectPrefix('203.0.113.5/32', '203.0.113.0/24', ps)?.id).toBe('b');
    expect(selectPrefix('203.0.112.5/32', '203.0.112.0/24', ps)?.id).toBe('a');
    expect(selectPrefix('192.0.2.1/32', '192.0.2.0/24', ps)).toBeUndefined();
  });

  it('dry-run rendering without the prefix list keeps the {prefix_id} placeholder', () => {
    const r = render(makeRule({ intent: 'scrubbing' }), { accountId: 'acc', ...lens }, false);
    expect(r.call).toEqual({
      method: 'PATCH',
      path: '/accounts/acc/addressing/prefixes/{prefix_id}/bgp/status',
      body: { advertised: false },
    });
  });
});
