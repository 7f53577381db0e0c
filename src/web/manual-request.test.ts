// The Manual Rule form → POST /api/v1/rules body, including FlowSpec text that must not be shortened.
import { describe, expect, it } from 'vitest';
import { manualRuleBody } from '../api/server.js';
import { type ManualRuleForm, manualRuleRequest } from './manual-request.js';

const form = (f: Partial<ManualRuleForm>): ManualRuleForm => ({
  target: '',
  intent: 'drop',
  protocol: '',
  port: '',
  sourcePort: '',
  rateMbps: '',
  ttlSeconds: '',
  level: '',
  reason: '',
  flowspec: '',
  ...f,
});

describe('manualRuleRequest', () => {
  it.each([
    [
      'fields',
      form({
        target: '203.0.113.5/32',
        intent: 'rate-limit',
        protocol: 'udp, 6',
        port: '53',
        sourcePort: '123 161',
        rateMbps: '2.5',
        ttlSeconds: '600',
        level: '1',
        reason: ' ticket 42 ',
        dryRun: true,
      }),
      {
        target: '203.0.113.5/32',
        intent: 'rate-limit',
        protocol: [17, 6],
        port: 53,
        sourcePort: [123, 161],
        rateBitsPerSecond: 2_500_000,
        ttlSeconds: 600,
        level: 1,
        reason: 'ticket 42',
        dryRun: true,
      },
    ],
    ['target only', form({ target: '2001:db8::5' }), { target: '2001:db8::5', intent: 'drop' }],
    [
      'flowspec',
      form({ target: 'ignored', flowspec: 'flow4 dst 203.0.113.5/32 proto =17 dport =53|=123 sport =19' }),
      { target: '203.0.113.5/32', intent: 'drop', protocol: [17], port: [53, 123], sourcePort: [19] },
    ],
    [
      'flow6',
      form({ flowspec: 'flow6 dst 2001:db8::5/128 next-header =58' }),
      { target: '2001:db8::5/128', intent: 'drop', protocol: [58] },
    ],
  ])('%s', (_name, input, body) => {
    const r = manualRuleRequest(input);
    expect(r).toEqual({ ok: true, body });
    // and the API's own schema accepts what the form sends
    if (r.ok) expect(manualRuleBody.safeParse(r.body).success).toBe(true);
  });

  it.each([
    [form({ intent: 'nuke', target: '203.0.113.5' }), 'intent', /choose an intent/],
    [form({ target: ' ' }), 'target', /address or prefix/],
    [form({ target: '203.0.113.5', protocol: 'quic' }), 'protocol', /"quic" is not a number 0–255/],
    [form({ target: '203.0.113.5', port: '70000' }), 'port', /0–65535/],
    [form({ target: '203.0.113.5', rateMbps: '-1' }), 'rateMbps', /positive/],
    [form({ target: '203.0.113.5', ttlSeconds: '1.5' }), 'ttlSeconds', /whole seconds/],
    [form({ target: '203.0.113.5', level: '5' }), 'level', /0 .* to 4/],
    [
      form({ flowspec: 'flow4 dst 203.0.113.5/32 proto =6 tcp-flags =syn' }),
      'flowspec',
      /^tcp-flags: .*refusing/,
    ],
    [form({ flowspec: 'flow4 dst 203.0.113.5/32 len >=1000' }), 'flowspec', /^len: /],
    [form({ flowspec: 'flow4 dst 203.0.113.5/32 dport >=1024&<=2048' }), 'flowspec', /only exact values/],
    [form({ flowspec: 'flow4 proto =17' }), 'flowspec', /needs dst/],
    [form({ flowspec: 'flow4 dst 203.0.113.5/32 proto' }), 'flowspec', /needs a value/],
    [
      form({ flowspec: 'flow5 dst 203.0.113.5/32' }),
      'flowspec',
      /starts with flow4 or flow6 \(at character 1\)/,
    ],
  ])('refuses %#: %s', (input, field, message) => {
    const r = manualRuleRequest(input);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.field).toBe(field);
      expect(r.error).toMatch(message);
    }
  });
});
