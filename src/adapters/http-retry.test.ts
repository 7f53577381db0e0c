import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { auditRequest, backoffDelay, classifyStatus, parseRetryAfter, DEFAULT_RETRY } from './http-retry.js';

describe('classifyStatus', () => {
  it.each([
    [200, undefined],
    [204, undefined],
    [400, { failure: 'client', retryable: false }],
    [401, { failure: 'auth', retryable: false }],
    [403, { failure: 'auth', retryable: false }],
    [404, { failure: 'client', retryable: false }],
    [408, { failure: 'timeout', retryable: true }],
    [409, { failure: 'client', retryable: false }],
    [429, { failure: 'rate-limited', retryable: true }],
    [500, { failure: 'server', retryable: true }],
    [501, { failure: 'server', retryable: false }],
    [502, { failure: 'server', retryable: true }],
    [503, { failure: 'server', retryable: true }],
    [505, { failure: 'server', retryable: false }],
  ])('%i → %j', (status, want) => expect(classifyStatus(status)).toEqual(want));
});

describe('parseRetryAfter (RFC 9110 §10.2.3)', () => {
  const now = Date.parse('2026-11-24T06:00:00Z');
  it('reads delay-seconds and HTTP-dates, ignores garbage', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Tue, 24 Nov 2026 06:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Tue, 24 Nov 2026 05:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe('backoffDelay', () => {
  it('stays within [1, min(max, base·2^n)] for any jitter', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 30 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (n, r) => {
          const d = backoffDelay(DEFAULT_RETRY, n, () => r);
          return d >= 1 && d <= Math.min(DEFAULT_RETRY.maxDelayMs, DEFAULT_RETRY.baseDelayMs * 2 ** n);
        },
      ),
    );
  });
});

describe('auditRequest', () => {
  it('redacts credentials and parses the JSON body', () => {
    expect(
      auditRequest({
        method: 'POST',
        url: 'https://x/y',
        headers: {
          Authorization: 'Bearer t',
          'X-F5-Auth-Token': 'k',
          cookie: 'JSESSIONID=s',
          'x-api-key': 'k',
          accept: 'application/json',
        },
        body: '{"a":1}',
      }),
    ).toEqual({
      method: 'POST',
      url: 'https://x/y',
      headers: {
        Authorization: '[redacted]',
        'X-F5-Auth-Token': '[redacted]',
        cookie: '[redacted]',
        'x-api-key': '[redacted]',
        accept: 'application/json',
      },
      body: { a: 1 },
    });
  });
});
