// Small shared pieces: a loading/error wrapper for API reads, tables, badges.
import { html } from 'htm/preact';
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiFailure } from './api.js';

export interface Loaded<T> {
  data: T | undefined;
  error: string | undefined;
  reload: () => void;
}

/** Runs `load` on mount, when `deps` change, and every `everyMs` (0 = never). */
export function useApi<T>(load: () => Promise<T>, deps: readonly unknown[], everyMs = 0): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    const run = () =>
      load().then(
        (d) => live && (setData(d), setError(undefined)),
        (e: unknown) =>
          live &&
          setError(e instanceof ApiFailure ? `${e.code}: ${e.message}` : String((e as Error).message)),
      );
    void run();
    const timer = everyMs ? setInterval(run, everyMs) : undefined;
    return () => {
      live = false;
      if (timer) clearInterval(timer);
    };
  }, [...deps, n]);
  return { data, error, reload: () => setN((x) => x + 1) };
}

export function Problem({ error }: { error: string | undefined }) {
  return error ? html`<p class="error" role="alert">${error}</p>` : null;
}

export function Badge({ kind, children }: { kind: string; children: ComponentChildren }) {
  return html`<span class=${`badge ${kind}`}>${children}</span>`;
}

export function Section({ title, children }: { title: string; children: ComponentChildren }) {
  return html`<section>
    <h2>${title}</h2>
    ${children}
  </section>`;
}

export function Json({ value }: { value: unknown }) {
  return html`<pre class="json">${JSON.stringify(value, null, 2)}</pre>`;
}
