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

export const flowListenerSchema = z
  .object({
    protocol: z
      .enum(['netflow', 'sflow'])
      .describe('netflow accepts NetFlow v5/v9 and IPFIX (recognised by content); sflow accepts sFlow v5.'),
    address: z.string().default('0.0.0.0').describe('Address to bind ("::" for IPv6 and IPv4).'),
    port: z.number().int().min(0).max(65535).describe('UDP port.'),
  })
  .strict();

export const flowSchema = z
  .object({
    listeners: z
      .array(flowListenerSchema)
      .default([
        { protocol: 'netflow', address: '0.0.0.0', port: 2055 },
        { protocol: 'netflow', address: '0.0.0.0', port: 4739 },
        { protocol: 'sflow', address: '0.0.0.0', port: 6343 },
      ])
      .describe('UDP flow listeners. Defaults: NetFlow/IPFIX on 2055 and 4739, sFlow on 6343.'),
    exporters: z
      .array(z.string())
      .default([])
      .describe('Exporter allowlist (addresses or prefixes). Empty = accept any exporter.'),
    samplingOverrides: z
      .record(z.string(), z.number().int().min(1))
      .default({})
      .describe('Sampling rate per exporter address, for exporters that never report it.'),
    receiveBufferBytes: z
      .number()
      .int()
      .min(65536)
      .default(4 * 1024 * 1024)
      .describe('Socket receive buffer asked for (bounded by net.core.rmem_max).'),
    packetLength: z
      .enum(['ip', 'frame'])
      .default('ip')
      .describe(
        "Bytes of an sFlow sampled packet (and of raw pcap traffic): 'ip' = the IP length from the packet's header, as thresholds in bits/s mean (FastNetMon's sflow_read_packet_length_from_ip_header); 'frame' = the frame length the agent reports (Ethernet header and FCS included).",
      ),
  })
  .strict()
  .prefault({});
