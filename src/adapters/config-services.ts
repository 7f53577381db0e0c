// Config sections for the service adapters (Cloudflare Magic Transit, Radware DefenseFlow, F5 BIG-IP,
// webhook) and the local nftables adapter: one zod schema each, every key with a default and help text.
// Secrets can come from the environment (FLOODGATE_<ADAPTER>_<KEY>), which wins over the file.
import { z } from 'zod';

export const retrySchema = z
  .object({
    attempts: z
      .number()
      .int()
      .min(1)
      .max(20)
      .default(4)
      .describe('Total HTTP attempts per request, first included.'),
    baseDelayMs: z
      .number()
      .int()
      .min(1)
      .default(250)
      .describe('First backoff step; doubles per retry (full jitter).'),
    maxDelayMs: z.number().int().min(1).default(8000).describe('Upper bound of one backoff wait.'),
    timeoutMs: z
      .number()
      .int()
      .min(100)
      .default(10_000)
      .describe('Deadline of one attempt (connect + headers + body).'),
    maxRetryAfterMs: z
      .number()
      .int()
      .min(0)
      .default(60_000)
      .describe('A Retry-After longer than this ends the attempt as retryable instead of waiting.'),
  })
  .describe('Retry and timeout policy for this adapter.');

const name = (d: string) =>
  z.string().min(1).default(d).describe('Adapter name used in health, failover and audit.');
const tls = z
  .boolean()
  .default(false)
  .describe('Accept a self-signed TLS certificate (appliances). Leave false for anything public.');

export const cloudflareConfigSchema = z
  .object({
    enabled: z.boolean().default(false).describe('Use Cloudflare Magic Transit on-demand advertisement.'),
    name: name('cloudflare'),
    apiBase: z
      .string()
      .url()
      .default('https://api.cloudflare.com/client/v4')
      .describe('Cloudflare API base URL.'),
    accountId: z.string().default('').describe('Cloudflare account id owning the BYOIP prefixes.'),
    apiToken: z
      .string()
      .default('')
      .describe(
        'API token with "Magic Transit Write" or "IP Prefixes: BGP On Demand Write" (env FLOODGATE_CLOUDFLARE_API_TOKEN).',
      ),
    endpoint: z
      .enum(['prefix-status', 'bgp-prefixes'])
      .default('prefix-status')
      .describe(
        'prefix-status: advertise the onboarded IP prefix (PATCH .../bgp/status); bgp-prefixes: advertise the BGP prefix (e.g. the /24) holding the target (PATCH .../bgp/prefixes/{id}).',
      ),
    coverLengthV4: z
      .number()
      .int()
      .min(8)
      .max(24)
      .default(24)
      .describe('Length of the IPv4 covering prefix advertised for a target (Cloudflare accepts up to /24).'),
    coverLengthV6: z
      .number()
      .int()
      .min(16)
      .max(48)
      .default(48)
      .describe('Length of the IPv6 covering prefix advertised for a target (up to /48).'),
    retry: retrySchema.default(retrySchema.parse({})).describe('Retry and timeout policy for this adapter.'),
  })
  .describe('Cloudflare Magic Transit on-demand: advertise the covering prefix during an attack.');

export const radwareConfigSchema = z
  .object({
    enabled: z.boolean().default(false).describe('Use Radware DefenseFlow.'),
    name: name('radware'),
    baseUrl: z
      .string()
      .default('')
      .describe('APSolute Vision / Cyber Controller URL hosting DefenseFlow, e.g. https://vision.example.'),
    username: z.string().default('').describe('Vision user (env FLOODGATE_RADWARE_USERNAME).'),
    password: z.string().default('').describe('Vision password (env FLOODGATE_RADWARE_PASSWORD).'),
    auth: z
      .enum(['session', 'basic'])
      .default('session')
      .describe(
        'session: POST /mgmt/system/user/login and send JSESSIONID; basic: HTTP Basic on every call.',
      ),
    attackIdPrefix: z
      .string()
      .regex(/^[A-Za-z0-9_.-]*$/)
      .default('floodgate-')
      .describe('Prefix of the externalAttackId floodgate gives DefenseFlow, so it can find its own.'),
    insecureTls: tls,
    retry: retrySchema.default(retrySchema.parse({})).describe('Retry and timeout policy for this adapter.'),
  })
  .describe('Radware DefenseFlow: start and stop external-detector attacks (protections) per target.');

