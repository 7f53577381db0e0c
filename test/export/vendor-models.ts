// Local stand-ins for the SIEM APIs, each checking requests against the vendor's documented contract and
// answering as the vendor does (status, body shape, error codes). Violations are collected for the test.
//  - Splunk HEC: docs.splunk.com "Format events for HTTP Event Collector", "HTTP Event Collector REST API".
//  - Elasticsearch Bulk API (POST /_bulk, NDJSON, per-item status and errors).
//  - Entra ID client-credentials token + Azure Monitor Logs Ingestion API (2023-01-01).
//  - MISP automation API (events/add, attributes/add, events/edit).
import type { Recorded, Reply, VendorModel } from '../adapters/services/contract-server.js';

export const HEC_TOKEN = '11111111-2222-3333-4444-555555555555';

export function splunkModel(): VendorModel {
  return (r, v) => {
    if (r.method !== 'POST' || r.path !== '/services/collector/event') {
      v.push(`splunk: unexpected ${r.method} ${r.path}`);
      return { status: 404, body: { text: 'The requested URL was not found on this server.', code: 404 } };
    }
    const auth = r.headers['authorization'];
    if (!auth) return { status: 401, body: { text: 'Token is required', code: 2 } };
    if (auth !== `Splunk ${HEC_TOKEN}`) return { status: 403, body: { text: 'Invalid token', code: 4 } };
    const lines = r.body.split('\n').filter((l) => l.trim() !== '');
    if (lines.length === 0) return { status: 400, body: { text: 'No data', code: 5 } };
    for (const [i, line] of lines.entries()) {
      let o: Record<string, unknown>;
      try {
        o = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return { status: 400, body: { text: 'Invalid data format', code: 6, 'invalid-event-number': i } };
      }
      if (o.event === undefined)
        return {
          status: 400,
          body: { text: 'Event field is required', code: 12, 'invalid-event-number': i },
        };
      if (o.event === '' || (typeof o.event === 'object' && Object.keys(o.event as object).length === 0))
        return {
          status: 400,
          body: { text: 'Event field cannot be blank', code: 13, 'invalid-event-number': i },
        };
      if (typeof o.time !== 'number') v.push(`splunk: event ${i} time must be epoch seconds (number)`);
      else if (o.time > 1e11) v.push(`splunk: event ${i} time looks like milliseconds`);
      for (const k of Object.keys(o))
        if (!['time', 'host', 'source', 'sourcetype', 'index', 'event', 'fields'].includes(k))
          v.push(`splunk: unknown envelope key ${k}`);
      for (const k of ['host', 'source', 'sourcetype', 'index'])
        if (o[k] !== undefined && typeof o[k] !== 'string') v.push(`splunk: ${k} must be a string`);
    }
    return { status: 200, body: { text: 'Success', code: 0 } };
  };
}

export const ES_API_KEY = 'VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==';

/** Elasticsearch _bulk; `itemFaults` answers the next items with these statuses (429 = es_rejected_execution). */
export function elasticModel(docs: Map<string, unknown>, itemFaults: number[] = []): VendorModel {
  return (r, v) => {
    if (r.method !== 'POST' || r.path !== '/_bulk') {
      v.push(`elastic: unexpected ${r.method} ${r.path}`);
      return { status: 404, body: { error: 'no handler', status: 404 } };
    }
    if (r.headers['authorization'] !== `ApiKey ${ES_API_KEY}`)
      return {
        status: 401,
        headers: { 'www-authenticate': 'ApiKey' },
        body: {
          error: { type: 'security_exception', reason: 'unable to authenticate with provided credentials' },
          status: 401,
        },
      };
    const ct = r.headers['content-type'] ?? '';
    if (!/^application\/(x-ndjson|json)/.test(ct)) v.push(`elastic: content-type ${ct}`);
    if (!r.body.endsWith('\n')) {
      return {
        status: 400,
        body: {
          error: {
            type: 'illegal_argument_exception',
            reason: 'The bulk request must be terminated by a newline [\\n]',
          },
          status: 400,
        },
      };
    }
    const lines = r.body.slice(0, -1).split('\n');
    if (lines.length % 2 !== 0) v.push('elastic: action and source lines must pair up');
    const items: Record<string, unknown>[] = [];
    let errors = false;
    for (let i = 0; i + 1 < lines.length; i += 2) {
      const action = JSON.parse(lines[i]!) as Record<string, { _index?: string; _id?: string }>;
      const [op, meta] = Object.entries(action)[0] ?? [];
      if (op !== 'create' && op !== 'index') v.push(`elastic: action ${op}`);
      if (!meta?._index) v.push('elastic: action without _index');
      const source = JSON.parse(lines[i + 1]!) as Record<string, unknown>;
      if (typeof source['@timestamp'] !== 'string') v.push('elastic: document without @timestamp');
      const id = meta?._id ?? `auto-${docs.size}`;
      const fault = itemFaults.shift();
      if (fault) {
        errors = true;
        items.push({
          [op!]: {
            _index: meta?._index,
            _id: id,
            status: fault,
            error: { type: 'es_rejected_execution_exception', reason: 'rejected execution' },
          },
        });
      } else if (op === 'create' && docs.has(id)) {
        errors = true;
        items.push({
          [op]: {
            _index: meta?._index,
            _id: id,
            status: 409,
            error: {
              type: 'version_conflict_engine_exception',
              reason: `[${id}]: version conflict, document already exists`,
            },
          },
        });
      } else {
        docs.set(id, source);
        items.push({ [op!]: { _index: meta?._index, _id: id, _version: 1, result: 'created', status: 201 } });
      }
    }
    return { status: 200, body: { took: 3, errors, items } };
  };
}

