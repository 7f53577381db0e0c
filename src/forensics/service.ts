// Imperative shell of forensics: the collector's raw-header tap feeds the recorder, attack events from the
// event bus open and close captures, finished captures are written (async, counted on failure) and served.
import { dirname, join } from 'node:path';
import type { OpsEvent } from '../domain/events.js';
import type { RawHeaderTap } from '../flow/sink.js';
import { SFLOW_HP_ETHERNET, SFLOW_HP_IPV4 } from '../flow/packet.js';
import { wordsToIpString } from '../net/index.js';
import type { ForensicsConfig } from './config.js';
import { CaptureFiles } from './files.js';
import { AttackRecorder, type Capture } from './recorder.js';
import { captureInfo, renderCapture, type CaptureInfo } from './render.js';

/** pcap LINKTYPEs for sFlow header_protocol 1 / 11 / 12 (tcpdump.org linktypes: ETHERNET, IPV4, IPV6). */
const linkOf = (hp: number) => (hp === SFLOW_HP_ETHERNET ? 1 : hp === SFLOW_HP_IPV4 ? 228 : 229);

export interface ForensicsPorts {
  list(): Promise<CaptureInfo[]>;
  pcap(attackId: string): Promise<{ info: CaptureInfo; data: Buffer } | undefined>;
}

export interface ForensicsLog {
  info(o: object, m: string): void;
  error(o: object, m: string): void;
}

/** The default capture folder: next to the SQLite file, else ./data/pcap. */
export function captureDirectory(cfg: ForensicsConfig, sqlitePath: string | undefined): string {
  if (cfg.directory) return cfg.directory;
  if (sqlitePath && sqlitePath !== ':memory:') return join(dirname(sqlitePath), 'pcap');
  return join('data', 'pcap');
}

export class Forensics implements ForensicsPorts {
  readonly recorder: AttackRecorder;
  readonly files: CaptureFiles;
  private readonly writes = new Set<Promise<void>>();
  writeErrors = 0;
  /** Attacks that ended with no sample to write. */
  empty = 0;
  private lastDv: DataView | undefined;
  private lastBytes: Uint8Array = new Uint8Array(0);
  written = 0;

  constructor(
    cfg: ForensicsConfig,
    dir: string,
    private readonly version: string,
    private readonly log: ForensicsLog,
    private readonly now: () => number = Date.now,
  ) {
    this.recorder = new AttackRecorder(cfg.ring, { preAttackSeconds: cfg.preAttackSeconds, ...cfg.capture });
    this.files = new CaptureFiles(dir, cfg);
  }

  /** Hooked into the flow collector (hot path: one key, one copy of the header octets into the ring). */
  readonly tap: RawHeaderTap = (dv, off, len, hp, origLength, b, i, exporter) => {
    const family = b.family[i] === 6 ? 6 : 4;
    const key = family === 4 ? (b.dstAddr[i * 4] as number) : wordsToIpString(b.dstAddr, i * 4, 6);
    if (dv !== this.lastDv) {
      // one byte view per datagram, not per sample
      this.lastDv = dv;
      this.lastBytes = new Uint8Array(dv.buffer, dv.byteOffset, dv.byteLength);
    }
    this.recorder.sample(
      key,
      this.lastBytes,
      off,
      len,
      b.endMs[i] as number,
      linkOf(hp),
      origLength,
      exporter,
      b.samplingRate[i] as number,
    );
  };

  /** Subscribed to the app's event bus. */
  readonly onEvent = (ev: OpsEvent): void => {
    if (ev.type !== 'attack') return;
    const done = this.recorder.event(ev.event);
    if (done) this.persist(done);
  };

  private persist(c: Capture): void {
    // no sFlow raw header reached this target (NetFlow/IPFIX only, or sampled out): nothing to write
    if (c.samples.length === 0) {
      this.empty++;
      return;
    }
    const p = this.files
      .write(captureInfo(c, true), renderCapture(c, true, this.version), this.now())
      .then((info) => {
        this.written++;
        this.log.info(
          { attackId: info.attackId, file: info.file, packets: info.packets, bytes: info.size },
          'attack capture written',
        );
      })
      .catch((err: unknown) => {
        this.writeErrors++;
        this.log.error({ err, attackId: c.attackId }, 'could not write the attack capture');
      })
      .finally(() => this.writes.delete(p));
    this.writes.add(p);
  }

  async list(): Promise<CaptureInfo[]> {
    const ongoing = this.recorder.ongoing().map((c) => captureInfo(c, false));
    return [...ongoing, ...(await this.files.list())];
  }

  async pcap(attackId: string): Promise<{ info: CaptureInfo; data: Buffer } | undefined> {
    const c = this.recorder.current(attackId);
    if (c) return { info: captureInfo(c, false), data: renderCapture(c, false, this.version) };
    return this.files.read(attackId);
  }

  stats(): Record<string, unknown> {
    return {
      ...this.recorder.ring.stats(),
      activeCaptures: this.recorder.activeCount,
      written: this.written,
      empty: this.empty,
      writeErrors: this.writeErrors,
    };
  }

  /** Writes the captures of attacks still running and waits for every write. */
  async stop(): Promise<void> {
    for (const c of this.recorder.drain()) this.persist(c);
    await Promise.all([...this.writes]);
  }
}