export const f5ConfigSchema = z
  .object({
    enabled: z.boolean().default(false).describe('Use F5 BIG-IP AFM DoS profiles.'),
    name: name('f5'),
    baseUrl: z.string().default('').describe('BIG-IP management URL, e.g. https://bigip.example.'),
    username: z.string().default('').describe('BIG-IP user (env FLOODGATE_F5_USERNAME).'),
    password: z.string().default('').describe('BIG-IP password (env FLOODGATE_F5_PASSWORD).'),
    auth: z
      .enum(['token', 'basic'])
      .default('token')
      .describe(
        'token: POST /mgmt/shared/authn/login, send X-F5-Auth-Token; basic: HTTP Basic on every call.',
      ),
    loginProviderName: z.string().default('tmos').describe('Login provider for token auth.'),
    partition: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+$/)
      .default('Common')
      .describe('Partition holding the profiles and virtual servers floodgate creates (multi-tenant F5).'),
    namePrefix: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_.-]*$/)
      .default('floodgate_')
      .describe('Name prefix of every object floodgate creates, so it can list and remove its own.'),
    attach: z
      .enum(['virtual-server', 'none'])
      .default('virtual-server')
      .describe(
        'virtual-server: a forwarding virtual server per target/protocol/port carries the DoS profile; none: profile only.',
      ),
    maxVirtualServers: z
      .number()
      .int()
      .min(1)
      .max(64)
      .default(16)
      .describe(
        'Most virtual servers one rule may create (protocols x ports); more is refused, never truncated.',
      ),
    avgPacketBytes: z
      .number()
      .int()
      .min(40)
      .max(9000)
      .default(500)
      .describe(
        'Packet size assumed to turn a rate-limit rule (bytes/s) into DoS vector limits (packets/s).',
      ),
    dropLimitPps: z
      .number()
      .int()
      .min(1)
      .default(10)
      .describe('Vector rate limit (packets/s) for drop/blackhole/scrubbing rules: next to nothing passes.'),
    insecureTls: tls,
    retry: retrySchema.default(retrySchema.parse({})).describe('Retry and timeout policy for this adapter.'),
  })
  .describe('F5 BIG-IP iControl REST: DoS profiles per target, protocol and port.');

export const webhookConfigSchema = z
  .object({
    enabled: z.boolean().default(false).describe('Send signed JSON for every announce and withdraw.'),
    name: name('webhook'),
    url: z.string().default('').describe('Endpoint receiving POSTed events.'),
    secret: z
      .string()
      .default('')
      .describe('HMAC-SHA256 signing secret (env FLOODGATE_WEBHOOK_SECRET). Empty = unsigned.'),
    authToken: z
      .string()
      .default('')
      .describe('Sent as "Authorization: Bearer <token>" when set (env FLOODGATE_WEBHOOK_AUTH_TOKEN).'),
    headers: z.record(z.string(), z.string()).default({}).describe('Extra headers on every request.'),
    retry: retrySchema.default(retrySchema.parse({})).describe('Retry and timeout policy for this adapter.'),
  })
  .describe('Generic webhook: documented, signed JSON payloads (docs/webhook.md).');

