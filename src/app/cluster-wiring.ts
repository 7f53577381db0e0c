// Wiring of the `cluster` section in `floodgate run`: the ClusterNode (NATS roles, engine leadership in
// PostgreSQL) when the config asks for one. Its modules (nats, pg) are imported only then, so the default
// single process does not carry them (docs/performance.md "Memory").
import { clusterWanted } from '../cluster/config.js';
import type { ClusterHooks, ClusterNode } from '../cluster/node.js';
import type { Config } from '../config/schema.js';
import type { Logger } from './logger.js';
import { loadOptional } from './optional.js';

/** The cluster node the config asks for, or undefined for the default single process. */
export async function buildCluster(
  config: Config,
  log: Logger,
  hooks: Omit<ClusterHooks, 'onDeposed'>,
): Promise<ClusterNode | undefined> {
  if (!clusterWanted(config.cluster)) return undefined;
  const { ClusterNode } = await loadOptional('cluster', 'nats and pg', () => import('../cluster/node.js'));
  return new ClusterNode(config.cluster, config.node.name, config.store.postgresUrl, log, {
    ...hooks,
    onDeposed: (reason) => {
      // fail-stop: the fence already refuses every call; a supervisor restarts us as a standby
      log.error({ reason }, 'cluster: deposed; shutting down so a restart rejoins as standby');
      process.exitCode = 75;
      process.kill(process.pid, 'SIGTERM');
    },
  });
}
