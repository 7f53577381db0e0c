// The `exports` section of floodgate.yaml: Prometheus /metrics, operational-event watcher settings and
// the event sinks (syslog CEF/LEEF/JSON, Splunk HEC, Elasticsearch/OpenSearch, Sentinel, MISP, Kafka).
// Each sink is a list so several receivers of one kind can run side by side; every key has a default + help.
import { z } from 'zod';

export const EXPORT_CATEGORIES = ['attack', 'rule', 'adapter', 'bgp', 'exporter', 'rpki'] as const;

const name = (dflt: string) =>
  z.string().min(1).max(64).default(dflt).describe('Sink name: the `sink` label in /metrics and logs.');

const ca = z
  .string()
  .optional()
  .describe('PEM file of a private CA that signed the https endpoint (default: the system CAs).');

const events = z
  .array(z.enum(EXPORT_CATEGORIES))
  .min(1)
  .default([...EXPORT_CATEGORIES])
  .describe(
    'Event categories sent: attack (start/update/end), rule (announce/withdraw/escalate/de-escalate/rollback), adapter (up/down), bgp (session up/down), exporter (silent/back), rpki (stale/fresh).',
  );

export const queueSchema = z
  .object({
    capacity: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .default(10_000)
      .describe('Events held while the endpoint is slow or down; when full the oldest is dropped (counted).'),
    batchSize: z.number().int().min(1).max(10_000).default(100).describe('Events per request at most.'),
    flushMs: z
      .number()
      .int()
      .min(0)
      .max(60_000)
      .default(200)
      .describe('Wait this long for more events before sending a partial batch.'),
    maxAttempts: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(6)
      .describe('Attempts per batch (first included) before it is dead-lettered (counted, logged).'),
    backoffMs: z
      .number()
      .int()
      .min(1)
      .default(500)
      .describe('First retry delay; doubles per attempt with full jitter (429 Retry-After wins).'),
    maxBackoffMs: z.number().int().min(1).default(30_000).describe('Upper bound of one retry delay.'),
    timeoutMs: z
      .number()
      .int()
      .min(100)
      .default(10_000)
      .describe('Deadline of one delivery attempt (connect + send + answer).'),
  })
  .strict()
  .prefault({})
  .describe('Bounded queue, batching and retry policy of this sink.');

const tlsSchema = z
  .object({
    ca: z.string().optional().describe('PEM file of the CA that signed the receiver (default: system CAs).'),
    cert: z.string().optional().describe('PEM client certificate file (mutual TLS).'),
    key: z.string().optional().describe('PEM client key file (mutual TLS).'),
    servername: z.string().optional().describe('Name checked in the receiver certificate (default: host).'),
    rejectUnauthorized: z
      .boolean()
      .default(true)
      .describe('Refuse a receiver whose certificate does not verify. Leave true outside tests.'),
  })
  .strict()
  .prefault({});

export const syslogSinkSchema = z
  .object({
    name: name('syslog'),
    host: z.string().min(1).describe('Syslog receiver address or name.'),
    port: z.number().int().min(1).max(65535).default(514).describe('Receiver port (TLS usually 6514).'),
    transport: z
      .enum(['udp', 'tcp', 'tls'])
      .default('udp')
      .describe('udp (RFC 5426), tcp with octet-counting (RFC 6587 §3.4.1), tls (RFC 5425).'),
    protocol: z
      .enum(['rfc5424', 'rfc3164'])
      .default('rfc5424')
      .describe('Syslog header: rfc5424 (structured, ISO time) or rfc3164 (BSD).'),
    payload: z
      .enum(['cef', 'leef', 'json'])
      .default('cef')
      .describe('Message body: ArcSight CEF, IBM QRadar LEEF 2.0, or one-line JSON (Wazuh, docs/wazuh/).'),
    facility: z.number().int().min(0).max(23).default(16).describe('Syslog facility code (16 = local0).'),
    appName: z.string().min(1).max(48).default('floodgate').describe('APP-NAME / TAG field.'),
    hostname: z.string().optional().describe('HOSTNAME field (default: node.name).'),
    tls: tlsSchema.describe('TLS settings (transport tls).'),
    events,
    queue: queueSchema,
  })
  .strict();

