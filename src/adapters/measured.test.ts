import { describe, expect, it } from 'vitest';
import { measuredAdapter } from './measured.js';
import type { Adapter } from '../domain/adapter-port.js';

class Fake implements Adapter {
  readonly name = 'fake';
  readonly kind = 'test';
  readonly capabilities = { families: [4, 6] as (4 | 6)[], intents: ['drop' as const] };
  extra = 7;
  okNext = true;
  announce = async (_rule: unknown) => ({ ok: this.okNext, payload: { n: 1 } });
  withdraw = async (_rule: unknown): Promise<never> => {
    throw new Error('down');
  };
  list = async () => [];
  test = async () => this.health();
  health = () => ({ status: 'up' as const, detail: '', checkedAt: 0 });
  close = async () => undefined;
  bump(): number {
    return ++this.extra;
  }
}

describe('measuredAdapter', () => {
  it('times and reports each call, forwards results, errors and everything else', async () => {
    const seen: string[] = [];
    let t = 0;
    const inner = new Fake();
    const a = measuredAdapter(
      inner,
      { observe: (name, op, s, ok) => seen.push(`${name}:${op}:${s}:${ok}`) },
      () => (t += 500),
    ) as Fake;
    expect(await a.announce({} as never)).toEqual({ ok: true, payload: { n: 1 } });
    inner.okNext = false;
    await a.announce({} as never);
    await expect(a.withdraw({} as never)).rejects.toThrow('down');
    await a.test();
    expect(seen).toEqual([
      'fake:announce:0.5:true',
      'fake:announce:0.5:false',
      'fake:withdraw:0.5:false',
      'fake:test:0.5:true',
    ]);
    expect(a.name).toBe('fake');
    expect(a.bump()).toBe(8);
    expect(inner.extra).toBe(8);
  });
});
