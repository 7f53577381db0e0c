// The receiving router of floodgate's own BGP speaker, whichever daemon plays it (gobgpd, BIRD, FRR,
// ExaBGP): a daemon in a temp dir of its own with one session to floodgate that a test waits for.
import { DaemonInTempDir } from '../daemon.js';
import { waitFor } from '../wait.js';

export abstract class ReceivingRouter extends DaemonInTempDir {
  /** Names it in a time-out, e.g. "BIRD 127.0.30.3". */
  protected abstract get label(): string;

  /** Whether its session with floodgate is up (as the daemon itself reports it). */
  abstract established(): Promise<boolean>;

  async waitEstablished(timeoutMs = 20_000): Promise<void> {
    await waitFor(
      `${this.label} session Established`,
      async () => ((await this.established()) ? true : undefined),
      timeoutMs,
      200,
    );
  }
}
