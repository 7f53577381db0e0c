// Secrets of the export sinks may be written as `env:NAME` in floodgate.yaml, so tokens and keys stay
// out of the file; they are read when a request is built, and a missing variable is a clear, final
// delivery error (counted as dead letters and logged), never a crash.

export type Secret =
  { readonly ok: true; readonly value: string } | { readonly ok: false; readonly error: string };

const REF = /^env:([A-Za-z_][A-Za-z0-9_]*)$/;

export function resolveSecret(value: string, what: string, env: NodeJS.ProcessEnv = process.env): Secret {
  const m = REF.exec(value);
  if (!m) return { ok: true, value };
  const v = env[m[1]!];
  return v === undefined || v === ''
    ? { ok: false, error: `${what}: environment variable ${m[1]} (named by "${value}") is not set` }
    : { ok: true, value: v };
}

/** Throws the resolution error (for call sites inside a try that maps errors to a delivery). */
export function secretOrThrow(value: string, what: string): string {
  const s = resolveSecret(value, what);
  if (!s.ok) throw new SecretError(s.error);
  return s.value;
}

export class SecretError extends Error {
  override readonly name = 'SecretError';
}
