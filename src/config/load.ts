// Loads floodgate.yaml (or safe defaults when there is none), applies environment overrides for
// secrets, validates against the one schema and freezes the result.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { SECRET_ENV } from '../adapters/config-services.js';
import { ConfigError, problemsFromZod } from './errors.js';
import { configSchema, type Config } from './schema.js';

export const DEFAULT_CONFIG_FILE = 'floodgate.yaml';
/** A config file larger than this is refused before it is read (a real one is a few KiB). */
export const MAX_CONFIG_BYTES = 1024 * 1024;
/** YAML aliases expanded per document; more is refused (a "billion laughs" file expands exponentially). */
export const MAX_ALIAS_COUNT = 100;

/** Secrets that may come from the environment instead of the file: variable → key path. */
export const ENV_SECRETS: Readonly<Record<string, readonly string[]>> = {
  FLOODGATE_API_TOKEN: ['api', 'token'],
  FLOODGATE_POSTGRES_URL: ['store', 'postgresUrl'],
  FLOODGATE_AGENT_KEY: ['agent', 'controller', 'key'],
  ...Object.fromEntries(
    Object.entries(SECRET_ENV).flatMap(([section, keys]) =>
      Object.entries(keys).map(([key, variable]) => [variable, ['adapters', section, key]]),
    ),
  ),
};

export interface LoadedConfig {
  readonly config: Config;
  /** Absolute path of the file read, or undefined when running on defaults. */
  readonly file: string | undefined;
  /** Keys filled from the environment (paths, never values). */
  readonly fromEnv: readonly string[];
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (next === undefined || next === null) node[key] = {};
    else if (typeof next !== 'object' || Array.isArray(next)) return; // schema will report the bad shape
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Parses YAML text into a plain object; syntax errors name line and column. */
export function parseConfigText(text: string, source: string): Record<string, unknown> {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      source,
      doc.errors.map((e) => ({
        path: e.linePos ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '',
        message: e.message.split('\n')[0] ?? e.message,
      })),
    );
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    throw new ConfigError(
      source,
      [
        {
          path: '',
          message: `YAML aliases expand beyond ${MAX_ALIAS_COUNT} references (${(err as Error).message})`,
        },
      ],
      { cause: err },
    );
  }
  if (raw === null || raw === undefined) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(source, [
      {
        path: '',
        message: `expected a mapping of sections, found ${Array.isArray(raw) ? 'a list' : typeof raw}`,
      },
    ]);
  }
  return raw as Record<string, unknown>;
}

/** Validates a raw object (from YAML, the API or a test) into a frozen Config. */
export function validateConfig(
  raw: Record<string, unknown>,
  source: string,
  env: NodeJS.ProcessEnv = process.env,
): { config: Config; fromEnv: string[] } {
  const input = structuredClone(raw);
  const fromEnv: string[] = [];
  for (const [name, path] of Object.entries(ENV_SECRETS)) {
    const value = env[name];
    if (value !== undefined && value !== '') {
      setPath(input, path, value);
      fromEnv.push(path.join('.'));
    }
  }
  const result = configSchema.safeParse(input, { reportInput: true });
  if (!result.success) throw new ConfigError(source, problemsFromZod(result.error.issues));
  return { config: deepFreeze(result.data), fromEnv };
}

/**
 * Reads the config: an explicit path must exist; without one, ./floodgate.yaml is used when present,
 * else the safe defaults (SQLite in ./data, dry-run mitigation).
 */
export function loadConfig(path?: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  let file: string | undefined;
  if (path !== undefined) {
    file = resolve(path);
    if (!existsSync(file)) throw new ConfigError(file, [{ path: '', message: 'file not found' }]);
  } else if (existsSync(DEFAULT_CONFIG_FILE)) {
    file = resolve(DEFAULT_CONFIG_FILE);
  }
  if (file !== undefined) {
    const size = statSync(file).size;
    if (size > MAX_CONFIG_BYTES)
      throw new ConfigError(file, [
        { path: '', message: `file is ${size} octets; the limit is ${MAX_CONFIG_BYTES}` },
      ]);
  }
  const raw = file === undefined ? {} : parseConfigText(readFileSync(file, 'utf8'), file);
  const { config, fromEnv } = validateConfig(raw, file ?? '(defaults)', env);
  return { config, file, fromEnv };
}
