// The OpenAPI document is generated from the routes' own zod schemas: every route is documented, every
// documented route exists, and documented errors come from the one catalogue.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_ERRORS } from '../domain/errors.js';
import { DOCS_PREFIX, OPENAPI_PATH } from './openapi.js';
import { buildApi } from './server.js';
import { type Fixture, openFixture } from './testing.js';

interface OpenApiDoc {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, unknown>; requestBody?: unknown }>>;
}

let fx: Fixture;
beforeAll(async () => {
  fx = await openFixture();
});
afterAll(() => fx.close());

async function routesAndDoc() {
  const app = buildApi(fx.ports);
  const routes: string[] = [];
  const publicRoutes = new Set<string>();
  app.addHook('onRoute', (r) => {
    const hidden = (r.schema as { hide?: boolean } | undefined)?.hide === true;
    if (hidden || r.url.startsWith(DOCS_PREFIX) || r.url === OPENAPI_PATH) return;
    for (const m of [r.method].flat()) {
      if (m === 'HEAD') continue;
      const key = `${m} ${r.url.replace(/:(\w+)/g, '{$1}')}`;
      routes.push(key);
      if (r.config?.permission === 'public') publicRoutes.add(key);
    }
  });
  const res = await app.inject(OPENAPI_PATH);
  expect(res.statusCode).toBe(200);
  return { app, routes, publicRoutes, doc: res.json() as OpenApiDoc };
}

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1, served without a token', async () => {
    const { doc } = await routesAndDoc();
    expect(doc.openapi).toBe('3.1.0');
  });

  it('documents every route, and every documented route exists', async () => {
    const { routes, doc } = await routesAndDoc();
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(routes.length).toBeGreaterThan(10);
    expect([...documented].sort()).toEqual([...routes].sort());
  });

  it('takes request schemas from the zod schemas the routes validate with', async () => {
    const { doc } = await routesAndDoc();
    const body = JSON.stringify(doc.paths['/api/v1/rules']?.post?.requestBody);
    expect(body).toContain('"rate-limit"');
    expect(body).toContain('"additionalProperties":false');
    expect(JSON.stringify(doc.paths['/api/v1/tokens']?.post?.requestBody)).toContain('"readonly"');
  });

  it('documents errors only from the catalogue, and 401/403/429 on every authenticated route', async () => {
    const { doc, publicRoutes } = await routesAndDoc();
    const statuses = new Set(Object.values(API_ERRORS).map((e) => String(e.status)));
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const codes = Object.keys(op.responses);
        const pub = publicRoutes.has(`${method.toUpperCase()} ${path}`);
        for (const c of codes.filter((c) => Number(c) >= 400))
          expect(statuses.has(c), `${method} ${path} documents ${c}`).toBe(true);
        if (!pub) expect(codes, `${method} ${path}`).toEqual(expect.arrayContaining(['401', '403', '429']));
      }
    }
  });

  it('serves the browsable page without a token', async () => {
    const { app } = await routesAndDoc();
    const page = await app.inject(`${DOCS_PREFIX}/`);
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/html/);
    expect(page.body).toMatch(/swagger/i);
  });
});
