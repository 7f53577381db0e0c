// The documented request contracts of the notification services, checked by the local stand-ins.
// Sources: PagerDuty Events API v2 (/v2/enqueue), Slack Block Kit reference (block and element limits),
// Discord Execute Webhook and Embed Limits, Microsoft Teams incoming webhook / Workflows (28 KB, Adaptive
// Card attachment), Telegram Bot API sendMessage and "HTML style", Opsgenie Alert API v2.
import type { Vendor } from './vendor-server.js';

type Req = Parameters<Vendor['check']>[0];
type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): v is string => typeof v === 'string';

function maxLen(out: string[], v: unknown, max: number, what: string, min = 0): void {
  if (!str(v)) out.push(`${what} must be a string`);
  else if (v.length > max || v.length < min) out.push(`${what} length ${v.length} outside ${min}..${max}`);
}

function jsonPost(r: Req, out: string[]): Obj | undefined {
  if (r.method !== 'POST') out.push(`method ${r.method}, expected POST`);
  if (!String(r.headers['content-type'] ?? '').startsWith('application/json'))
    out.push('content-type is not application/json');
  if (!isObj(r.json)) {
    out.push('body is not a JSON object');
    return undefined;
  }
  return r.json;
}

export const pagerduty: Vendor = {
  check(r) {
    const out: string[] = [];
    if (r.path !== '/v2/enqueue') out.push(`path ${r.path}`);
    const b = jsonPost(r, out);
    if (!b) return out;
    if (!str(b.routing_key) || b.routing_key.length !== 32)
      out.push('routing_key must be the 32-character integration key');
    if (!['trigger', 'acknowledge', 'resolve'].includes(String(b.event_action)))
      out.push(`event_action ${String(b.event_action)}`);
    if (b.dedup_key !== undefined) maxLen(out, b.dedup_key, 255, 'dedup_key', 1);
    if (b.event_action !== 'trigger') {
      if (b.dedup_key === undefined) out.push('acknowledge/resolve need dedup_key');
      return out;
    }
    const p = b.payload;
    if (!isObj(p)) return [...out, 'trigger needs payload'];
    maxLen(out, p.summary, 1024, 'payload.summary', 1);
    maxLen(out, p.source, 255, 'payload.source', 1);
    if (!['critical', 'error', 'warning', 'info'].includes(String(p.severity)))
      out.push(`payload.severity ${String(p.severity)}`);
    if (p.timestamp !== undefined && Number.isNaN(Date.parse(String(p.timestamp))))
      out.push('payload.timestamp not ISO 8601');
    if (p.custom_details !== undefined && !isObj(p.custom_details))
      out.push('payload.custom_details not an object');
    if (b.links !== undefined && (!Array.isArray(b.links) || b.links.some((l) => !isObj(l) || !str(l.href))))
      out.push('links must be [{href, text}]');
    return out;
  },
  ok: (r) => ({
    status: 202,
    body: {
      status: 'success',
      message: 'Event processed',
      dedup_key: (r.json as Obj).dedup_key ?? 'generated',
    },
  }),
  refused: (errors) => ({
    status: 400,
    body: { status: 'invalid event', message: 'Event object is invalid', errors },
  }),
};

function textObj(out: string[], t: unknown, max: number, what: string, plainOnly = false): void {
  if (!isObj(t) || !['plain_text', 'mrkdwn'].includes(String(t.type)))
    return void out.push(`${what} must be a text object`);
  if (plainOnly && t.type !== 'plain_text') out.push(`${what} must be plain_text`);
  maxLen(out, t.text, max, `${what}.text`, 1);
}

export const slack: Vendor = {
  check(r) {
    const out: string[] = [];
    const b = jsonPost(r, out);
    if (!b) return out;
    if (b.text !== undefined) maxLen(out, b.text, 40_000, 'text');
    if (!Array.isArray(b.blocks)) return b.text ? out : [...out, 'needs text or blocks'];
    if (b.blocks.length > 50) out.push(`${b.blocks.length} blocks > 50`);
    b.blocks.forEach((blk: unknown, i) => {
      if (!isObj(blk)) return void out.push(`block ${i} not an object`);
      const w = `blocks[${i}]`;
      if (blk.type === 'header') textObj(out, blk.text, 150, `${w}.text`, true);
      else if (blk.type === 'section') {
        if (blk.text === undefined && blk.fields === undefined) out.push(`${w} needs text or fields`);
        if (blk.text !== undefined) textObj(out, blk.text, 3000, `${w}.text`);
        if (blk.fields !== undefined) {
          if (!Array.isArray(blk.fields) || blk.fields.length > 10) out.push(`${w}.fields: at most 10`);
          else blk.fields.forEach((f, j) => textObj(out, f, 2000, `${w}.fields[${j}]`));
        }
      } else if (blk.type === 'context') {
        if (!Array.isArray(blk.elements) || blk.elements.length < 1 || blk.elements.length > 10)
          out.push(`${w}.elements: 1..10`);
        else blk.elements.forEach((e, j) => textObj(out, e, 3000, `${w}.elements[${j}]`));
      } else if (blk.type === 'actions') {
        if (!Array.isArray(blk.elements) || blk.elements.length > 25) out.push(`${w}.elements: at most 25`);
        else
          for (const e of blk.elements as Obj[]) {
            textObj(out, e.text, 75, `${w} button`, true);
            if (e.url !== undefined) maxLen(out, e.url, 3000, `${w} button url`);
          }
      } else if (blk.type !== 'divider') out.push(`${w}: unexpected block type ${String(blk.type)}`);
    });
    return out;
  },
  ok: () => ({ status: 200, body: 'ok' }),
  refused: () => ({ status: 400, body: 'invalid_blocks' }),
};

