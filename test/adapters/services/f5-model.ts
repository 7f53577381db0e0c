// BIG-IP iControl REST model for the contract test: token login (/mgmt/shared/authn/login →
// token.token, X-F5-Auth-Token) or Basic; AFM DoS profiles under /mgmt/tm/security/dos/profile and LTM
// virtual servers under /mgmt/tm/ltm/virtual, addressed ~Partition~name; iControl error bodies
// {code, message, errorStack, apiError}; 409 on duplicates, 404 on missing, 400 on a profile still in use.
import type { Recorded, Reply } from './contract-server.js';

export interface F5State {
  profiles: Map<string, Record<string, unknown>>;
  virtuals: Map<string, Record<string, unknown>>;
  tokens: Set<string>;
  logins: number;
}

const err = (code: number, message: string): Reply => ({
  status: code,
  body: { code, message, errorStack: [], apiError: 3 },
});
const NAME = /^[A-Za-z][A-Za-z0-9_.-]*$/;
const KNOWN_VECTORS = new Set([
  'tcp-syn-flood',
  'tcp-synack-flood',
  'tcp-rst-flood',
  'tcp-psh-flood',
  'udp-flood',
  'icmpv4-flood',
  'icmpv6-flood',
  'icmp-frag',
  'ip-frag-flood',
  'ipv6-frag-flood',
]);
const PROTOS = new Set(['any', 'tcp', 'udp', 'icmp', 'ipv6-icmp', 'sctp', 'gre']);