export const splunkSinkSchema = z
  .object({
    name: name('splunk'),
    url: z
      .string()
      .url()
      .describe('HEC base URL, e.g. https://splunk.example:8088 (/services/collector/event is added).'),
    token: z
      .string()
      .min(1)
      .describe(
        'HEC token (sent as "Authorization: Splunk <token>"); "env:NAME" reads it from the environment.',
      ),
    ca,
    index: z.string().optional().describe('Target index (default: the token’s default index).'),
    sourcetype: z.string().default('floodgate:event').describe('sourcetype of every event.'),
    source: z.string().default('floodgate').describe('source of every event.'),
    events,
    queue: queueSchema,
  })
  .strict();

export const elasticSinkSchema = z
  .object({
    name: name('elastic'),
    url: z.string().url().describe('Elasticsearch/OpenSearch base URL; documents go to POST <url>/_bulk.'),
    index: z
      .string()
      .min(1)
      .default('floodgate-events')
      .describe('Index or data stream written (docs/elastic/index-template.json matches floodgate-*).'),
    apiKey: z
      .string()
      .optional()
      .describe(
        'Elasticsearch API key (base64 id:key), sent as "ApiKey"; "env:NAME" reads it from the environment.',
      ),
    ca,
    username: z
      .string()
      .optional()
      .describe('Basic auth user (OpenSearch, or Elasticsearch without API key).'),
    password: z.string().optional().describe('Basic auth password ("env:NAME": from the environment).'),
    events,
    queue: queueSchema,
  })
  .strict();

export const sentinelSinkSchema = z
  .object({
    name: name('sentinel'),
    tenantId: z.string().min(1).describe('Entra ID (Azure AD) tenant id.'),
    clientId: z.string().min(1).describe('Application (client) id of the app registration.'),
    clientSecret: z
      .string()
      .min(1)
      .describe('Client secret of the app registration ("env:NAME": from the environment).'),
    authorityUrl: z
      .string()
      .url()
      .default('https://login.microsoftonline.com')
      .describe('Entra ID authority; the token comes from <authority>/<tenant>/oauth2/v2.0/token.'),
    scope: z
      .string()
      .default('https://monitor.azure.com//.default')
      .describe('OAuth scope of the Logs Ingestion API.'),
    endpoint: z.string().url().describe('Data collection endpoint (DCE) or DCR logs ingestion URL.'),
    ruleId: z.string().min(1).describe('Immutable id of the data collection rule (dcr-…).'),
    stream: z.string().min(1).default('Custom-Floodgate_CL').describe('Stream name declared in the DCR.'),
    ca,
    apiVersion: z.string().default('2023-01-01').describe('Logs Ingestion API version.'),
    events,
    queue: queueSchema,
  })
  .strict();

export const mispSinkSchema = z
  .object({
    name: name('misp'),
    url: z.string().url().describe('MISP base URL.'),
    apiKey: z
      .string()
      .min(1)
      .describe('MISP automation key (sent in the Authorization header; "env:NAME": from the environment).'),
    ca,
    distribution: z
      .number()
      .int()
      .min(0)
      .max(3)
      .default(0)
      .describe('Event distribution: 0 your organisation only … 3 all communities.'),
    threatLevel: z
      .number()
      .int()
      .min(1)
      .max(4)
      .default(2)
      .describe('threat_level_id: 1 high, 2 medium, 3 low, 4 undefined.'),
    tags: z
      .array(z.string())
      .default(['floodgate'])
      .describe('Tags added to every event besides the family tag.'),
    toIds: z.boolean().default(false).describe('Mark source attributes for IDS export (to_ids).'),
    queue: queueSchema,
  })
  .strict();

