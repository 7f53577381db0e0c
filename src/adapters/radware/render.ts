// Pure renderer for Radware DefenseFlow (hosted on APSolute Vision / Cyber Controller): Rule → the
// external-detector calls POST /mgmt/device/df/config/action/attackstart {externalAttackId, alertInfo,
// networksDetails: {networks: [{ip, prefix}]}} and .../action/attackstop {externalAttackId}. DefenseFlow
// then runs the protection (diversion to scrubbing, DefensePro policy) of the protected object holding the
// network. Source of the shape: Radware's public integrations (Flowmon DDoS Defender → DefenseFlow
// script, Radware's DefenseFlow migration tools); Radware's own API guide is not public. See the report.
import { formatIp } from '../../net/address.js';
import { formatPrefix, parsePrefix, prefixAddress } from '../../net/prefix.js';
import type { Intent, Rule } from '../../domain/rule.js';
import { numericIntervals, nftSet } from '../local/terms.js';

export const ATTACK_START_PATH = '/mgmt/device/df/config/action/attackstart';
export const ATTACK_STOP_PATH = '/mgmt/device/df/config/action/attackstop';
export const PROTECTED_OBJECTS_PATH = '/mgmt/device/df/config/ProtectedObjects';
export const LOGIN_PATH = '/mgmt/system/user/login';

export interface RadwareCall {
  readonly method: 'POST';
  readonly path: string;
  readonly body: Record<string, unknown>;
}

export interface RadwareRendering {
  readonly externalAttackId: string;
  readonly start: RadwareCall;
  readonly stop: RadwareCall;
}

export class RadwareRenderError extends Error {
  override readonly name = 'RadwareRenderError';
  constructor(
    readonly code: 'unsupported-intent' | 'bad-rule',
    message: string,
  ) {
    super(message);
  }
}

/** DefenseFlow diverts or drops per target; rate-limit and filter intents are what its policies do. */
export const RADWARE_INTENTS: readonly Intent[] = ['rate-limit', 'drop', 'blackhole', 'scrubbing'];
const SUPPORTED: ReadonlySet<Intent> = new Set(RADWARE_INTENTS);

/** Human-readable scope carried in alertInfo, e.g. "proto=17 dport=53 sport={ 123, 1900 }". */
export function scopeText(rule: Rule): string {
  const m = rule.match;
  const parts: string[] = [];
  const show = (k: string, t: Parameters<typeof numericIntervals>[0] | undefined, max: number) => {
    if (t) parts.push(`${k}=${nftSet(numericIntervals(t, max, k))}`);
  };
  show('proto', m.ipProtocol, 255);
  show('dport', m.destinationPort, 65535);
  show('sport', m.sourcePort, 65535);
  show('port', m.port, 65535);
  show('len', m.packetLength, 65535);
  if (m.source) parts.push(`src=${m.source.prefix}`);
  return parts.join(' ');
}

export function externalAttackId(prefix: string, ruleId: string): string {
  const id = `${prefix}${ruleId}`;
  if (!/^[A-Za-z0-9_.:@/+-]{1,128}$/.test(id))
    throw new RadwareRenderError('bad-rule', `externalAttackId ${JSON.stringify(id)} has unsafe characters`);
  return id;
}

export function render(rule: Rule, opts: { attackIdPrefix: string }): RadwareRendering {
  if (!SUPPORTED.has(rule.intent))
    throw new RadwareRenderError('unsupported-intent', `DefenseFlow does not carry "${rule.intent}"`);
  const p = parsePrefix(rule.target, { strict: false });
  const id = externalAttackId(opts.attackIdPrefix, rule.id);
  const scope = scopeText(rule);
  const alertInfo =
    `floodgate ${rule.intent} ${formatPrefix(p)}${scope ? ' ' + scope : ''}: ${rule.reason}`.slice(0, 255);
  return {
    externalAttackId: id,
    start: {
      method: 'POST',
      path: ATTACK_START_PATH,
      body: {
        externalAttackId: id,
        alertInfo,
        networksDetails: { networks: [{ ip: formatIp(prefixAddress(p)), prefix: p.length }] },
      },
    },
    stop: { method: 'POST', path: ATTACK_STOP_PATH, body: { externalAttackId: id } },
  };
}