export const discord: Vendor = {
  check(r) {
    const out: string[] = [];
    const b = jsonPost(r, out);
    if (!b) return out;
    if (r.query.get('wait') !== 'true') out.push('expected ?wait=true');
    if (b.content !== undefined) maxLen(out, b.content, 2000, 'content');
    if (b.username !== undefined) maxLen(out, b.username, 80, 'username', 1);
    const embeds = b.embeds;
    if (b.content === undefined && embeds === undefined) out.push('needs content or embeds');
    if (embeds === undefined) return out;
    if (!Array.isArray(embeds) || embeds.length > 10) return [...out, 'embeds: at most 10'];
    let total = 0;
    const count = (v: unknown) => (total += str(v) ? v.length : 0);
    for (const e of embeds as Obj[]) {
      if (e.title !== undefined) maxLen(out, e.title, 256, 'embed.title');
      if (e.description !== undefined) maxLen(out, e.description, 4096, 'embed.description');
      if (
        e.color !== undefined &&
        !(Number.isInteger(e.color) && (e.color as number) >= 0 && (e.color as number) <= 0xffffff)
      )
        out.push('embed.color must be an integer RGB');
      if (e.timestamp !== undefined && Number.isNaN(Date.parse(String(e.timestamp))))
        out.push('embed.timestamp not ISO 8601');
      count(e.title);
      count(e.description);
      const fields = (e.fields ?? []) as Obj[];
      if (fields.length > 25) out.push('embed.fields: at most 25');
      for (const f of fields) {
        maxLen(out, f.name, 256, 'field.name', 1);
        maxLen(out, f.value, 1024, 'field.value', 1);
        count(f.name);
        count(f.value);
      }
      if (isObj(e.footer)) {
        maxLen(out, e.footer.text, 2048, 'footer.text');
        count(e.footer.text);
      }
      if (isObj(e.author)) count(e.author.name);
    }
    if (total > 6000) out.push(`embed text totals ${total} > 6000`);
    return out;
  },
  ok: (r) => ({
    status: 200,
    body: { id: '1', type: 0, content: (r.json as Obj).content ?? '', embeds: (r.json as Obj).embeds },
  }),
  refused: (errors) => ({ status: 400, body: { code: 50035, message: 'Invalid Form Body', errors } }),
};

export const teams: Vendor = {
  check(r) {
    const out: string[] = [];
    if (Buffer.byteLength(r.raw) > 28 * 1024)
      out.push(`message is ${Buffer.byteLength(r.raw)} bytes > 28 KB`);
    const b = jsonPost(r, out);
    if (!b) return out;
    if (b.type !== 'message') out.push('type must be "message"');
    const att = b.attachments;
    if (!Array.isArray(att) || att.length < 1) return [...out, 'attachments: at least one'];
    for (const a of att as Obj[]) {
      if (a.contentType !== 'application/vnd.microsoft.card.adaptive')
        out.push(`contentType ${String(a.contentType)}`);
      const c = a.content;
      if (!isObj(c) || c.type !== 'AdaptiveCard') out.push('content must be an AdaptiveCard');
      else {
        if (!str(c.version) || !/^1\.[0-6]$/.test(c.version)) out.push(`card version ${String(c.version)}`);
        if (!Array.isArray(c.body)) out.push('card body must be an array');
        else
          for (const el of c.body as Obj[])
            if (!['TextBlock', 'FactSet', 'Container', 'ColumnSet'].includes(String(el.type)))
              out.push(`element ${String(el.type)}`);
      }
    }
    return out;
  },
  ok: () => ({ status: 202 }),
  refused: (p) => ({ status: p.some((x) => x.includes('28 KB')) ? 413 : 400, body: { error: p.join('; ') } }),
};

const TG_TAGS = new Set([
  'b',
  'strong',
  'i',
  'em',
  'u',
  'ins',
  's',
  'strike',
  'del',
  'a',
  'code',
  'pre',
  'tg-spoiler',
  'blockquote',
]);