export const kafkaSinkSchema = z
  .object({
    name: name('kafka'),
    brokers: z.array(z.string().min(1)).min(1).describe('Bootstrap brokers, host:port.'),
    clientId: z.string().default('floodgate').describe('Kafka client id.'),
    topic: z.string().min(1).default('floodgate.events').describe('Topic of the operational events.'),
    aggregatesTopic: z
      .string()
      .optional()
      .describe('When set: once per second, the busiest targets’ rates (see topTargets) go to this topic.'),
    topTargets: z.number().int().min(1).max(1000).default(50).describe('Targets per aggregate message.'),
    ssl: z.boolean().default(false).describe('Connect with TLS.'),
    sasl: z
      .object({
        mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).describe('SASL mechanism.'),
        username: z.string().describe('SASL user.'),
        password: z.string().describe('SASL password ("env:NAME": from the environment).'),
      })
      .strict()
      .optional()
      .describe('SASL authentication.'),
    events,
    queue: queueSchema,
  })
  .strict();

export const exportsConfigSchema = z
  .object({
    metrics: z
      .object({
        enabled: z
          .boolean()
          .default(true)
          .describe('Serve Prometheus metrics at GET /metrics on the API port.'),
        topTalkers: z
          .number()
          .int()
          .min(0)
          .max(100)
          .default(10)
          .describe('Busiest destination hosts exported as floodgate_top_talker_* (0 = none).'),
        processMetrics: z.boolean().default(true).describe('Include process_* and nodejs_* metrics.'),
      })
      .strict()
      .prefault({})
      .describe('Prometheus exposition (docs/metrics.md).'),
    watch: z
      .object({
        intervalMs: z
          .number()
          .int()
          .min(100)
          .max(60_000)
          .default(1000)
          .describe('How often adapter health, BGP sessions and exporters are sampled for up/down events.'),
        exporterSilentSeconds: z
          .number()
          .int()
          .min(1)
          .default(60)
          .describe('A flow exporter with no datagram for this long is reported silent.'),
      })
      .strict()
      .prefault({})
      .describe('Producers of adapter, BGP-session and exporter events.'),
    syslog: z.array(syslogSinkSchema).default([]).describe('Syslog receivers (SIEMs, Wazuh, rsyslog).'),
    splunk: z.array(splunkSinkSchema).default([]).describe('Splunk HTTP Event Collectors.'),
    elastic: z.array(elasticSinkSchema).default([]).describe('Elasticsearch / OpenSearch clusters (_bulk).'),
    sentinel: z
      .array(sentinelSinkSchema)
      .default([])
      .describe('Microsoft Sentinel / Azure Monitor Logs Ingestion API.'),
    misp: z.array(mispSinkSchema).default([]).describe('MISP instances: one MISP event per attack.'),
    kafka: z.array(kafkaSinkSchema).default([]).describe('Kafka clusters (kafkajs).'),
  })
  .strict()
  .superRefine((c, ctx) => {
    for (const kind of ['syslog', 'splunk', 'elastic', 'sentinel', 'misp', 'kafka'] as const) {
      const seen = new Set<string>();
      c[kind].forEach((s, i) => {
        if (seen.has(s.name))
          ctx.addIssue({
            code: 'custom',
            path: [kind, i, 'name'],
            message: `two ${kind} sinks are named "${s.name}": give each a unique name`,
          });
        seen.add(s.name);
      });
    }
  })
  .prefault({})
  .describe('Observability: Prometheus metrics and event exports to SIEMs and buses (docs/exports.md).');

export type ExportsConfig = z.output<typeof exportsConfigSchema>;
export type QueueConfig = z.output<typeof queueSchema>;
export type SyslogSinkConfig = z.output<typeof syslogSinkSchema>;
export type SplunkSinkConfig = z.output<typeof splunkSinkSchema>;
export type ElasticSinkConfig = z.output<typeof elasticSinkSchema>;
export type SentinelSinkConfig = z.output<typeof sentinelSinkSchema>;
export type MispSinkConfig = z.output<typeof mispSinkSchema>;
export type KafkaSinkConfig = z.output<typeof kafkaSinkSchema>;
export type ExportCategory = (typeof EXPORT_CATEGORIES)[number];
