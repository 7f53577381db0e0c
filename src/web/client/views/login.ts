// Login with an API token; kept in this tab's sessionStorage only.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { ApiFailure, login } from '../api.js';

export function Login() {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await login(token.trim());
    } catch (err) {
      setError(
        err instanceof ApiFailure && (err.status === 401 || err.status === 403)
          ? 'This token is not accepted.'
          : `Cannot log in: ${(err as Error).message}`,
      );
    } finally {
      setBusy(false);
    }
  };
  return html`<main class="login">
    <form onSubmit=${submit}>
      <h1>floodgate</h1>
      <label
        >API token
        <input
          type="password"
          name="token"
          autocomplete="off"
          value=${token}
          onInput=${(e: Event) => setToken((e.target as HTMLInputElement).value)}
      /></label>
      <button type="submit" disabled=${busy}>Log in</button>
      ${error ? html`<p class="error" role="alert">${error}</p>` : null}
      <p class="hint">The token stays in this browser tab (sessionStorage) until you log out or close it.</p>
    </form>
  </main>`;
}
