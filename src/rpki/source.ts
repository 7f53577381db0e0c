// A VRP file or URL, re-read periodically. A path is re-read when its mtime changes; a URL is fetched
// with If-None-Match / If-Modified-Since (RFC 9110 §13.1) so an unchanged file costs a 304. A file that
// fails to read or parse keeps the previous data and records the error.
import { readFile, stat } from 'node:fs/promises';
import { parseVrpFile, type VrpFileFormat } from './files.js';
import type { Vrp } from './vrp.js';

export interface VrpSourceSpec {
  readonly path?: string;
  readonly url?: string;
  readonly refreshSeconds: number;
}

export interface VrpSourceStatus {
  readonly source: string;
  readonly format: VrpFileFormat | null;
  readonly vrps: number;
  /** When the data was produced (file metadata, else Last-Modified / mtime), ms since epoch. */
  readonly generatedAt: number | null;
  readonly loadedAt: number | null;
  readonly checkedAt: number | null;
  readonly lastError: string | null;
  readonly errors: number;
}

export class VrpFileSource {
  private data: Vrp[] | undefined;
  private format: VrpFileFormat | undefined;
  private generatedAt: number | undefined;
  private loadedAt: number | undefined;
  private checkedAt: number | undefined;
  private lastError: string | undefined;
  private errors = 0;
  private etag: string | undefined;
  private lastModified: string | undefined;
  private mtimeMs: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly spec: VrpSourceSpec,
    private readonly onChange: () => void,
    private readonly log: (
      level: 'info' | 'warn',
      msg: string,
      fields: Record<string, unknown>,
    ) => void = () => {},
    private readonly now: () => number = Date.now,
  ) {}

  get name(): string {
    return this.spec.path ?? this.spec.url ?? '?';
  }

  start(): Promise<void> {
    this.timer = setInterval(() => void this.check(), this.spec.refreshSeconds * 1000);
    this.timer.unref?.();
    return this.check();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  vrps(): readonly Vrp[] | undefined {
    return this.data;
  }

  status(): VrpSourceStatus {
    return {
      source: this.name,
      format: this.format ?? null,
      vrps: this.data?.length ?? 0,
      generatedAt: this.generatedAt ?? null,
      loadedAt: this.loadedAt ?? null,
      checkedAt: this.checkedAt ?? null,
      lastError: this.lastError ?? null,
      errors: this.errors,
    };
  }

  /** One check; concurrent calls share it. */
  check(): Promise<void> {
    this.running ??= this.checkOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  private async checkOnce(): Promise<void> {
    this.checkedAt = this.now();
    try {
      const got = this.spec.path
        ? await this.readPath(this.spec.path)
        : await this.fetchUrl(this.spec.url as string);
      if (!got) return; // unchanged
      const parsed = parseVrpFile(got.text, this.name);
      this.data = parsed.vrps;
      this.format = parsed.format;
      this.generatedAt = parsed.generatedAt ?? got.modifiedAt;
      this.loadedAt = this.now();
      this.lastError = undefined;
      this.log('info', 'VRP file loaded', {
        source: this.name,
        format: parsed.format,
        vrps: parsed.vrps.length,
      });
      this.onChange();
    } catch (err) {
      this.errors++;
      this.lastError = (err as Error).message;
      this.log('warn', 'VRP file refused: the previous data stays in use', {
        source: this.name,
        error: this.lastError,
        vrps: this.data?.length ?? 0,
      });
    }
  }

  private async readPath(path: string): Promise<{ text: string; modifiedAt: number } | undefined> {
    const st = await stat(path);
    if (this.data && st.mtimeMs === this.mtimeMs) return undefined;
    const text = await readFile(path, 'utf8');
    this.mtimeMs = st.mtimeMs;
    return { text, modifiedAt: st.mtimeMs };
  }

  private async fetchUrl(url: string): Promise<{ text: string; modifiedAt: number } | undefined> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.data && this.etag) headers['if-none-match'] = this.etag;
    if (this.data && this.lastModified) headers['if-modified-since'] = this.lastModified;
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(30_000) });
    if (res.status === 304) {
      await res.body?.cancel();
      return undefined;
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new Error(`HTTP ${res.status} ${res.statusText}`);
    }
    const text = await res.text();
    this.etag = res.headers.get('etag') ?? undefined;
    this.lastModified = res.headers.get('last-modified') ?? undefined;
    const lm = this.lastModified ? Date.parse(this.lastModified) : NaN;
    return { text, modifiedAt: Number.isNaN(lm) ? this.now() : lm };
  }
}
