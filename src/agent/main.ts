// Process entry of the full host agent (`floodgate agent -c FILE`): loads the config file (sections `agent`
// and `detection`), builds capture, reporting and local mitigation, runs until SIGINT/SIGTERM.
import { readFileSync } from 'node:fs';
import { LocalAdapter } from '../adapters/local/adapter.js';
import { localConfigSchema } from '../adapters/config-services.js';
import { createLogger } from '../app/logger.js';
import { VERSION } from '../cli/version.js';
import { loadConfig } from '../config/load.js';
import { httpPoster } from './http.js';
import { LocalMitigation } from './local.js';
import { parseNetDev, parseNetSnmp } from './procnet.js';
import { HostAgent } from './run.js';
import { startCapture } from './tcpdump.js';

export async function runAgentUntilSignalled(configPath: string, env = process.env): Promise<number> {
  const { config } = loadConfig(configPath, env);
  const cfg = config.agent;
  const log = createLogger(config.log.level, 'floodgate-agent');
  if (config.detection.networks.length === 0) {
    log.error({}, 'detection.networks is empty: list this host\u2019s addresses (e.g. 203.0.113.10/32)');
    return 1;
  }
  // FLOODGATE_AGENT_KEY fills agent.controller.key (src/config/load.ts ENV_SECRETS)
  const key = cfg.controller.key;
  if (cfg.controller.url && !key) {
    log.error({}, 'agent.controller.key (or FLOODGATE_AGENT_KEY) is needed to report to the controller');
    return 1;
  }
  let post: ReturnType<typeof httpPoster> | undefined;
  try {
    post = cfg.controller.url
      ? httpPoster({
          url: cfg.controller.url,
          key,
          timeoutMs: cfg.controller.timeoutMs,
          ...(cfg.controller.caFile ? { ca: readFileSync(cfg.controller.caFile) } : {}),
        })
      : undefined;
  } catch (err) {
    log.error({ err: (err as Error).message }, 'agent.controller: cannot use this controller');
    return 1;
  }
  if (!post) log.warn({}, 'agent.controller.url is empty: detecting and logging only, nothing is reported');
  const m = cfg.mitigation;
  const mitigation =
    m.enabled && post
      ? new LocalMitigation(
          new LocalAdapter(
            localConfigSchema.parse({
              enabled: true,
              name: 'agent',
              nft: m.nft,
              table: m.table,
              netns: m.netns,
            }),
          ),
          m.allow,
          config.detection.networks,
          log,
        )
      : undefined;
  const agent = new HostAgent(cfg, config.detection, {
    log,
    ...(post ? { post } : {}),
    ...(mitigation ? { mitigation } : {}),
    startCapture: (onRecord) =>
      startCapture(
        {
          tcpdump: cfg.capture.tcpdump,
          interface: cfg.capture.interface,
          snaplen: cfg.capture.snaplen,
          direction: cfg.capture.direction,
          ...(cfg.capture.filter ? { filter: cfg.capture.filter } : {}),
        },
        onRecord,
      ),
    readHost: (at) => ({
      at,
      dev: parseNetDev(readFileSync('/proc/net/dev', 'utf8')),
      snmp: parseNetSnmp(readFileSync('/proc/net/snmp', 'utf8')),
    }),
    version: VERSION,
  });
  await agent.start();
  log.info(
    { controller: cfg.controller.url || null, networks: config.detection.networks, version: VERSION },
    'floodgate agent running',
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  log.info({ stats: agent.stats }, 'shutting down');
  await agent.stop();
  log.info({}, 'floodgate agent stopped');
  return 0;
}
