// floodgate dashboard: login, then tabs over the live stream and the API (hash routes, no server
// routing needed). What the session's role cannot do is not offered.
import { effect, signal } from '@preact/signals';
import { html } from 'htm/preact';
import { render } from 'preact';
import { can, logout, resume, session } from './api.js';
import { connected, start, stop } from './live.js';
import './style.css';
import { AttackDetail } from './views/attack.js';
import { Attacks } from './views/attacks.js';
import { Audit } from './views/audit.js';
import { Exporters } from './views/exporters.js';
import { HealthView } from './views/health.js';
import { Login } from './views/login.js';
import { ManualRule } from './views/manual.js';
import { Policy } from './views/policy.js';
import { Rules } from './views/rules.js';
import { Traffic } from './views/traffic.js';

const route = signal(location.hash.slice(1) || '/attacks');
window.addEventListener('hashchange', () => (route.value = location.hash.slice(1) || '/attacks'));

interface Tab {
  readonly path: string;
  readonly label: string;
  readonly show?: () => boolean;
}
const TABS: readonly Tab[] = [
  { path: '/attacks', label: 'Attacks' },
  { path: '/rules', label: 'Rules' },
  { path: '/manual', label: 'Manual Rule', show: () => can.writeRules(session.value) },
  { path: '/policy', label: 'Policies', show: () => can.readPolicies(session.value) },
  { path: '/health', label: 'Adapters & BGP', show: () => can.readSystem(session.value) },
  { path: '/exporters', label: 'Exporters', show: () => can.readSystem(session.value) },
  { path: '/audit', label: 'Audit' },
  { path: '/traffic', label: 'Traffic' },
];

function refused(what: string) {
  const s = session.value;
  return html`<p class="error">
    Your token (${s?.role}${s?.tenant ? `, tenant ${s.tenant}` : ''}) ${what}.
  </p>`;
}

function View() {
  const [, head = '', arg = ''] = route.value.split('/');
  switch (head) {
    case 'attack':
      return html`<${AttackDetail} id=${decodeURIComponent(arg)} />`;
    case 'rules':
      return html`<${Rules} />`;
    case 'manual':
      return can.writeRules(session.value) ? html`<${ManualRule} />` : refused('cannot add rules');
    case 'policy':
      return can.readPolicies(session.value) ? html`<${Policy} />` : refused('cannot read policies');
    case 'health':
      return can.readSystem(session.value) ? html`<${HealthView} />` : refused('cannot see adapters');
    case 'exporters':
      return can.readSystem(session.value) ? html`<${Exporters} />` : refused('cannot see exporters');
    case 'audit':
      return html`<${Audit} />`;
    case 'traffic':
      return html`<${Traffic} key=${arg} initial=${decodeURIComponent(arg)} />`;
    default:
      return html`<${Attacks} />`;
  }
}

function App() {
  const s = session.value;
  if (!s) return html`<${Login} />`;
  const current = '/' + (route.value.split('/')[1] ?? '');
  return html`<div class="shell">
    <header class="top">
      <a class="brand" href="#/attacks">floodgate</a>
      <nav>
        ${TABS.filter((t) => !t.show || t.show()).map(
          (t) =>
            html`<a
              href=${`#${t.path}`}
              class=${current === t.path || (t.path === '/attacks' && current === '/attack') ? 'active' : ''}
              >${t.label}</a
            >`,
        )}
      </nav>
      <span class="who">
        <span
          class=${`dot ${connected.value ? 'on' : 'off'}`}
          title=${connected.value ? 'live' : 'reconnecting'}
        ></span>
        <span class="user">${s.name}</span> <span class="role" data-role=${s.role}>${s.role}</span>
        ${s.tenant ? html`<span class="tenant">tenant ${s.tenant}</span>` : null}
        <button class="link" onClick=${logout}>Log out</button>
      </span>
    </header>
    <main><${View} /></main>
  </div>`;
}

// The live stream runs while someone is logged in.
let streaming = false;
effect(() => {
  if (session.value && !streaming) {
    streaming = true;
    start();
  } else if (!session.value && streaming) {
    streaming = false;
    stop();
  }
});

void resume().finally(() => render(html`<${App} />`, document.getElementById('app') as HTMLElement));
