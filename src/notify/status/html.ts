// The public status page as one server-rendered HTML document: readable without JavaScript (a meta
// refresh inside <noscript> reloads it), and with JavaScript it listens to the page's event stream
// (Server-Sent Events) and swaps in the fresh content when an incident changes (at most once a second,
// so a storm of incident changes costs each reader one fetch per second).
import { escapeHtml as h } from '../channels/text.js';
import type { PublicIncident, PublicStatus } from './model.js';

const STATE_CLASS = {
  operational: 'ok',
  monitoring: 'watch',
  mitigating: 'attack',
  recovering: 'watch',
} as const;

function incident(i: PublicIncident): string {
  return `<article class="incident" data-incident="${h(i.id)}">
<h3>${h(i.title)}</h3>
<p class="meta">Started ${h(i.startedAt.replace('T', ' ').slice(0, 16))} UTC · ${i.ongoing ? 'ongoing for' : 'lasted'} ${h(i.duration)}${i.peak ? ` · peak ${h(i.peak)}` : ''}</p>
${i.ongoing ? `<p class="mitigation"><strong>Mitigation:</strong> ${h(i.mitigation)}.</p>` : ''}
<ol class="updates">${i.updates.map((u) => `<li><time datetime="${h(u.at)}">${h(u.at.slice(11, 16))} UTC</time> ${h(u.text)}</li>`).join('')}</ol>
</article>`;
}

/** The part that live updates replace. */
export function renderLive(s: PublicStatus): string {
  const bars = s.days
    .map(
      (d) =>
        `<span class="day ${d.worst}" title="${h(d.date)}: ${d.incidents} incident${d.incidents === 1 ? '' : 's'}"></span>`,
    )
    .join('');
  return `<section id="state" class="banner ${STATE_CLASS[s.state]}" data-state="${s.state}"><p>${h(s.summary)}</p></section>
<section id="current"><h2>Current incidents</h2>${s.current.length ? s.current.map(incident).join('\n') : '<p class="none">No current incidents.</p>'}</section>
<section id="days"><h2>Last ${s.historyDays} days</h2><div class="bars" aria-hidden="true">${bars}</div></section>
<section id="history"><h2>Past incidents</h2>${s.history.length ? s.history.map(incident).join('\n') : `<p class="none">No incidents in the last ${s.historyDays} days.</p>`}</section>
<p class="updated">Updated <time datetime="${h(s.generatedAt)}">${h(s.generatedAt.replace('T', ' ').slice(0, 19))} UTC</time></p>`;
}

export function renderPage(s: PublicStatus, refreshSeconds: number, base: string): string {
  const slug = encodeURIComponent(s.tenant);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(s.title)}</title>
<noscript><meta http-equiv="refresh" content="${refreshSeconds}"></noscript>
<link rel="alternate" type="application/rss+xml" title="${h(s.title)} (RSS)" href="${base}/${slug}/feed.rss">
<link rel="alternate" type="application/atom+xml" title="${h(s.title)} (Atom)" href="${base}/${slug}/feed.atom">
<style>
body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#222}
.banner{padding:1rem;border-radius:.4rem;color:#fff;font-weight:600}.ok{background:#2e7d32}.watch{background:#ef6c00}.attack{background:#c62828}
.incident{border-left:4px solid #999;padding:.2rem 1rem;margin:1rem 0}.meta,.updated{color:#666;font-size:.9rem}
.bars{display:flex;gap:2px}.day{flex:1;height:2rem;background:#2e7d32;border-radius:2px}.day.info{background:#90caf9}.day.warning{background:#ef6c00}.day.critical{background:#c62828}
</style></head>
<body><header><h1>${h(s.title)}</h1>${s.description ? `<p>${h(s.description)}</p>` : ''}</header>
<main id="live">${renderLive(s)}</main>
<footer><p>Feeds: <a href="${base}/${slug}/feed.rss">RSS</a> · <a href="${base}/${slug}/feed.atom">Atom</a> · <a href="${base}/${slug}/status.json">JSON</a></p></footer>
<script>
(function(){if(!window.EventSource||!window.fetch)return;var es=new EventSource(${JSON.stringify(`${base}/${slug}/events`)});
function load(){fetch(${JSON.stringify(`${base}/${slug}?fragment=live`)},{cache:'no-store'}).then(function(r){return r.ok?r.text():null}).then(function(t){if(t!==null)document.getElementById('live').innerHTML=t})}
var t=0;function soon(){if(!t)t=setTimeout(function(){t=0;load()},1000)}
es.addEventListener('incident',soon);es.addEventListener('open',soon);})();
</script>
</body></html>`;
}
