import { describe, expect, it } from 'vitest';
import { resolveSecret } from './secret.js';

describe('resolveSecret', () => {
  it('passes literals through and reads env:NAME references', () => {
    expect(resolveSecret('abc', 'x', {})).toEqual({ ok: true, value: 'abc' });
    expect(resolveSecret('env:HEC', 'x', { HEC: 's3' })).toEqual({ ok: true, value: 's3' });
    expect(resolveSecret('env:not a name', 'x', {})).toEqual({ ok: true, value: 'env:not a name' });
  });
  it('names the missing variable and the key', () => {
    expect(resolveSecret('env:HEC', 'exports.splunk hec token', { HEC: '' })).toEqual({
      ok: false,
      error: 'exports.splunk hec token: environment variable HEC (named by "env:HEC") is not set',
    });
  });
});
