// Cloudflare API model for the contract test, after developers.cloudflare.com/api (IP Address Management:
// "List Prefixes" GET /accounts/{account_id}/addressing/prefixes, "Update Prefix Dynamic Advertisement
// Status" PATCH /accounts/{account_id}/addressing/prefixes/{prefix_id}/bgp/status, body {advertised:
// boolean}); v4 envelope {success, errors[{code,message}], messages, result}; API tokens as
// "Authorization: Bearer". Auth failure answers 403 with code 10000 "Authentication error" as the API does.
import type { Recorded, Reply } from './contract-server.js';

export interface CfBgpPrefixState {
  id: string;
  cidr: string;
  advertised: boolean;
}

export interface CfPrefixState {
  id: string;
  cidr: string;
  advertised: boolean;
  on_demand_enabled: boolean;
  /** BGP prefixes (subnets Cloudflare can advertise on their own): "List/Update BGP Prefix". */
  bgp?: CfBgpPrefixState[];
}

const envelope = (result: unknown, success = true, errors: { code: number; message: string }[] = []) => ({
  success,
  errors,
  messages: [],
  result,
});

export function cloudflareModel(opts: { accountId: string; token: string; prefixes: CfPrefixState[] }) {
  const base = `/client/v4/accounts/${opts.accountId}/addressing/prefixes`;
  return (r: Recorded, violations: string[]): Reply => {
    if (r.headers['authorization'] !== `Bearer ${opts.token}`) {
      return { status: 403, body: envelope(null, false, [{ code: 10000, message: 'Authentication error' }]) };
    }
    if (r.method === 'GET' && r.path === base) {
      if (r.body !== '') violations.push('GET list prefixes carries a body');
      return {
        status: 200,
        body: envelope(
          opts.prefixes.map((p) => ({
            id: p.id,
            account_id: opts.accountId,
            cidr: p.cidr,
            advertised: p.advertised,
            on_demand_enabled: p.on_demand_enabled,
            on_demand_locked: false,
            approved: 'V',
            asn: 209242,
          })),
        ),
      };
    }
    const bgpView = (p: CfPrefixState, b: CfBgpPrefixState) => ({
      id: b.id,
      asn: 209242,
      cidr: b.cidr,
      on_demand: {
        advertised: b.advertised,
        on_demand_enabled: p.on_demand_enabled,
        on_demand_locked: false,
      },
    });
    const bl = /^\/client\/v4\/accounts\/[^/]+\/addressing\/prefixes\/([^/]+)\/bgp\/prefixes$/.exec(r.path);
    if (bl && r.method === 'GET') {
      const p = opts.prefixes.find((x) => x.id === bl[1]);
      if (!p)
        return { status: 404, body: envelope(null, false, [{ code: 1000, message: 'Prefix not found' }]) };
      return { status: 200, body: envelope((p.bgp ?? []).map((b) => bgpView(p, b))) };
    }
    const bu = /^\/client\/v4\/accounts\/[^/]+\/addressing\/prefixes\/([^/]+)\/bgp\/prefixes\/([^/]+)$/.exec(
      r.path,
    );
    if (bu) {
      if (r.method !== 'PATCH') violations.push(`${r.method} on a BGP prefix, expected PATCH`);
      const p = opts.prefixes.find((x) => x.id === bu[1]);
      const b = p?.bgp?.find((x) => x.id === bu[2]);
      if (!p || !b)
        return {
          status: 404,
          body: envelope(null, false, [{ code: 1000, message: 'BGP prefix not found' }]),
        };
      const body = r.json as { on_demand?: { advertised?: unknown } } | undefined;
      if (
        !body ||
        Object.keys(body).join() !== 'on_demand' ||
        typeof body.on_demand?.advertised !== 'boolean' ||
        Object.keys(body.on_demand).length !== 1
      ) {
        violations.push(
          `BGP prefix PATCH body must be {"on_demand": {"advertised": boolean}}, got ${r.body}`,
        );
        return {
          status: 400,
          body: envelope(null, false, [{ code: 1000, message: 'Invalid request body' }]),
        };
      }
      b.advertised = body.on_demand.advertised;
      return { status: 200, body: envelope(bgpView(p, b)) };
    }
    const m = /^\/client\/v4\/accounts\/([^/]+)\/addressing\/prefixes\/([^/]+)\/bgp\/status$/.exec(r.path);
    if (m) {
      if (r.method !== 'PATCH') {
        violations.push(`${r.method} on bgp/status (only GET/PATCH exist; we must PATCH)`);
        return { status: 405, body: envelope(null, false, [{ code: 10405, message: 'Method not allowed' }]) };
      }
      if (!(r.headers['content-type'] ?? '').startsWith('application/json'))
        violations.push('PATCH without JSON content-type');
      const body = r.json as Record<string, unknown> | undefined;
      if (!body || typeof body.advertised !== 'boolean' || Object.keys(body).length !== 1) {
        violations.push(`PATCH body must be exactly {"advertised": boolean}, got ${r.body}`);
        return {
          status: 400,
          body: envelope(null, false, [{ code: 1000, message: 'Invalid request body' }]),
        };
      }
      const p = opts.prefixes.find((x) => x.id === m[2]);
      if (!p)
        return { status: 404, body: envelope(null, false, [{ code: 1000, message: 'Prefix not found' }]) };
      if (!p.on_demand_enabled) {
        return {
          status: 400,
          body: envelope(null, false, [{ code: 1001, message: 'On demand is not enabled for this prefix' }]),
        };
      }
      p.advertised = body.advertised;
      return {
        status: 200,
        body: envelope({ advertised: p.advertised, advertised_modified_at: '2026-11-24T06:00:00Z' }),
      };
    }
    violations.push(`unexpected ${r.method} ${r.path}`);
    return {
      status: 404,
      body: envelope(null, false, [{ code: 7003, message: 'Could not route to ' + r.path }]),
    };
  };
}
