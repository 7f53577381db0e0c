// The type of a route plugin: requests typed from their zod schemas (as fastify-type-provider-zod does);
// responses documented by their schemas but typed by the handler, because the domain types (interfaces)
// the handlers return are not the schemas' structural types.
import type { FastifyPluginAsync, FastifyTypeProvider, RawServerDefault } from 'fastify';
import type { $ZodType, output } from 'zod/v4/core';
import type { ApiPorts } from './ports.js';

export interface ZodRequestTypes extends FastifyTypeProvider {
  validator: this['schema'] extends $ZodType ? output<this['schema']> : unknown;
  serializer: unknown;
}

export type ApiPlugin = FastifyPluginAsync<{ ports: ApiPorts }, RawServerDefault, ZodRequestTypes>;
