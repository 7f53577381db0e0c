// Config sections owned by the application shell itself: identity, logging, store, HTTP API, flow listeners.
// Each key has its type, default and help in one place (STYLE.md rule 9).
import { z } from 'zod';

export const nodeSchema = z
  .object({
    name: z
      .string()
      .min(1)
      .default('floodgate')
      .describe('Name of this floodgate process, reported in events, audit records and metrics.'),
  })
  .strict()
  .prefault({});

export const logSchema = z
  .object({
    level: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace'])
      .default('info')
      .describe('Minimum log level. Logs are JSON lines on stdout (pino).'),
  })
  .strict()
  .prefault({});

export const storeSchema = z
  .object({
    driver: z
      .enum(['sqlite', 'postgres'])
      .default('sqlite')
      .describe('sqlite: embedded, one process. postgres: several engine processes sharing one store.'),
    sqlitePath: z
      .string()
      .min(1)
      .default('./data/floodgate.db')
      .describe('SQLite database file (created with its directory). ":memory:" keeps nothing.'),
    postgresUrl: z
      .string()
      .optional()
      .describe(
        'PostgreSQL connection URL, e.g. postgres://user@127.0.0.1/floodgate. Env: FLOODGATE_POSTGRES_URL.',
      ),
  })
  .strict()
  .prefault({});

export const apiSchema = z
  .object({
    enabled: z.boolean().default(true).describe('Serve the HTTP API.'),
    host: z
      .string()
      .default('127.0.0.1')
      .describe('Address the HTTP API binds to. Keep it on loopback unless a token is set.'),
    port: z.number().int().min(0).max(65535).default(8080).describe('HTTP API port (0 = any free port).'),
    token: z
      .string()
      .optional()
      .describe(
        'Bearer token required for write calls (POST/DELETE) and for any call when bound off loopback. Env: FLOODGATE_API_TOKEN.',
      ),
  })
  .strict()
  .prefault({});

export { flowListenerSchema, flowSchema } from './flow.js';
