// The checks every daemon adapter's interop test makes: the receiving gobgpd holds the standard
// test rules (3 IPv4 + 2 IPv6 FlowSpec, IPv4 + IPv6 RTBH) field by field, the diversions, an empty RIB.
import { FS4, FS6, UC4, UC6, expectFlowPath, expectRtbhPath, findFlow, findUnicast } from './expect-rib.js';
import { waitFor } from '../../../support/wait.js';
import type { Receiver } from '../../../support/daemons/gobgpd.js';
import type { Adapter } from '../../../../src/domain/adapter-port.js';
import { expect } from 'vitest';
import {
  DIVERSION_RULES,
  v4Blackhole,
  v4Drop,
  v4RateLimit,
  v4Redirect,
  v4Scrub,
  v6Blackhole,
  v6Drop,
  v6RateLimit,
  v6Scrub,
} from './rules.js';

export async function expectReceiverHoldsTestRules(receiver: Receiver): Promise<void> {
  const held = (family: typeof FS4 | typeof FS6 | typeof UC4 | typeof UC6, n: number, what: string) =>
    waitFor(what, async () => ((await receiver.rib(family)).length === n ? receiver.rib(family) : undefined));
  const fs4 = await held(FS4, 3, '3 IPv4 FlowSpec routes');
  const fs6 = await held(FS6, 2, '2 IPv6 FlowSpec routes');
  for (const r of [v4RateLimit, v4Drop, v4Redirect]) expectFlowPath(findFlow(fs4, r), r);
  for (const r of [v6Drop, v6RateLimit]) expectFlowPath(findFlow(fs6, r), r);
  const uc4 = await held(UC4, 1, 'IPv4 RTBH');
  const uc6 = await held(UC6, 1, 'IPv6 RTBH');
  const rtbh = { communities: ['65535:666', '65535:65281', '65040:7'], largeCommunities: ['65040:666:1'] };
  expectRtbhPath(findUnicast(uc4, v4Blackhole), v4Blackhole, { nextHop: '100.64.0.1', ...rtbh });
  expectRtbhPath(findUnicast(uc6, v6Blackhole), v6Blackhole, { nextHop: '100::1', ...rtbh });
}

/**
 * The scrubbing diversions (issue 10 item 2): the covering /24 and /48 as plain unicast routes with exactly
 * the operator's communities — no BLACKHOLE, no NO_EXPORT — and the rule's next hop.
 */
export async function expectReceiverHoldsDiversion(receiver: Receiver): Promise<void> {
  const find = (family: typeof UC4 | typeof UC6, target: string) =>
    waitFor(`diversion ${target}`, async () => (await receiver.rib(family)).find((p) => p.prefix === target));
  expectRtbhPath(await find(UC4, v4Scrub.target), v4Scrub, {
    nextHop: '100.64.0.2',
    communities: ['65040:4'],
    largeCommunities: ['65040:4:1'],
  });
  expectRtbhPath(await find(UC6, v6Scrub.target), v6Scrub, {
    nextHop: '2001:db8:ffff::1',
    communities: ['65040:4'],
    largeCommunities: [],
  });
}

/** Both diversions gone from the receiver. */
export async function expectNoDiversion(receiver: Receiver): Promise<void> {
  await waitFor('diversions withdrawn', async () => {
    const left = [...(await receiver.rib(UC4)), ...(await receiver.rib(UC6))].filter(
      (p) => p.prefix === v4Scrub.target || p.prefix === v6Scrub.target,
    );
    return left.length === 0 || undefined;
  });
}

/** Nothing left in any of the receiver's four tables. */
export async function expectReceiverEmpty(receiver: Receiver): Promise<void> {
  await waitFor('empty receiver RIB', async () => {
    const n = (await Promise.all([FS4, FS6, UC4, UC6].map((f) => receiver.rib(f)))).reduce(
      (s, l) => s + l.length,
      0,
    );
    return n === 0 || undefined;
  });
}

/** The adapter announces both diversions, the receiver holds them; withdrawn, they are gone. */
export async function expectDiversionRoundTrip(adapter: Adapter, receiver: Receiver): Promise<void> {
  for (const r of DIVERSION_RULES) {
    const res = await adapter.announce(r);
    expect(res.error).toBeUndefined();
    expect(res.ok).toBe(true);
  }
  await expectReceiverHoldsDiversion(receiver);
  for (const r of DIVERSION_RULES) expect((await adapter.withdraw(r)).ok).toBe(true);
  await expectNoDiversion(receiver);
}
