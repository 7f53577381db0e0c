// Metrics wrapper around any adapter (STYLE.md rule 8: metrics are a wrapper, not code in the driver):
// times announce, withdraw and test and reports each call's outcome to an observer. Everything else,
// including driver-specific members, is forwarded untouched.
import type { Adapter, AdapterHealth, AdapterResult } from '../domain/adapter-port.js';

export type MeasuredOp = 'announce' | 'withdraw' | 'test';

export interface CallObserver {
  observe(adapter: string, op: MeasuredOp, seconds: number, ok: boolean): void;
}

export function measuredAdapter(
  inner: Adapter,
  observer: CallObserver,
  now: () => number = () => performance.now(),
): Adapter {
  const timed = async <T>(op: MeasuredOp, call: () => Promise<T>, ok: (v: T) => boolean): Promise<T> => {
    const t0 = now();
    try {
      const v = await call();
      observer.observe(inner.name, op, (now() - t0) / 1000, ok(v));
      return v;
    } catch (err) {
      observer.observe(inner.name, op, (now() - t0) / 1000, false);
      throw err;
    }
  };
  const wrapped: Partial<Adapter> = {
    announce: (rule) =>
      timed(
        'announce',
        () => inner.announce(rule),
        (r: AdapterResult) => r.ok,
      ),
    withdraw: (rule) =>
      timed(
        'withdraw',
        () => inner.withdraw(rule),
        (r: AdapterResult) => r.ok,
      ),
    test: () =>
      timed(
        'test',
        () => inner.test(),
        (h: AdapterHealth) => h.status !== 'down',
      ),
  };
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop in wrapped) return wrapped[prop as keyof Adapter];
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
