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
      .describe('Address the HTTP API binds to. Off loopback, every call needs a token; use api.tls there.'),
    port: z.number().int().min(0).max(65535).default(8080).describe('HTTP API port (0 = any free port).'),
    token: z
      .string()
      .optional()
      .describe(
        'Bearer secret of an owner token named "config" (bootstrap; mint named tokens with `floodgate tokens create`). Env: FLOODGATE_API_TOKEN.',
      ),
    anonymousRead: z
      .boolean()
      .default(false)
      .describe(
        'Let callers without a token read (never write). Refused unless api.host is a loopback address.',
      ),
    rateLimit: z
      .object({
        max: z
          .number()
          .int()
          .min(1)
          .default(600)
          .describe(
            'Requests per window for each token (each address without one); a token may set its own.',
          ),
        windowSeconds: z.number().int().min(1).default(60).describe('Length of the rate-limit window.'),
      })
      .strict()
      .prefault({})
      .describe('Per-token rate limit; over it the API answers 429 rate_limited.'),
    tls: z
      .object({
        cert: z.string().min(1).optional().describe('PEM certificate (chain) file.'),
        key: z.string().min(1).optional().describe('PEM private key file.'),
      })
      .strict()
      .refine((t) => (t.cert === undefined) === (t.key === undefined), {
        message: 'give both api.tls.cert and api.tls.key, or neither',
      })
      .prefault({})
      .describe('Serve HTTPS with this certificate and key (recommended whenever api.host is not loopback).'),
    corsOrigins: z
      .array(z.string().url())
      .default([])
      .describe(
        'Origins (e.g. https://noc.example.net) allowed to call the API from a browser. Empty = CORS off.',
      ),
  })
  .strict()
  .prefault({});

export { flowListenerSchema, flowSchema } from './flow.js';
