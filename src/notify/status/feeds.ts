// Status feeds: RSS 2.0 and Atom (RFC 4287), one entry per incident (updated as it changes), and the
// JSON document the page is built from. Dates: RFC 822 for RSS, RFC 3339 for Atom.
import { escapeHtml as x } from '../channels/text.js';
import type { PublicIncident, PublicStatus } from './model.js';

function summary(i: PublicIncident): string {
  return [
    `${i.attack}.`,
    i.ongoing ? `Mitigation: ${i.mitigation}.` : `Resolved after ${i.duration}.`,
    ...i.updates.map((u) => `${u.at} ${u.text}`),
  ].join('\n');
}

export function renderRss(s: PublicStatus, pageUrl: string): string {
  const items = [...s.current, ...s.history]
    .map(
      (i) =>
        `<item><title>${x(i.title)}</title><link>${x(pageUrl)}</link><guid isPermaLink="false">floodgate-${x(s.tenant)}-${x(i.id)}</guid><pubDate>${new Date(i.updatedAt).toUTCString()}</pubDate><description>${x(summary(i))}</description></item>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>${x(s.title)}</title><link>${x(pageUrl)}</link><description>${x(s.summary)}</description><lastBuildDate>${new Date(s.generatedAt).toUTCString()}</lastBuildDate>
${items}
</channel></rss>
`;
}

export function renderAtom(s: PublicStatus, pageUrl: string, selfUrl: string): string {
  const all = [...s.current, ...s.history];
  const updated = all.length
    ? all.reduce((m, i) => (i.updatedAt > m ? i.updatedAt : m), all[0]!.updatedAt)
    : s.generatedAt;
  const entries = all
    .map(
      (i) =>
        `<entry><id>urn:floodgate:status:${x(encodeURIComponent(s.tenant))}:${x(i.id)}</id><title>${x(i.title)}</title><updated>${i.updatedAt}</updated><published>${i.startedAt}</published><link href="${x(pageUrl)}"/><summary>${x(summary(i))}</summary></entry>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><id>urn:floodgate:status:${x(encodeURIComponent(s.tenant))}</id><title>${x(s.title)}</title><updated>${updated}</updated><link rel="self" href="${x(selfUrl)}"/><link rel="alternate" href="${x(pageUrl)}"/><author><name>floodgate</name></author>
${entries}
</feed>
`;
}
