// The one floodgate.yaml schema, composed from each concern's own section.
import { z } from 'zod';
import { apiSchema, flowSchema, logSchema, nodeSchema, storeSchema } from './core.js';

export const configSchema = z
  .object({
    node: nodeSchema,
    log: logSchema,
    store: storeSchema,
    api: apiSchema,
    flow: flowSchema,
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
