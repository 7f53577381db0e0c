// DefenseFlow (on APSolute Vision) model for the contract test, after Radware's public integrations:
// POST /mgmt/system/user/login {username,password} → {"status":"ok","jsessionid":...} (bad credentials:
// 401 "Invalid Username or invalid Password"); calls carry the JSESSIONID cookie; external-detector calls
// POST /mgmt/device/df/config/action/attackstart|attackstop; GET /mgmt/device/df/config/ProtectedObjects.
import type { Recorded, Reply } from './contract-server.js';

export interface DfState {
  sessions: Set<string>;
  logins: number;
  attacks: Map<string, Record<string, unknown>>;
}

const err = (status: number, message: string): Reply => ({ status, body: { status: 'error', message } });

export function radwareModel(opts: { user: string; password: string; basic?: boolean }) {
  const state: DfState = { sessions: new Set(), logins: 0, attacks: new Map() };
  const model = (r: Recorded, v: string[]): Reply => {
    if (r.path === '/mgmt/system/user/login') {
      if (r.method !== 'POST') v.push('login must be POST');
      const b = r.json as Record<string, unknown> | undefined;
      if (b?.username !== opts.user || b?.password !== opts.password)
        return err(401, 'Invalid Username or invalid Password');
      const id = `JS${++state.logins}`;
      state.sessions.add(id);
      return { status: 200, body: { status: 'ok', jsessionid: id } };
    }
    const cookie = /JSESSIONID=([^;]+)/.exec(r.headers['cookie'] ?? '')?.[1];
    const basicOk =
      r.headers['authorization'] ===
      'Basic ' + Buffer.from(`${opts.user}:${opts.password}`).toString('base64');
    if (!(opts.basic ? basicOk : cookie !== undefined && state.sessions.has(cookie)))
      return err(401, 'Unauthorized');
    if (r.method === 'GET' && r.path === '/mgmt/device/df/config/ProtectedObjects') {
      return { status: 200, body: { ProtectedObjects: [{ name: 'PO_web', adminStatus: 'ENABLED' }] } };
    }
    if (r.method === 'POST' && r.path === '/mgmt/device/df/config/action/attackstart') {
      if (r.headers['content-type'] !== 'application/json') v.push('attackstart without JSON content-type');
      const b = r.json as {
        externalAttackId?: unknown;
        alertInfo?: unknown;
        networksDetails?: { networks?: { ip?: unknown; prefix?: unknown }[] };
      };
      if (typeof b?.externalAttackId !== 'string' || b.externalAttackId === '')
        v.push('externalAttackId missing');
      if (typeof b?.alertInfo !== 'string') v.push('alertInfo missing');
      const nets = b?.networksDetails?.networks;
      if (!Array.isArray(nets) || nets.length === 0) v.push('networksDetails.networks missing');
      for (const n of nets ?? []) {
        if (typeof n.ip !== 'string' || !Number.isInteger(n.prefix))
          v.push(`network ${JSON.stringify(n)} is not {ip: string, prefix: int}`);
      }
      state.attacks.set(String(b.externalAttackId), b as Record<string, unknown>);
      return { status: 200, body: { status: 'ok' } };
    }
    if (r.method === 'POST' && r.path === '/mgmt/device/df/config/action/attackstop') {
      const b = r.json as { externalAttackId?: unknown };
      if (Object.keys(b ?? {}).join() !== 'externalAttackId')
        v.push(`attackstop body must be {externalAttackId}, got ${r.body}`);
      if (!state.attacks.delete(String(b?.externalAttackId)))
        return err(404, `External attack ${String(b?.externalAttackId)} not found`);
      return { status: 200, body: { status: 'ok' } };
    }
    v.push(`unexpected ${r.method} ${r.path}`);
    return err(404, 'not found');
  };
  return { state, model };
}
