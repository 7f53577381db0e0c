// POST /api/v1/rules through the real engine (runner + guards + queue, recording adapter, virtual clock):
// a full FlowSpec match in the text grammar (issue 10 item 7), rates that mean what they say (issue 19
// item 3) and one rule per route (issue 19 item 4) — every refusal answered from the error catalogue and
// audited.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../src/api/server.js';
import type { ApiPorts } from '../../src/api/ports.js';
import type { Rule } from '../../src/domain/rule.js';
import { formatFlowSpec } from '../../src/flowspec/text.js';
import { Rig, baseConfig } from './harness.js';

function ports(rig: Rig): ApiPorts {
  const rules: ApiPorts['rules'] = {
    list: (q) => rig.store.rules.list(q),
    get: (id) => rig.store.rules.get(id),
    add: async (req, actor) => {
      const out = await rig.runner.addRule(req, actor);
      await rig.settle();
      return out;
    },
    withdraw: async (id, actor, reason) => {
      const out = await rig.runner.withdrawRule(id, actor, reason);
      await rig.settle();
      return out.ok ? out.rule : undefined;
    },
  };
  return {
    version: 'test',
    startedAt: Date.now(),
    rules,
    attacks: rig.store.attacks,
    audit: rig.store.audit,
    health: async () => ({ ok: true, checks: {} }),
    reloadConfig: async () => ({ ok: true, applied: [], restartRequired: [] }),
    exporters: () => ({ datagrams: 0, exporters: [] }),
  } as unknown as ApiPorts;
}

describe('manual rules over the API, through every guard of the engine', () => {
  let rig: Rig;
  let api: FastifyInstance;
  const post = (body: unknown) =>
    api.inject({
      method: 'POST',
      url: '/api/v1/rules',
      payload: body as object,
      headers: { authorization: 'Bearer api-rules-test' },
    });

  beforeAll(async () => {
    rig = await new Rig(
      baseConfig({ guards: { softWhitelist: [{ cidr: '203.0.113.64/28', rateBitsPerSecond: 5e8 }] } }),
    ).start();
    api = buildApi(ports(rig), { anonymousRead: true, token: 'api-rules-test' });
  });
  afterAll(async () => {
    await api.close();
    await rig.runner.stop();
  });

  it('accepts a full FlowSpec match in the text grammar and announces exactly it', async () => {
    const res = await post({
      target: '203.0.113.20',
      intent: 'drop',
      match: 'flow4 proto =17 sport =53 len >=512&<=1500 frag is-fragment',
    });
    expect(res.statusCode).toBe(201);
    const rule = (res.json() as { rule: Rule }).rule;
    expect(formatFlowSpec(rule.match)).toBe(
      'flow4 dst 203.0.113.20/32 proto =17 sport =53 len >=512&<=1500 frag is-fragment',
    );
    const sent = rig.adapter.announces().at(-1)?.rule;
    expect(sent?.id).toBe(rule.id);
    expect(formatFlowSpec(sent!.match)).toBe(formatFlowSpec(rule.match));
  });

  it('refuses a match that does not parse, names another destination, mixes forms or narrows a blackhole', async () => {
    const cases: [object, string, RegExp][] = [
      [{ match: 'flow4 proto ==17' }, 'invalid_request', /match:/],
      [{ match: 'flow4 dst 203.0.113.99/32 proto =6' }, 'invalid_request', /not the target/],
      [{ match: 'flow6 next-header =17' }, 'invalid_request', /flow6 but the target/],
      [{ match: 'flow4 proto =17', protocol: 6 }, 'invalid_request', /either match or protocol/],
      [{ match: 'flow4 proto =17', intent: 'blackhole' }, 'rejected_by_guard', /takes no match/],
      [{ match: 'flow4 proto =17 proto =6' }, 'invalid_request', /given twice/],
    ];
    for (const [extra, code, msg] of cases) {
      const res = await post({ target: '203.0.113.21', intent: 'drop', ...extra });
      expect(res.statusCode, JSON.stringify(extra)).toBeGreaterThanOrEqual(400);
      const err = (res.json() as { error: { code: string; message: string } }).error;
      expect([code, 'invalid_request', 'rejected_by_guard']).toContain(err.code);
      expect(err.message).toMatch(msg);
    }
    expect(rig.adapter.announces().filter((c) => c.rule.target === '203.0.113.21/32')).toEqual([]);
  });

  it('rates: 1e308 bit/s is refused, 1e-300 bit/s is a rate-limit of 1 byte/s, never a discard', async () => {
    const huge = await post({ target: '203.0.113.30', intent: 'rate-limit', rateBitsPerSecond: 1e308 });
    expect(huge.statusCode).toBe(400);
    expect((huge.json() as { error: { message: string } }).error.message).toMatch(/32-bit float/);
    const tiny = await post({ target: '203.0.113.31', intent: 'rate-limit', rateBitsPerSecond: 1e-300 });
    expect(tiny.statusCode).toBe(201);
    const rule = (tiny.json() as { rule: Rule }).rule;
    expect(rule.rateBytesPerSecond).toBe(1);
    expect(rule.actions).toEqual([{ kind: 'traffic-rate-bytes', asn: 0, bytesPerSecond: 1 }]);
  });

  it('rates: the soft-whitelist rate is a floor for a manual rate-limit too', async () => {
    const res = await post({ target: '203.0.113.70', intent: 'rate-limit', rateBitsPerSecond: 8000 });
    expect(res.statusCode).toBe(201);
    const sent = rig.adapter.announces().find((c) => c.rule.target === '203.0.113.70/32')?.rule;
    expect(sent?.rateBytesPerSecond).toBe(5e8 / 8);
  });

  it('one route, one rule: a second manual rule on the same NLRI or prefix is refused and audited', async () => {
    const first = await post({ target: '203.0.113.40', intent: 'drop', protocol: 17, port: 53 });
    expect(first.statusCode).toBe(201);
    const id = (first.json() as { rule: Rule }).rule.id;
    // same FlowSpec NLRI, other action (a rate-limit): the router would keep one of the two
    const dup = await post({
      target: '203.0.113.40',
      intent: 'rate-limit',
      match: 'flow4 proto =17 dport =53',
    });
    expect(dup.statusCode).toBe(422);
    const err = (dup.json() as { error: { message: string; details: { reason: string } } }).error;
    expect(err.details.reason).toBe('duplicate-route');
    expect(err.message).toContain(id);
    // a narrower match is another route: accepted
    const other = await post({ target: '203.0.113.40', intent: 'drop', protocol: 17, port: 123 });
    expect(other.statusCode).toBe(201);
    // unicast: the same prefix twice
    expect((await post({ target: '203.0.113.41', intent: 'blackhole' })).statusCode).toBe(201);
    const bh = await post({ target: '203.0.113.41', intent: 'blackhole' });
    expect((bh.json() as { error: { details: { reason: string } } }).error.details.reason).toBe(
      'duplicate-route',
    );
    const audit = await rig.store.audit.query({ action: 'reject' });
    expect(audit.some((r) => r.reason.includes('already holds this route'))).toBe(true);
    // once the first is withdrawn the route is free again
    expect(
      (
        await api.inject({
          method: 'DELETE',
          url: `/api/v1/rules/${id}`,
          headers: { authorization: 'Bearer api-rules-test' },
        })
      ).statusCode,
    ).toBe(200);
    expect(
      (await post({ target: '203.0.113.40', intent: 'rate-limit', match: 'flow4 proto =17 dport =53' }))
        .statusCode,
    ).toBe(201);
  });
});
