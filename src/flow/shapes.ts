// Compiled template shapes cached by field list, not per template instance: exporters resend the same
// templates every few minutes, many exporters share one shape, and a flood of template ids that repeat one field
// list then costs one compiled shape. LRU-bounded in shapes and in fields so that distinct hostile shapes cannot
// grow it; an evicted shape stays alive only while a stored template still uses it.
import type { TemplateShape } from './templates.js';

export const SHAPE_CACHE_LIMIT = 1024;
export const SHAPE_CACHE_FIELDS = 64 * 1024;

const cache = new Map<string, TemplateShape>();
let fields = 0;
let hits = 0;
let misses = 0;

/** The cached shape for `key`, or the one `build` makes (cached). `build` may return undefined (not cached). */
export function internShape(key: string, build: () => TemplateShape | undefined): TemplateShape | undefined {
  const hit = cache.get(key);
  if (hit) {
    hits++;
    // refresh LRU position (Map iterates in insertion order)
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  misses++;
  const s = build();
  if (!s) return undefined;
  cache.set(key, s);
  fields += s.ops.length;
  while (cache.size > SHAPE_CACHE_LIMIT || fields > SHAPE_CACHE_FIELDS) {
    const [oldest, shape] = cache.entries().next().value as [string, TemplateShape];
    cache.delete(oldest);
    fields -= shape.ops.length;
  }
  return s;
}

export function shapeCacheStats(): { shapes: number; fields: number; hits: number; misses: number } {
  return { shapes: cache.size, fields, hits, misses };
}
