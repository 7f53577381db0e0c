// `floodgate rpki validate PREFIX [ASN]`: route origin validation (RFC 6811) of one prefix against the
// RPKI sources of the config, or of --cache / --file given here; `floodgate rpki status` asks a running
// floodgate's API for its caches, serials, VRP counts and data age.
import type { Command } from 'commander';
import { rpkiVerdictJson, rpkiOriginAs } from '../../app/rpki.js';
import { ConfigError } from '../../config/errors.js';
import { loadConfig } from '../../config/load.js';
import { tryParsePrefix } from '../../net/prefix.js';
import { rpkiConfigSchema } from '../../rpki/config.js';
import { RpkiService } from '../../rpki/service.js';
import { parseAsn } from '../../rpki/vrp.js';
import { apiCall, apiOptions } from '../api-client.js';

interface ValidateOptions {
  config?: string;
  cache?: string[];
  file?: string[];
  timeout: string;
  json?: boolean;
}

export function registerRpki(program: Command): void {
  const rpki = program.command('rpki').description('RPKI origin validation (RTR caches, VRP files)');
  rpki
    .command('validate <prefix> [asn]')
    .description('validate PREFIX originated by ASN (default: rpki.originAs, else bgp.localAs)')
    .option('-c, --config <file>', 'config file whose rpki section supplies the sources')
    .option('--cache <host:port>', 'RTR cache to ask instead (repeatable, in preference order)', collect, [])
    .option('--file <path-or-url>', 'VRP file or URL to read instead (repeatable)', collect, [])
    .option('--timeout <seconds>', 'how long to wait for the data', '15')
    .option('--json', 'print JSON')
    .action(async (prefixText: string, asnText: string | undefined, o: ValidateOptions) => {
      const prefix = tryParsePrefix(prefixText);
      if (!prefix) return fail(`not an IP prefix: ${prefixText}`);
      const asn = asnText === undefined ? undefined : parseAsn(asnText);
      if (asnText !== undefined && asn === undefined) return fail(`not an AS number: ${asnText}`);
      let service: RpkiService;
      try {
        service = buildService(o, asn);
      } catch (err) {
        return fail((err as Error).message);
      }
      if (!service.configured)
        return fail('no RPKI source: give --cache or --file, or configure rpki in the config');
      const originAs = asn ?? service.originAs;
      if (originAs === undefined)
        return fail('no origin AS: give ASN, or set rpki.originAs / bgp.localAs in the config');
      await service.start();
      try {
        const ready = await service.whenReady(Number(o.timeout) * 1000);
        if (!ready)
          return fail(`no RPKI data within ${o.timeout} s: ${JSON.stringify(service.status().caches)}`);
        const out = { prefix: prefixText, ...rpkiVerdictJson(service.validate(prefix, originAs)) };
        if (o.json) process.stdout.write(JSON.stringify(out, null, 2) + '\n');
        else {
          process.stdout.write(
            `${out.prefix} AS${originAs}: ${String(out.state)}\n  ${String(out.detail)}\n`,
          );
        }
      } finally {
        service.stop();
      }
    });
  rpki
    .command('status')
    .description(
      "a running floodgate's RPKI caches, serials, VRP counts and data age (GET /api/v1/rpki/status)",
    )
    .option('--api <url>', 'floodgate API base URL (env FLOODGATE_API)')
    .option('--token <token>', 'API bearer token (env FLOODGATE_API_TOKEN)')
    .action(async (o: { api?: string; token?: string }) => {
      const status = await apiCall(apiOptions(o), 'GET', 'api/v1/rpki/status');
      process.stdout.write(JSON.stringify(status, null, 2) + '\n');
    });
}

function collect(v: string, all: string[]): string[] {
  return [...all, v];
}

function fail(msg: string): void {
  process.stderr.write(`floodgate rpki: ${msg}\n`);
  process.exitCode = 2;
}

function buildService(o: ValidateOptions, asn: number | undefined): RpkiService {
  const cli = (o.cache?.length ?? 0) + (o.file?.length ?? 0) > 0;
  if (cli) {
    const caches = (o.cache ?? []).map((c) => {
      const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(c);
      if (!m) throw new Error(`--cache wants host:port, got ${c}`);
      return { host: m[1], port: Number(m[2]) };
    });
    const files = (o.file ?? []).map((f) => (/^https?:\/\//.test(f) ? { url: f } : { path: f }));
    return new RpkiService({
      config: rpkiConfigSchema.parse({ caches, files }),
      ...(asn !== undefined ? { originAs: asn } : {}),
    });
  }
  try {
    const { config } = loadConfig(o.config);
    const originAs = asn ?? rpkiOriginAs(config);
    return new RpkiService({ config: config.rpki, ...(originAs !== undefined ? { originAs } : {}) });
  } catch (err) {
    if (err instanceof ConfigError) throw new Error(err.message, { cause: err });
    throw err;
  }
}
