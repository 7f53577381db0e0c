// OpenAPI 3.1 generated from the same zod schemas the routes validate with (fastify-type-provider-zod's
// transform feeding @fastify/swagger), served at /api/openapi.json, with the browsable page (swagger-ui,
// served from the package: no CDN) at /api/docs.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';

export const DOCS_PREFIX = '/api/docs';
export const OPENAPI_PATH = '/api/openapi.json';

export function registerOpenApi(app: FastifyInstance, version: string): void {
  // the documentation itself needs no token
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith(DOCS_PREFIX) || route.url === OPENAPI_PATH)
      route.config = { ...(route.config ?? {}), permission: 'public' };
  });
  void app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'floodgate API',
        version,
        description:
          'DDoS detection and BGP mitigation. Every call but /healthz and the documentation needs `Authorization: Bearer <secret>` (see docs/api.md); errors answer from one catalogue.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  void app.register(swaggerUi, { routePrefix: DOCS_PREFIX });
  app.after(() => {
    app.get(OPENAPI_PATH, { schema: { hide: true } }, async () => app.swagger());
  });
}
