// Learned detection baselines outlive a restart: saved to the store's state every minute and at stop,
// restored at start (an unreadable blob is logged and detection starts fresh).
import type { Detector } from '../detect/detector.js';
import type { StateRepository } from '../domain/store-port.js';
import type { Logger } from './logger.js';

const BASELINE_KEY = 'detect.baselines';
export const BASELINE_SAVE_MS = 60_000;

export async function restoreBaselines(
  state: StateRepository,
  detector: Detector,
  log: Logger,
): Promise<void> {
  const blob = await state.get(BASELINE_KEY);
  if (!blob) return;
  try {
    const n = detector.loadBaselines(JSON.parse(blob) as Parameters<Detector['loadBaselines']>[0]);
    log.info({ baselines: n }, 'detection baselines restored');
  } catch (err) {
    log.warn({ err }, 'stored detection baselines unreadable; starting fresh');
  }
}

export async function saveBaselines(state: StateRepository, detector: Detector, log: Logger): Promise<void> {
  try {
    await state.put(BASELINE_KEY, JSON.stringify(detector.baselinesToJSON()));
  } catch (err) {
    log.error({ err }, 'could not save detection baselines');
  }
}
