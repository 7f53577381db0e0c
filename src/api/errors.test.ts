// Issue 19 item 5: every error the HTTP layer can produce — fastify's routing and parsing errors included —
// answers in the documented {"error":{"code","message"}} shape, and validation messages name the request part.
import { describe, expect, it } from 'vitest';
import type { ApiPorts } from './ports.js';
import { buildApi } from './server.js';

const ports = {
  version: 't',
  startedAt: 0,
  rules: {
    list: async () => [],
    get: async () => undefined,
    add: async () => ({ ok: false, code: 'invalid-request', reason: 'no' }),
    withdraw: async () => undefined,
  },
  attacks: { list: async () => [], record: async () => undefined },
  audit: { query: async () => [], append: async () => undefined },
  health: async () => ({ ok: true, checks: {} }),
  reloadConfig: async () => ({ ok: true, applied: [], restartRequired: [] }),
  exporters: () => ({}),
} as unknown as ApiPorts;

// authenticated as the config token: these tests are about the shape of errors after auth
const app = buildApi(ports, { bodyLimit: 1024, token: 'errors-test' });

async function call(method: 'GET' | 'POST', url: string, payload?: string) {
  const r = await app.inject({
    method,
    url,
    headers: {
      authorization: 'Bearer errors-test',
      ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(payload !== undefined ? { payload } : {}),
  });
  const body = r.json() as { error: { code: string; message: string; details?: unknown } };
  // the one documented shape: nothing but error.{code,message[,details]}
  expect(Object.keys(body)).toEqual(['error']);
  expect(typeof body.error.code).toBe('string');
  expect(typeof body.error.message).toBe('string');
  return { status: r.statusCode, ...body.error };
}

describe('API errors in one shape', () => {
  it.each([
    [
      'bad percent-encoding in a path parameter',
      '/api/v1/rules/%zz',
      400,
      'invalid_request',
      /^invalid path/,
    ],
    ['a truncated UTF-8 escape', '/api/v1/rules/%E0%A4%A', 400, 'invalid_request', /^invalid path/],
    ['an over-long path parameter', `/api/v1/rules/${'a'.repeat(300)}`, 414, 'uri_too_long', /^invalid path/],
    ['an unknown route', '/api/v1/nothing', 404, 'not_found', /no route GET/],
  ])('%s', async (_name, url, status, code, message) => {
    const e = await call('GET', url);
    expect(e).toMatchObject({ status, code });
    expect(e.message).toMatch(message);
  });

  it('bad JSON and an over-large body are body errors', async () => {
    const bad = await call('POST', '/api/v1/rules', '{"target":');
    expect(bad).toMatchObject({ status: 400, code: 'invalid_request' });
    expect(bad.message).toMatch(/^invalid body: .*JSON/);
    const big = await call('POST', '/api/v1/rules', JSON.stringify({ reason: 'x'.repeat(5000) }));
    expect(big).toMatchObject({ status: 413, code: 'payload_too_large' });
    expect(big.message).toMatch(/^invalid body/);
  });

  it('query-string errors say they come from the query, with the key', async () => {
    const e = await call('GET', '/api/v1/rules?limit=abc');
    expect(e).toMatchObject({ status: 400, code: 'invalid_request' });
    expect(e.message).toMatch(/^invalid query: limit: /);
    expect(e.details).toEqual([{ in: 'query', path: 'limit', message: expect.any(String) }]);
    const unknown = await call('GET', '/api/v1/attacks?bogus=1');
    expect(unknown.message).toMatch(/^invalid query: .*bogus/);
    const twice = await call('GET', '/api/v1/audit?limit=1&limit=2');
    expect(twice.message).toBe('invalid query: limit: given more than once; give it once');
  });

  it('body validation errors name the body', async () => {
    const e = await call('POST', '/api/v1/rules', JSON.stringify({ target: 5 }));
    expect(e.message).toMatch(/^invalid body: /);
    expect((e.details as { in: string }[]).every((d) => d.in === 'body')).toBe(true);
  });
});
