// `floodgate doctor [-c FILE]`: asks a running floodgate (its API) and this host's socket table how
// each part is doing — listeners bound, exporters sending and at what sampling, BGP peers established
// with which families, adapters' health checks, the store writable — one line each, with the fix.
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ConfigError } from '../../config/errors.js';
import { loadConfig } from '../../config/load.js';
import { apiCall } from '../api-client.js';
import { type DoctorFacts, type DoctorLine, boundUdpPorts, doctorLines } from '../doctor/checks.js';

const MARK: Record<DoctorLine['status'], string> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' };

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check a running floodgate part by part: listeners, exporters, BGP peers, adapters, store')
    .option('-c, --config <file>', 'config file of the running floodgate (default ./floodgate.yaml)')
    .option('--api <url>', 'API base URL (default: from the config\u2019s api.host and api.port)')
    .option(
      '--token <token>',
      'API bearer token (default: api.token from the config, env FLOODGATE_API_TOKEN)',
    )
    .option('--json', 'print the lines as JSON')
    .action(async (o: { config?: string; api?: string; token?: string; json?: boolean }) => {
      let loaded;
      try {
        loaded = loadConfig(o.config);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        const line = {
          status: 'fail',
          part: 'config',
          message: err.message,
          fix: 'floodgate check-config shows every problem',
        };
        process.stdout.write(
          o.json
            ? JSON.stringify([line], null, 2) + '\n'
            : `FAIL config: ${line.message}\n     fix: ${line.fix}\n`,
        );
        process.exitCode = 1;
        return;
      }
      const { config } = loaded;
      const host =
        config.api.host === '0.0.0.0' ? '127.0.0.1' : config.api.host === '::' ? '::1' : config.api.host;
      const apiUrl = o.api ?? `http://${host.includes(':') ? `[${host}]` : host}:${config.api.port}`;
      const token = o.token ?? process.env.FLOODGATE_API_TOKEN ?? config.api.token;
      const opts = { api: apiUrl, ...(token ? { token } : {}) };
      const facts: DoctorFacts = {
        config,
        configFile: loaded.file,
        apiUrl,
        boundUdp: boundUdpPorts(
          ['/proc/net/udp', '/proc/net/udp6']
            .filter((p) => existsSync(p))
            .map((p) => readFileSync(p, 'utf8')),
        ),
        now: Date.now(),
      };
      const get = async <T>(path: string): Promise<T | undefined> => {
        try {
          return await apiCall<T>(opts, 'GET', path);
        } catch {
          return undefined;
        }
      };
      let health: DoctorFacts['health'];
      let apiError: string | undefined;
      try {
        // /healthz answers 503 with the same body when a part is down: both are answers
        const res = await fetch(new URL('healthz', apiUrl.endsWith('/') ? apiUrl : apiUrl + '/'), {
          headers: token ? { authorization: `Bearer ${token}` } : {},
          signal: AbortSignal.timeout(10_000),
        });
        health = (await res.json()) as DoctorFacts['health'];
      } catch (err) {
        apiError =
          (err as Error).cause instanceof Error
            ? ((err as Error).cause as Error).message
            : (err as Error).message;
      }
      const lines = doctorLines({
        ...facts,
        ...(health ? { health } : {}),
        ...(apiError ? { apiError } : {}),
        ...(health
          ? { exporters: await get('api/v1/exporters'), bgpPeers: await get('api/v1/bgp/peers') }
          : {}),
      } as DoctorFacts);
      if (o.json) process.stdout.write(JSON.stringify(lines, null, 2) + '\n');
      else
        for (const l of lines)
          process.stdout.write(
            `${MARK[l.status]} ${l.part}: ${l.message}\n${l.fix ? `     fix: ${l.fix}\n` : ''}`,
          );
      if (lines.some((l) => l.status === 'fail')) process.exitCode = 1;
    });
}
