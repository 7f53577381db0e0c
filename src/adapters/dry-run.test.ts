import { describe, expect, it } from 'vitest';
import type { Rule } from '../domain/rule.js';
import { parseMitigationConfig } from '../mitigation/config.js';
import { renderRule } from '../mitigation/intents.js';
import { DryRunAdapter, renderRuleText } from './dry-run.js';

const cfg = parseMitigationConfig({});
const mk = (intent: Rule['intent']): Rule =>
  renderRule(
    {
      id: 'r1',
      tenant: 't',
      target: '203.0.113.5/32',
      intent,
      level: 2,
      signature: { coverage: 1, protocols: [17], destinationPorts: [53] },
      depth: 'basic',
      rateBitsPerSecond: 8e6,
      ttlSeconds: 300,
      now: 0,
      origin: 'auto',
      reason: 'x',
      dryRun: true,
    },
    cfg,
  );

describe('dry-run adapter', () => {
  it('returns the full would-be payload: FlowSpec text and the rule as JSON', async () => {
    const a = new DryRunAdapter('dry-run', () => 5);
    const r = await a.announce(mk('drop'));
    expect(r.ok).toBe(true);
    expect(r.payload).toMatchObject({ adapter: 'dry-run', op: 'announce', dryRun: true, rule: { id: 'r1' } });
    expect((r.payload as { text: string }).text).toBe(
      'announce flow4 dst 203.0.113.5/32 proto =17 dport =53 then discard',
    );
    expect(JSON.parse(JSON.stringify(r.payload))).toEqual(r.payload);
  });

  it('renders rate-limit, blackhole and local intents', () => {
    expect(renderRuleText(mk('rate-limit'))).toContain('then rate-limit 1000000 bytes/s');
    expect(renderRuleText(mk('blackhole'))).toBe('route 203.0.113.5/32 blackhole community 65535:666');
    expect(renderRuleText(mk('syn-cookies'))).toContain('then syn-cookies');
  });

  it('lists what it holds until withdrawn, for reconciliation', async () => {
    const a = new DryRunAdapter();
    await a.announce(mk('drop'));
    expect((await a.list()).map((h) => h.ruleId)).toEqual(['r1']);
    await a.withdraw(mk('drop'));
    expect(await a.list()).toEqual([]);
    expect(a.health().status).toBe('up');
  });
});
