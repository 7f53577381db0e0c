import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffConfig } from './diff.js';
import { ConfigError } from './errors.js';
import { loadConfig, parseConfigText, validateConfig } from './load.js';

function file(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'fg-cfg-'));
  const path = join(dir, 'floodgate.yaml');
  writeFileSync(path, text);
  return path;
}

function problemsOf(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return [...(err as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}

describe('config loading', () => {
  it('runs on safe defaults with no file: SQLite in ./data, API on loopback 8080, flow listeners 2055/4739/6343', () => {
    const { config } = validateConfig({}, '(defaults)', {});
    expect(config.store).toEqual({ driver: 'sqlite', sqlitePath: './data/floodgate.db' });
    expect(config.api).toMatchObject({ host: '127.0.0.1', port: 8080, enabled: true });
    expect(config.flow.listeners.map((l) => `${l.protocol}:${l.port}`)).toEqual([
      'netflow:2055',
      'netflow:4739',
      'sflow:6343',
    ]);
    expect(Object.isFrozen(config.api)).toBe(true);
  });

  it('names the key path, what was expected and what was found', () => {
    const problems = problemsOf(() =>
      loadConfig(file('api:\n  port: "eighty"\nstore:\n  driver: mysql\n'), {}),
    );
    expect(problems).toContainEqual({ path: 'api.port', message: 'expected number, found string "eighty"' });
    expect(problems).toContainEqual({
      path: 'store.driver',
      message: 'expected one of "sqlite", "postgres", found string "mysql"',
    });
  });

  it('rejects unknown keys by their full path', () => {
    const problems = problemsOf(() => validateConfig({ api: { prot: 1 } }, 'x', {}));
    expect(problems).toEqual([{ path: 'api.prot', message: expect.stringContaining('unknown key') }]);
  });

  it('reports a YAML syntax error with line and column', () => {
    const problems = problemsOf(() => parseConfigText('api:\n  port: [1, 2\n', 'x.yaml'));
    expect(problems[0]?.path).toMatch(/^line \d+, column \d+$/);
  });

  it('reports list items by index', () => {
    const problems = problemsOf(() =>
      validateConfig(
        {
          flow: {
            listeners: [
              { protocol: 'netflow', port: 2055 },
              { protocol: 'ipfix', port: 1 },
            ],
          },
        },
        'x',
        {},
      ),
    );
    expect(problems[0]?.path).toBe('flow.listeners[1].protocol');
  });

  it('refuses a missing explicit file', () => {
    const problems = problemsOf(() => loadConfig('/nonexistent/floodgate.yaml', {}));
    expect(problems[0]?.message).toBe('file not found');
  });

  it('takes secrets from the environment and says which', () => {
    const loaded = loadConfig(file('api:\n  port: 9090\n'), { FLOODGATE_API_TOKEN: 's3cret' });
    expect(loaded.config.api.token).toBe('s3cret');
    expect(loaded.fromEnv).toEqual(['api.token']);
  });
});

describe('config diff for live reload', () => {
  it('separates keys applied in place from keys that need a restart', () => {
    const a = validateConfig({}, 'a', {}).config;
    const b = validateConfig(
      {
        api: { port: 9000 },
        log: { level: 'debug' },
        flow: { exporters: ['10.0.0.1'] },
        mitigation: { ttlSeconds: 600 },
      },
      'b',
      {},
    ).config;
    const d = diffConfig(a, b);
    expect([...d.restartRequired].sort()).toEqual(['api.port', 'flow.exporters']);
    expect([...d.live].sort()).toEqual(['log.level', 'mitigation.ttlSeconds']);
  });

  it('reports nothing for identical configs', () => {
    const a = validateConfig({}, 'a', {}).config;
    expect(diffConfig(a, a).changed).toEqual([]);
  });
});

describe('floodgate.example.yaml', () => {
  it('is current with the schema (regenerate with npm run gen:example-config)', async () => {
    const { readFileSync } = await import('node:fs');
    const { renderExampleConfig } = await import('./example.js');
    expect(readFileSync('floodgate.example.yaml', 'utf8')).toBe(renderExampleConfig());
  });

  it('loads as a valid config equal to the defaults', async () => {
    const loaded = loadConfig('floodgate.example.yaml', {});
    expect(loaded.config).toEqual(validateConfig({}, 'defaults', {}).config);
  });
});
