// The effective mitigation and detection policy as the dashboard shows it (read only): escalation
// policies, guards and whitelists, limits, tenants and their networks, thresholds. Anything that looks
// like a credential is replaced before it leaves the process.
import type { Config } from '../config/schema.js';

export const REDACTED = '[redacted]';

/** Key names whose values are credentials, whatever section they sit in. */
const SECRET_KEY = /(token|secret|password|passphrase|passwd|api[-_]?key|private[-_]?key|credential|auth)/i;
/** user:password@ inside a URL. */
const URL_PASSWORD = /^([a-z][a-z0-9+.-]*:\/\/[^/:@\s]+):[^@/\s]+@/i;

/** A deep copy with credentials replaced: secret-named keys, and passwords inside URLs. */
export function redactSecrets(value: unknown, key = ''): unknown {
  if (key && SECRET_KEY.test(key) && value !== undefined && value !== null && typeof value !== 'boolean')
    return REDACTED;
  if (typeof value === 'string') return value.replace(URL_PASSWORD, `$1:${REDACTED}@`);
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactSecrets(v, k);
    return out;
  }
  return value;
}

/** GET /api/v1/policy: the running (reloaded) config's mitigation and detection sections. */
export function effectivePolicy(config: Config): {
  dryRun: boolean;
  mitigation: unknown;
  detection: unknown;
} {
  return {
    dryRun: config.mitigation.dryRun,
    mitigation: redactSecrets(config.mitigation),
    detection: redactSecrets(config.detection),
  };
}
