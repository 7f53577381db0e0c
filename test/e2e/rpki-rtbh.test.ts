// RPKI end to end (issue 11): a real floodgate (native BGP speaker, AS 65090) peers with a real gobgpd
// and validates origins against a real stayrtr. A blackhole whose announced /32 is covered by a ROA for
// our AS with maxLength 32 reaches gobgpd's RIB; one whose /32 is RPKI-invalid (ROA maxLength 24) is
// held back with the VRP named in the refusal and the audit; the status and validate endpoints answer.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src/domain/audit.js';
import { Gobgpd } from '../support/daemons/gobgpd.js';
import { StayRtr } from '../rpki/stayrtr.js';
import { authHeader, getJson, startFloodgate, type FloodgateProcess } from '../support/floodgate-process.js';
import { waitFor } from '../support/wait.js';
import { freeTcpPort } from './support-sflow.js';

const FG = '127.19.0.10';
const ROUTER = '127.19.0.11';
const RTR = '127.19.0.12';
const API_PORT = 18340;
const OUR_AS = 65090;

const roas = [
  { prefix: '203.0.113.0/24', maxLength: 32, asn: OUR_AS }, // blackholes of single hosts are valid
  { prefix: '198.51.100.0/24', maxLength: 24, asn: OUR_AS }, // only the /24 is: a /32 is invalid
];

function config(): Record<string, unknown> {
  return {
    node: { name: 'rpki-e2e' },
    flow: { listeners: [] },
    detection: { networks: ['203.0.113.0/24', '198.51.100.0/24'] },
    rpki: { caches: [{ host: RTR, port: 18341 }] },
    bgp: {
      enabled: true,
      routerId: '10.19.0.10',
      localAs: OUR_AS,
      discardNextHop: { ipv4: '100.64.0.1' },
      peers: [
        {
          name: 'gobgpd',
          address: ROUTER,
          port: 1179,
          localAddress: FG,
          remoteAs: 65091,
          families: ['ipv4-unicast', 'ipv4-flowspec'],
          connectRetrySeconds: 0.5,
          maxConnectRetrySeconds: 1,
        },
      ],
    },
    mitigation: {
      dryRun: false,
      guards: {
        allowSpecialPurpose: ['203.0.113.0/24', '198.51.100.0/24'],
        // what upstreams that drop invalids would see: the announced /32 itself
        rpki: { blackhole: { mode: 'reject-invalid', validate: 'announced' } },
      },
    },
  };
}

async function post(url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...authHeader },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('RPKI before announcing: an invalid blackhole is held back, a valid one reaches the router', () => {
  const cache = new StayRtr({ host: RTR, port: 18341, metricsPort: 18342, roas });
  let g: Gobgpd;
  let fg: FloodgateProcess | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'fg-rpki-'));

  beforeAll(async () => {
    await cache.start();
    g = new Gobgpd({
      address: ROUTER,
      asn: 65091,
      grpcPort: await freeTcpPort('127.0.0.1'),
      peerAddress: FG,
      peerAs: OUR_AS,
    });
    await g.start();
    fg = await startFloodgate(config(), { apiHost: FG, apiPort: API_PORT, dir });
    await g.waitEstablished(30_000);
  }, 90_000);

  afterAll(async () => {
    if (fg) await fg.stop('SIGTERM');
    await g?.close();
    await cache.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('validates, refuses, audits, announces', async () => {
    const api = (fg as FloodgateProcess).api;
    const status = await waitFor('RPKI data in force', async () => {
      const s = await getJson<{ vrps: { total: number }; activeCache: string | null; originAs: number }>(
        `${api}/api/v1/rpki/status`,
      );
      return s.vrps.total === 2 ? s : undefined;
    });
    expect(status).toMatchObject({ originAs: OUR_AS, activeCache: `${RTR}:18341` });
    expect(await getJson(`${api}/api/v1/rpki/validate?prefix=198.51.100.7/32`)).toMatchObject({
      state: 'invalid',
      covering: ['198.51.100.0/24-24 AS65090'],
    });

    // RPKI-invalid /32: refused by the guard, nothing sent
    const bad = await post(`${api}/api/v1/rules`, {
      target: '198.51.100.7',
      intent: 'blackhole',
      reason: 'test',
    });
    expect(bad.status).toBe(422);
    expect(JSON.stringify(bad.json)).toMatch(/rpki-invalid/);
    expect(JSON.stringify(bad.json)).toMatch(/198\.51\.100\.0\/24-24 AS65090/);

    // RPKI-valid /32: announced with BLACKHOLE to gobgpd
    const good = await post(`${api}/api/v1/rules`, {
      target: '203.0.113.10',
      intent: 'blackhole',
      reason: 'test',
    });
    expect(good.status).toBe(201);
    await waitFor('the valid blackhole in gobgpd', async () => {
      const rib = await g.rib('ipv4');
      return rib['203.0.113.10/32'] ? true : undefined;
    });
    const rib = await g.rib('ipv4');
    expect(Object.keys(rib)).toEqual(['203.0.113.10/32']);
    const communities = rib['203.0.113.10/32']![0]!.attrs.flatMap((a) => a.communities ?? []);
    expect(communities).toContain(0xffff029a); // 65535:666 BLACKHOLE (RFC 7999)

    // both decisions are audited with the validation state and the VRPs
    const audit = (await getJson<{ records: AuditRecord[] }>(`${api}/api/v1/audit?limit=100`)).records;
    const rejected = audit.find((r) => r.action === 'reject' && r.target === '198.51.100.7/32');
    expect(rejected?.reason).toMatch(/RPKI-invalid.*198\.51\.100\.0\/24-24 AS65090/);
    const announced = audit.find((r) => r.action === 'announce' && r.target === '203.0.113.10/32');
    expect(announced?.reason).toMatch(/rpki valid for 203\.0\.113\.10\/32.*203\.0\.113\.0\/24-32 AS65090/);
  });
});