/** Telegram "HTML style": supported tags only, properly nested; &lt; &gt; &amp; &quot; entities. Returns visible text. */
export function telegramVisible(html: string, out: string[]): string {
  const stack: string[] = [];
  let visible = '';
  const re = /<(\/?)([a-z-]+)([^>]*)>|&(lt|gt|amp|quot|#\d+);|([<>])|([^<&]+|&)/g;
  for (const m of html.matchAll(re)) {
    if (m[2] !== undefined) {
      if (!TG_TAGS.has(m[2])) out.push(`unsupported tag <${m[2]}>`);
      if (m[1]) {
        if (stack.pop() !== m[2]) out.push(`misnested </${m[2]}>`);
      } else stack.push(m[2]);
    } else if (m[4] !== undefined)
      visible +=
        m[4] === 'lt' ? '<' : m[4] === 'gt' ? '>' : m[4] === 'amp' ? '&' : m[4] === 'quot' ? '"' : '?';
    else if (m[5] !== undefined) out.push(`unescaped ${m[5]}`);
    else if (m[6] === '&') out.push('unescaped &');
    else visible += m[6] ?? '';
  }
  if (stack.length) out.push(`unclosed <${stack.join('>, <')}>`);
  return visible;
}

export const telegram: Vendor = {
  check(r) {
    const out: string[] = [];
    const m = /^\/bot(\d+:[A-Za-z0-9_-]{35})\/sendMessage$/.exec(r.path);
    if (!m) out.push(`path ${r.path} is not /bot<token>/sendMessage`);
    const b = jsonPost(r, out);
    if (!b) return out;
    if (!(str(b.chat_id) || Number.isInteger(b.chat_id))) out.push('chat_id must be an integer or @channel');
    if (b.parse_mode !== undefined && !['HTML', 'MarkdownV2', 'Markdown'].includes(String(b.parse_mode)))
      out.push('parse_mode');
    if (!str(b.text)) return [...out, 'text required'];
    const visible = b.parse_mode === 'HTML' ? telegramVisible(b.text, out) : b.text;
    if (visible.trim().length < 1 || visible.length > 4096)
      out.push(`text is ${visible.length} characters after entity parsing (1..4096)`);
    return out;
  },
  ok: (r) => ({
    status: 200,
    body: {
      ok: true,
      result: { message_id: 7, date: 1, chat: { id: -100, type: 'channel' }, text: (r.json as Obj).text },
    },
  }),
  refused: (p) => ({
    status: 400,
    body: { ok: false, error_code: 400, description: `Bad Request: ${p.join('; ')}` },
  }),
};

export const opsgenie: Vendor = {
  check(r) {
    const out: string[] = [];
    if (!/^GenieKey [0-9a-f-]{36}$/.test(String(r.headers.authorization ?? '')))
      out.push('Authorization must be "GenieKey <uuid>"');
    const b = jsonPost(r, out);
    if (!b) return out;
    const action = /^\/v2\/alerts\/([^/]+)\/(close|acknowledge)$/.exec(r.path);
    if (action) {
      if (r.query.get('identifierType') !== 'alias') out.push('identifierType=alias expected');
      maxLen(out, decodeURIComponent(action[1]!), 512, 'alias in path', 1);
      if (b.source !== undefined) maxLen(out, b.source, 100, 'source');
      if (b.user !== undefined) maxLen(out, b.user, 100, 'user');
      if (b.note !== undefined) maxLen(out, b.note, 25_000, 'note');
      return out;
    }
    if (r.path !== '/v2/alerts') return [...out, `path ${r.path}`];
    maxLen(out, b.message, 130, 'message', 1);
    if (b.alias !== undefined) maxLen(out, b.alias, 512, 'alias');
    if (b.description !== undefined) maxLen(out, b.description, 15_000, 'description');
    if (b.entity !== undefined) maxLen(out, b.entity, 512, 'entity');
    if (b.source !== undefined) maxLen(out, b.source, 100, 'source');
    if (b.priority !== undefined && !/^P[1-5]$/.test(String(b.priority)))
      out.push(`priority ${String(b.priority)}`);
    if (b.tags !== undefined) {
      if (!Array.isArray(b.tags) || b.tags.length > 20) out.push('tags: at most 20');
      else for (const t of b.tags) maxLen(out, t, 50, 'tag');
    }
    if (b.details !== undefined) {
      if (!isObj(b.details) || Object.values(b.details).some((v) => !str(v)))
        out.push('details must map strings to strings');
      else {
        const total = Object.entries(b.details).reduce((n, [k, v]) => n + k.length + (v as string).length, 0);
        if (total > 8000) out.push(`details total ${total} > 8000`);
      }
    }
    return out;
  },
  ok: () => ({
    status: 202,
    body: {
      result: 'Request will be processed',
      took: 0.02,
      requestId: '43a29c5c-3dbf-4fa4-9c26-f4f71023e120',
    },
  }),
  refused: (p) => ({ status: 422, body: { message: p.join('; '), took: 0.01, requestId: '0' } }),
};

/** Accepts anything with a 2xx: the signed webhook's own checks are done by the test with verify(). */
export const anyJson: Vendor = {
  check(r) {
    const out: string[] = [];
    jsonPost(r, out);
    return out;
  },
  ok: () => ({ status: 204 }),
  refused: () => ({ status: 400 }),
};
