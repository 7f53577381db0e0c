// Config reload (SIGHUP, POST /api/v1/config/reload): re-read the file, refuse a config the running
// parts would refuse, apply the live keys in place, name the keys that need a restart, audit it.
import type { ReloadOutcome } from '../api/ports.js';
import { isLoopback } from '../config/checks.js';
import { diffConfig } from '../config/diff.js';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { Detector } from '../detect/detector.js';
import type { MitigationRunner } from '../engine-shell/runner.js';
import type { SqlStore } from '../store/sql-store.js';
import type { Logger } from './logger.js';
import type { Observability } from './observability.js';

/** The running parts a reload reads and swaps (the app's; the detector and config are swapped in place). */
export interface ReloadTarget {
  readonly env: NodeJS.ProcessEnv | undefined;
  readonly log: Logger;
  readonly runner: Pick<MitigationRunner, 'reloadConfig'>;
  readonly obs: Observability | undefined;
  readonly audit: SqlStore['audit'];
  loaded(): LoadedConfig;
  detector(): Detector;
  swapDetector(detector: Detector): void;
  swapConfig(next: LoadedConfig): void;
}

/** Re-reads the config file; applies what can change in place, names what needs a restart. */
export async function reloadConfig(app: ReloadTarget, actor: string): Promise<ReloadOutcome> {
  const { log } = app;
  let next: LoadedConfig;
  try {
    next = loadConfig(app.loaded().file, app.env);
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    log.error({ actor, error }, 'config reload refused: the running config stays');
    return { ok: false, applied: [], restartRequired: [], error };
  }
  const api = next.config.api;
  if (api.enabled && !isLoopback(api.host) && !api.token) {
    const error = `api.token: required when api.host (${api.host}) is not a loopback address`;
    log.error({ actor, error }, 'config reload refused: the running config stays');
    return { ok: false, applied: [], restartRequired: [], error };
  }
  const diff = diffConfig(app.loaded().config, next.config);
  const changedSection = (s: string) => diff.live.some((p) => p === s || p.startsWith(s + '.'));
  let detector: Detector | undefined;
  try {
    // build everything new before swapping anything, so a config the parts refuse changes nothing
    if (changedSection('detection'))
      detector = new Detector(next.config.detection, { node: next.config.node.name });
  } catch (err) {
    const error = `config refused by detection: ${(err as Error).message}`;
    log.error({ actor, error }, 'config reload refused: the running config stays');
    return { ok: false, applied: [], restartRequired: [], error };
  }
  if (detector) {
    // counters restart from zero; learned baselines carry over
    detector.loadBaselines(app.detector().baselinesToJSON());
    app.swapDetector(detector);
  }
  if (changedSection('mitigation')) app.runner.reloadConfig(next.config.mitigation, actor);
  if (changedSection('log')) log.level = next.config.log.level;
  if (changedSection('exports')) await app.obs?.reload(next.config.exports);
  app.swapConfig({ ...next, config: next.config });
  if (diff.restartRequired.length) {
    log.warn({ keys: diff.restartRequired }, 'config reload: these keys change only after a restart');
  }
  log.info({ actor, applied: diff.live, restartRequired: diff.restartRequired }, 'config reloaded');
  await app.audit
    .append({
      at: Date.now(),
      actor,
      action: 'config',
      tenant: '*',
      dryRun: app.loaded().config.mitigation.dryRun,
      reason: `config reload: ${diff.live.length} keys applied, ${diff.restartRequired.length} need a restart`,
      payload: diff,
    })
    .catch((err: unknown) => log.error({ err }, 'could not audit the config reload'));
  return { ok: true, applied: diff.live, restartRequired: diff.restartRequired };
}