export const localConfigSchema = z
  .object({
    enabled: z.boolean().default(false).describe('Mitigate on this Linux server with nftables.'),
    name: name('local'),
    nft: z.string().default('nft').describe('nft binary.'),
    table: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_]*$/)
      .default('floodgate')
      .describe('Name of the inet table floodgate owns; nothing outside it is touched.'),
    netns: z
      .string()
      .regex(/^[A-Za-z0-9_.-]*$/)
      .default('')
      .describe(
        'Run every command inside this network namespace (ip netns exec); empty = current namespace.',
      ),
    prerouting: z
      .number()
      .int()
      .default(-300)
      .describe('Priority of the prerouting chain (raw = -300: drops before conntrack spends memory).'),
    synproxyMss: z.number().int().min(536).max(65495).default(1460).describe('MSS the SYNPROXY announces.'),
    synproxyWscale: z
      .number()
      .int()
      .min(0)
      .max(14)
      .default(7)
      .describe('Window scale the SYNPROXY announces.'),
    geoipDatabase: z
      .string()
      .default('')
      .describe('Path of a MaxMind-format (.mmdb) country database for geo lockdown.'),
    commandTimeoutMs: z
      .number()
      .int()
      .min(100)
      .default(10_000)
      .describe('Deadline of one nft/sysctl command.'),
  })
  .describe('Local nftables mitigation on the protected server.');

export type RetryConfig = z.infer<typeof retrySchema>;
export type CloudflareConfig = z.infer<typeof cloudflareConfigSchema>;
export type RadwareConfig = z.infer<typeof radwareConfigSchema>;
export type F5Config = z.infer<typeof f5ConfigSchema>;
export type WebhookConfig = z.infer<typeof webhookConfigSchema>;
export type LocalConfig = z.infer<typeof localConfigSchema>;

/** Environment variables that override secrets, per section and key. */
export const SECRET_ENV: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  cloudflare: { apiToken: 'FLOODGATE_CLOUDFLARE_API_TOKEN', accountId: 'FLOODGATE_CLOUDFLARE_ACCOUNT_ID' },
  radware: { username: 'FLOODGATE_RADWARE_USERNAME', password: 'FLOODGATE_RADWARE_PASSWORD' },
  f5: { username: 'FLOODGATE_F5_USERNAME', password: 'FLOODGATE_F5_PASSWORD' },
  webhook: { secret: 'FLOODGATE_WEBHOOK_SECRET', authToken: 'FLOODGATE_WEBHOOK_AUTH_TOKEN' },
};

/** Returns a copy of the raw section with secrets from the environment filled in (env wins). */
export function withEnvSecrets<T extends Record<string, unknown>>(
  section: keyof typeof SECRET_ENV & string,
  raw: T | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
): T {
  const out: Record<string, unknown> = { ...(raw ?? {}) };
  for (const [key, variable] of Object.entries(SECRET_ENV[section] ?? {})) {
    const v = env[variable];
    if (v !== undefined && v !== '') out[key] = v;
  }
  return out as T;
}

export const servicesConfigSchema = z
  .object({
    cloudflare: cloudflareConfigSchema
      .default(cloudflareConfigSchema.parse({}))
      .describe('Cloudflare Magic Transit on-demand.'),
    radware: radwareConfigSchema.default(radwareConfigSchema.parse({})).describe('Radware DefenseFlow.'),
    f5: f5ConfigSchema.default(f5ConfigSchema.parse({})).describe('F5 BIG-IP DoS profiles.'),
    webhook: webhookConfigSchema.default(webhookConfigSchema.parse({})).describe('Signed webhook.'),
    local: localConfigSchema.default(localConfigSchema.parse({})).describe('Local nftables mitigation.'),
  })
  .describe('Scrubbing-service, webhook and local adapters.');
export type ServicesConfig = z.infer<typeof servicesConfigSchema>;

/** Parses the services sections with environment secrets applied; throws ZodError with paths on bad input. */
export function parseServicesConfig(
  raw: Record<string, unknown> | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
): ServicesConfig {
  const r = raw ?? {};
  const pick = (k: string) => (r[k] as Record<string, unknown> | undefined) ?? {};
  return servicesConfigSchema.parse({
    cloudflare: withEnvSecrets('cloudflare', pick('cloudflare'), env),
    radware: withEnvSecrets('radware', pick('radware'), env),
    f5: withEnvSecrets('f5', pick('f5'), env),
    webhook: withEnvSecrets('webhook', pick('webhook'), env),
    local: pick('local'),
  });
}