export interface SentinelState {
  /** Model clock, ms. */
  now: number;
  readonly tokens: Map<string, number>;
  readonly rows: Record<string, unknown>[];
  issued: number;
  expiresIn: number;
}

export const AZ = {
  tenant: 'contoso-tenant',
  client: 'app-id-1',
  secret: 's3cr3t~',
  dcr: 'dcr-0123456789abcdef',
  stream: 'Custom-Floodgate_CL',
};

export function sentinelModel(st: SentinelState): VendorModel {
  return (r: Recorded, v: string[]): Reply => {
    if (r.path === `/${AZ.tenant}/oauth2/v2.0/token`) {
      if (r.method !== 'POST') v.push('token: method');
      if (!(r.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded'))
        v.push('token: content-type');
      const f = new URLSearchParams(r.body);
      if (f.get('grant_type') !== 'client_credentials') v.push(`token: grant_type ${f.get('grant_type')}`);
      if (f.get('scope') !== 'https://monitor.azure.com//.default') v.push(`token: scope ${f.get('scope')}`);
      if (f.get('client_id') !== AZ.client || f.get('client_secret') !== AZ.secret)
        return {
          status: 401,
          body: {
            error: 'invalid_client',
            error_description: 'AADSTS7000215: Invalid client secret provided.',
            error_codes: [7000215],
          },
        };
      const token = `tok-${++st.issued}`;
      st.tokens.set(token, st.now + st.expiresIn * 1000);
      return {
        status: 200,
        body: {
          token_type: 'Bearer',
          expires_in: st.expiresIn,
          ext_expires_in: st.expiresIn,
          access_token: token,
        },
      };
    }
    if (r.path === `/dataCollectionRules/${AZ.dcr}/streams/${AZ.stream}`) {
      if (r.method !== 'POST') v.push('ingest: method');
      if (r.query.get('api-version') !== '2023-01-01')
        v.push(`ingest: api-version ${r.query.get('api-version')}`);
      if (!(r.headers['content-type'] ?? '').startsWith('application/json')) v.push('ingest: content-type');
      const tok = (r.headers['authorization'] ?? '').replace(/^Bearer /, '');
      const exp = st.tokens.get(tok);
      if (exp === undefined || exp <= st.now)
        return {
          status: 401,
          body: {
            error: { code: 'InvalidToken', message: 'The provided access token has expired or is invalid.' },
          },
        };
      if (Buffer.byteLength(r.body) > 1024 * 1024)
        return {
          status: 413,
          body: {
            error: {
              code: 'ContentLengthLimitExceeded',
              message: 'Maximum allowed content length: 1048576 bytes',
            },
          },
        };
      const rows = JSON.parse(r.body) as unknown;
      if (!Array.isArray(rows)) {
        v.push('ingest: body must be a JSON array');
        return { status: 400, body: { error: { code: 'InvalidContent', message: 'not an array' } } };
      }
      for (const row of rows as Record<string, unknown>[]) {
        if (typeof row.TimeGenerated !== 'string' || Number.isNaN(Date.parse(row.TimeGenerated)))
          v.push('ingest: row without TimeGenerated');
        st.rows.push(row);
      }
      return { status: 204 };
    }
    v.push(`sentinel: unexpected ${r.method} ${r.path}`);
    return { status: 404, body: { error: { code: 'NotFound' } } };
  };
}

export const MISP_KEY = 'MispAutomationKey0123456789abcdefghijklmnop';
const MISP_TYPES = new Set(['ip-src', 'ip-dst', 'domain', 'comment', 'text']);

export interface MispState {
  readonly events: Map<string, { Event: Record<string, unknown>; attributes: Record<string, unknown>[] }>;
}

export function mispModel(st: MispState): VendorModel {
  const attr = (a: Record<string, unknown>, v: string[]) => {
    if (!MISP_TYPES.has(String(a.type))) v.push(`misp: attribute type ${String(a.type)}`);
    if (a.category !== 'Network activity') v.push(`misp: attribute category ${String(a.category)}`);
    if (typeof a.value !== 'string' || a.value === '') v.push('misp: attribute value');
    if (a.to_ids !== undefined && typeof a.to_ids !== 'boolean') v.push('misp: to_ids must be boolean');
  };
  return (r, v) => {
    if (r.headers['authorization'] !== MISP_KEY)
      return {
        status: 403,
        body: {
          name: 'Authentication failed. Please make sure you pass the API key of an API enabled user along in the Authorization header.',
          message: 'Authentication failed.',
          url: r.path,
        },
      };
    if (r.headers['accept'] !== 'application/json') v.push('misp: Accept must be application/json');
    if (!(r.headers['content-type'] ?? '').startsWith('application/json')) v.push('misp: content-type');
    const body = r.json as Record<string, unknown> | undefined;
    if (r.method === 'POST' && r.path === '/events/add') {
      const e = body?.Event as Record<string, unknown> | undefined;
      if (!e || typeof e.info !== 'string' || e.info === '')
        return {
          status: 403,
          body: {
            name: 'Could not add Event',
            message: 'Could not add Event',
            errors: { Event: { info: ['Info cannot be empty.'] } },
          },
        };
      if (!/^\d{4}-\d{2}-\d{2}$/.test(String(e.date))) v.push('misp: date must be YYYY-MM-DD');
      if (!['0', '1', '2', '3', '4', '5'].includes(String(e.distribution))) v.push('misp: distribution');
      if (!['1', '2', '3', '4'].includes(String(e.threat_level_id))) v.push('misp: threat_level_id');
      if (!['0', '1', '2'].includes(String(e.analysis))) v.push('misp: analysis');
      for (const a of (e.Attribute as Record<string, unknown>[] | undefined) ?? []) attr(a, v);
      for (const t of (e.Tag as { name?: unknown }[] | undefined) ?? [])
        if (typeof t.name !== 'string') v.push('misp: tag name');
      const id = String(st.events.size + 1);
      st.events.set(id, { Event: e, attributes: [...((e.Attribute as Record<string, unknown>[]) ?? [])] });
      return { status: 200, body: { Event: { id, uuid: `uuid-${id}`, info: e.info, published: false } } };
    }
    let m = /^\/attributes\/add\/(\d+)$/.exec(r.path);
    if (r.method === 'POST' && m) {
      const ev = st.events.get(m[1]!);
      if (!ev)
        return { status: 404, body: { name: 'Invalid event.', message: 'Invalid event.', url: r.path } };
      attr(body ?? {}, v);
      ev.attributes.push(body ?? {});
      return {
        status: 200,
        body: { Attribute: { id: String(ev.attributes.length), event_id: m[1], ...body } },
      };
    }
    m = /^\/events\/edit\/(\d+)$/.exec(r.path);
    if (r.method === 'POST' && m) {
      const ev = st.events.get(m[1]!);
      if (!ev) return { status: 404, body: { name: 'Invalid event', message: 'Invalid event', url: r.path } };
      Object.assign(ev.Event, (body?.Event as object) ?? {});
      return { status: 200, body: { Event: { id: m[1], ...ev.Event } } };
    }
    v.push(`misp: unexpected ${r.method} ${r.path}`);
    return { status: 404, body: { name: 'Not Found', message: 'Not Found', url: r.path } };
  };
}