export function f5Model(opts: { user: string; password: string; partition: string; basic?: boolean }) {
  const state: F5State = { profiles: new Map(), virtuals: new Map(), tokens: new Set(), logins: 0 };
  const key = (partition: string, name: string) => `/${partition}/${name}`;
  const fromUri = (seg: string) => {
    const m = /^~([^~]+)~(.+)$/.exec(seg);
    return m ? key(m[1]!, m[2]!) : undefined;
  };
  const model = (r: Recorded, v: string[]): Reply => {
    if (r.method === 'POST' && r.path === '/mgmt/shared/authn/login') {
      const b = r.json as Record<string, unknown> | undefined;
      if (b?.loginProviderName !== 'tmos') v.push('login without loginProviderName tmos');
      if (b?.username !== opts.user || b?.password !== opts.password)
        return err(401, 'Authentication failed.');
      const token = `TOKEN${++state.logins}`;
      state.tokens.add(token);
      return {
        status: 200,
        body: {
          username: opts.user,
          loginProviderName: 'tmos',
          token: { token, name: token, timeout: 1200, userName: opts.user },
        },
      };
    }
    const basicOk =
      r.headers['authorization'] ===
      'Basic ' + Buffer.from(`${opts.user}:${opts.password}`).toString('base64');
    const tokenOk = state.tokens.has(r.headers['x-f5-auth-token'] ?? '');
    if (!(opts.basic ? basicOk : tokenOk))
      return err(
        401,
        opts.basic
          ? 'Authorization failed: no user authentication header or token detected.'
          : 'X-F5-Auth-Token does not exist.',
      );
    if (['POST', 'PATCH', 'PUT'].includes(r.method) && r.headers['content-type'] !== 'application/json')
      v.push(`${r.method} ${r.path} without JSON content-type`);

    if (r.method === 'GET' && r.path === '/mgmt/tm/sys/version')
      return { status: 200, body: { kind: 'tm:sys:version:versionstats', entries: {} } };

    // DoS profiles
    if (r.path === '/mgmt/tm/security/dos/profile') {
      if (r.method === 'GET') {
        const f = r.query.get('$filter');
        const items = [...state.profiles.values()].filter((p) => !f || f === `partition eq ${p.partition}`);
        return { status: 200, body: { kind: 'tm:security:dos:profile:profilecollectionstate', items } };
      }
      if (r.method === 'POST') {
        const b = r.json as Record<string, unknown>;
        if (typeof b?.name !== 'string' || !NAME.test(b.name))
          return err(400, `invalid name ${String(b?.name)}`);
        if (b.partition !== opts.partition)
          v.push(`profile in partition ${String(b.partition)}, expected ${opts.partition}`);
        const dn = b.dosNetwork as
          { name?: string; networkAttackVector?: Record<string, unknown>[] }[] | undefined;
        if (!Array.isArray(dn) || dn.length !== 1 || !Array.isArray(dn[0]?.networkAttackVector))
          v.push('dosNetwork must be [{name, networkAttackVector: [...]}]');
        for (const vec of dn?.[0]?.networkAttackVector ?? []) {
          if (!KNOWN_VECTORS.has(String(vec.name))) v.push(`unknown network vector ${String(vec.name)}`);
          if (vec.state !== 'mitigate') v.push(`vector ${String(vec.name)} not in mitigate state`);
          if (!Number.isInteger(vec.rateLimit) || (vec.rateLimit as number) < 1)
            v.push(`vector ${String(vec.name)} rateLimit invalid`);
        }
        const k = key(String(b.partition), b.name);
        if (state.profiles.has(k))
          return err(
            409,
            `01020066:3: The requested DOS Profile (${k}) already exists in partition ${String(b.partition)}.`,
          );
        state.profiles.set(k, { ...b, kind: 'tm:security:dos:profile:profilestate', fullPath: k });
        return { status: 200, body: state.profiles.get(k) };
      }
    }
    const pm = /^\/mgmt\/tm\/security\/dos\/profile\/([^/]+)$/.exec(r.path);
    if (pm) {
      const k = fromUri(pm[1]!);
      if (!k) {
        v.push(`profile not addressed as ~Partition~name: ${pm[1]}`);
        return err(404, 'not found');
      }
      const p = state.profiles.get(k);
      if (!p) return err(404, `01020036:3: The requested DOS Profile (${k}) was not found.`);
      if (r.method === 'DELETE') {
        const user = [...state.virtuals.values()].find((vs) =>
          (vs.profiles as { name: string }[]).some((x) => x.name === k),
        );
        if (user)
          return err(400, `01070083:3: Profile ${k} is in use by virtual server ${String(user.fullPath)}.`);
        state.profiles.delete(k);
        return { status: 200 };
      }
      if (r.method === 'PATCH') {
        state.profiles.set(k, { ...p, ...(r.json as object) });
        return { status: 200, body: state.profiles.get(k) };
      }
    }

    // Virtual servers
    if (r.path === '/mgmt/tm/ltm/virtual' && r.method === 'POST') {
      const b = r.json as Record<string, unknown>;
      if (typeof b?.name !== 'string' || !NAME.test(b.name))
        return err(400, `invalid name ${String(b?.name)}`);
      const dest = String(b.destination);
      if (!new RegExp(`^/${opts.partition}/([0-9.]+:[0-9]+|[0-9a-f:]+\\.[0-9]+)$`).test(dest))
        v.push(`destination ${dest} is not /Partition/addr:port (IPv6 addr.port)`);
      if (!PROTOS.has(String(b.ipProtocol))) v.push(`ipProtocol ${String(b.ipProtocol)}`);
      for (const pr of (b.profiles as { name: string }[] | undefined) ?? []) {
        if (pr.name !== '/Common/fastL4' && !state.profiles.has(pr.name))
          return err(400, `01070712:3: Profile ${pr.name} does not exist.`);
      }
      const k = key(String(b.partition), b.name);
      if (state.virtuals.has(k))
        return err(
          409,
          `01020066:3: The requested Virtual Server (${k}) already exists in partition ${String(b.partition)}.`,
        );
      state.virtuals.set(k, { ...b, fullPath: k });
      return { status: 200, body: state.virtuals.get(k) };
    }
    const vm = /^\/mgmt\/tm\/ltm\/virtual\/([^/]+)$/.exec(r.path);
    if (vm) {
      const k = fromUri(vm[1]!);
      if (!k) v.push(`virtual not addressed as ~Partition~name: ${vm[1]}`);
      if (!k || !state.virtuals.has(k))
        return err(404, `01020036:3: The requested Virtual Server (${k}) was not found.`);
      if (r.method === 'DELETE') {
        state.virtuals.delete(k);
        return { status: 200 };
      }
      if (r.method === 'PATCH') {
        state.virtuals.set(k, { ...state.virtuals.get(k), ...(r.json as object) });
        return { status: 200, body: state.virtuals.get(k) };
      }
    }
    v.push(`unexpected ${r.method} ${r.path}`);
    return err(404, `URI path ${r.path} not registered.`);
  };
  return { state, model };
}
