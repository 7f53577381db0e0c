// One attack per family, with the signature detection builds for it (src/detect/signature.ts: each
// component kept only while the signature still covers ≥ signature.minCoverage), and the rule the
// engine makes for it: the fixture of the per-family rules shown in docs/engine.md, the renderer checks
// and the gobgpd interop test of precise matches.
import {
  ATTACK_FAMILIES,
  type AttackEvent,
  type AttackFamily,
  type Signature,
} from '../../src/domain/attack.js';
import type { Rule } from '../../src/domain/rule.js';
import { type MitigationConfigInput, parseMitigationConfig } from '../../src/mitigation/config.js';
import { createEngine, step } from '../../src/mitigation/engine.js';

export interface FamilyExample {
  readonly target: string;
  readonly signature: Signature;
}

const HOST = '203.0.113.5/32';

/** Typical signatures: the service port and response sizes of each amplification vector. */
export const FAMILY_EXAMPLES: Readonly<Record<AttackFamily, FamilyExample>> = {
  udp_flood: {
    target: HOST,
    signature: {
      protocols: [17],
      destinationPorts: [27015],
      packetLength: { min: 1024, max: 1100 },
      coverage: 0.97,
    },
  },
  syn_flood: {
    target: HOST,
    signature: {
      protocols: [6],
      destinationPorts: [443],
      tcpFlags: 0x02,
      packetLength: { min: 40, max: 60 },
      coverage: 0.99,
    },
  },
  ack_rst_flood: {
    target: HOST,
    signature: {
      protocols: [6],
      destinationPorts: [443],
      tcpFlags: 0x10,
      packetLength: { min: 40, max: 52 },
      coverage: 0.95,
    },
  },
  icmp_flood: {
    target: HOST,
    signature: { protocols: [1], packetLength: { min: 84, max: 1064 }, coverage: 0.99 },
  },
  fragment_flood: {
    target: HOST,
    signature: { protocols: [17], fragment: true, packetLength: { min: 1480, max: 1500 }, coverage: 0.98 },
  },
  gre_flood: {
    target: HOST,
    signature: { protocols: [47], packetLength: { min: 576, max: 1476 }, coverage: 0.99 },
  },
  dns_amplification: {
    target: HOST,
    signature: { protocols: [17], sourcePorts: [53], packetLength: { min: 512, max: 1500 }, coverage: 0.96 },
  },
  ntp_amplification: {
    target: HOST,
    signature: { protocols: [17], sourcePorts: [123], packetLength: { min: 468, max: 490 }, coverage: 0.99 },
  },
  memcached_amplification: {
    target: HOST,
    signature: {
      protocols: [17],
      sourcePorts: [11211],
      packetLength: { min: 1200, max: 1500 },
      coverage: 0.97,
    },
  },
  ssdp_amplification: {
    target: HOST,
    signature: { protocols: [17], sourcePorts: [1900], packetLength: { min: 300, max: 400 }, coverage: 0.98 },
  },
  cldap_amplification: {
    target: HOST,
    signature: {
      protocols: [17],
      sourcePorts: [389],
      packetLength: { min: 1000, max: 1500 },
      coverage: 0.95,
    },
  },
  chargen_amplification: {
    target: HOST,
    signature: { protocols: [17], sourcePorts: [19], packetLength: { min: 360, max: 1100 }, coverage: 0.97 },
  },
  snmp_amplification: {
    target: HOST,
    signature: { protocols: [17], sourcePorts: [161], packetLength: { min: 400, max: 1500 }, coverage: 0.96 },
  },
  carpet_bombing: {
    target: '203.0.113.0/24',
    signature: { protocols: [17], sourcePorts: [53], packetLength: { min: 512, max: 1500 }, coverage: 0.93 },
  },
  unknown: { target: HOST, signature: { protocols: [6, 17], coverage: 0.9 } },
};

export const FAMILIES: readonly AttackFamily[] = ATTACK_FAMILIES;

/**
 * The drop rule (level 2) the engine makes for one attack of `family` under a policy with `matchDepth`
 * (undefined = the schema default), taken from the engine's announce action.
 */
export function engineRule(
  family: AttackFamily,
  matchDepth?: 'basic' | 'precise',
  over: MitigationConfigInput = {},
): Rule {
  const ex = FAMILY_EXAMPLES[family];
  const cfg = parseMitigationConfig({
    dryRun: false,
    tenants: { acme: { networks: ['203.0.113.0/24', '2001:db8::/32'] } },
    guards: { allowSpecialPurpose: ['203.0.113.0/24', '2001:db8::/32'] },
    policies: { default: matchDepth === undefined ? {} : { matchDepth } },
    ...over,
  });
  const s = createEngine({ config: cfg, idPrefix: 'doc-' });
  const event: AttackEvent = {
    attackId: `a-${family}`,
    kind: 'start',
    target: ex.target,
    direction: 'incoming',
    family,
    reason: 'example',
    node: 'r1',
    hostGroup: 'default',
    at: 1_000,
    startedAt: 1_000,
    pps: 200_000,
    bps: 8e8, // level 2 (drop) of the default policy
    peakPps: 200_000,
    peakBps: 8e8,
    thresholdBps: 1e8,
    severity: 10, // confident enough for the "unknown" family too
    signature: ex.signature,
  };
  const { actions } = step(s, { type: 'event', event }, 1_000);
  const send = actions.find((a) => a.kind === 'send' && a.op === 'announce');
  if (send === undefined || send.kind !== 'send') {
    throw new Error(`no announce for ${family}: ${JSON.stringify(actions)}`);
  }
  return send.rule;
}
