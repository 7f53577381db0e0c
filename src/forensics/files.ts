// Attack captures on disk: <name>.pcapng with a <name>.json sidecar (CaptureInfo). Retention (age) and a disk
// quota (oldest deleted first) are enforced after every write. The file name is derived from the attack id.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { CaptureInfo } from './render.js';

export interface RetentionPolicy {
  readonly retentionDays: number;
  readonly maxDiskBytes: number;
}

/** A file-safe, collision-free name: readable part of the id plus a hash of all of it. */
export function captureName(attackId: string): string {
  const readable = attackId.replace(/[^A-Za-z0-9.-]+/g, '_').slice(0, 80);
  return `${readable}-${createHash('sha256').update(attackId).digest('hex').slice(0, 12)}`;
}

export class CaptureFiles {
  constructor(
    readonly dir: string,
    private readonly policy: RetentionPolicy,
  ) {}

  async write(info: CaptureInfo, pcap: Buffer, now: number): Promise<CaptureInfo> {
    await mkdir(this.dir, { recursive: true });
    const name = captureName(info.attackId);
    const full: CaptureInfo = { ...info, size: pcap.length, file: `${name}.pcapng` };
    // write then rename: a reader never sees half a file
    await writeFile(join(this.dir, `${name}.pcapng.tmp`), pcap);
    await rename(join(this.dir, `${name}.pcapng.tmp`), join(this.dir, `${name}.pcapng`));
    await writeFile(join(this.dir, `${name}.json`), JSON.stringify(full));
    await this.enforce(now);
    return full;
  }

  async list(): Promise<CaptureInfo[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    const out: CaptureInfo[] = [];
    for (const n of names.filter((x) => x.endsWith('.json'))) {
      try {
        out.push(JSON.parse(await readFile(join(this.dir, n), 'utf8')) as CaptureInfo);
      } catch {
        // a sidecar deleted or half-written meanwhile: not listed
      }
    }
    return out.sort((a, b) => b.startedAt - a.startedAt);
  }

  async read(attackId: string): Promise<{ info: CaptureInfo; data: Buffer } | undefined> {
    const name = captureName(attackId);
    try {
      const info = JSON.parse(await readFile(join(this.dir, `${name}.json`), 'utf8')) as CaptureInfo;
      return { info, data: await readFile(join(this.dir, `${name}.pcapng`)) };
    } catch {
      return undefined;
    }
  }

  /** Deletes captures older than the retention, then the oldest until the total is under the quota. */
  async enforce(now: number): Promise<number> {
    const all = (await this.list()).sort((a, b) => a.startedAt - b.startedAt);
    const cutoff = now - this.policy.retentionDays * 86_400_000;
    let total = 0;
    for (const c of all) total += c.size ?? 0;
    let deleted = 0;
    for (const c of all) {
      if ((c.endedAt ?? c.startedAt) >= cutoff && total <= this.policy.maxDiskBytes) break;
      await this.remove(c.attackId);
      total -= c.size ?? 0;
      deleted++;
    }
    return deleted;
  }

  private async remove(attackId: string): Promise<void> {
    const name = captureName(attackId);
    await rm(join(this.dir, `${name}.json`), { force: true });
    await rm(join(this.dir, `${name}.pcapng`), { force: true });
  }

  async size(): Promise<number> {
    let total = 0;
    for (const n of await readdir(this.dir).catch(() => [] as string[]))
      total += (await stat(join(this.dir, n)).catch(() => ({ size: 0 }))).size;
    return total;
  }
}
