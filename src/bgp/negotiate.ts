// What a session can use once both OPENs are known: families (RFC 4760 §8, IPv4 unicast implied when no
// MP capability is sent), 4-octet AS (RFC 6793), route refresh (RFC 2918/7313), extended messages
// (RFC 8654), the peer's graceful restart state (RFC 4724 §3, receiving speaker).
import type { Capability } from './codec/capabilities.js';
import {
  FAMILIES,
  FAMILY_CODES,
  familyName,
  MAX_EXTENDED_MESSAGE_LENGTH,
  MAX_MESSAGE_LENGTH,
  type FamilyName,
} from './codec/constants.js';
import { peerAsn, type OpenMessage } from './codec/open.js';

export interface Negotiated {
  readonly families: readonly FamilyName[];
  readonly fourOctetAs: boolean;
  readonly routeRefresh: boolean;
  readonly enhancedRouteRefresh: boolean;
  readonly extendedMessage: boolean;
  readonly maxMessage: number;
  readonly holdTime: number;
  readonly peerBgpId: string;
  readonly peerAs: number;
  readonly peerGracefulRestart?: {
    readonly restartTime: number;
    readonly restarting: boolean;
    readonly families: readonly FamilyName[];
  };
}

export interface LocalCapabilityOptions {
  readonly asn: number;
  readonly families: readonly FamilyName[];
  /** Advertise graceful restart (receiving speaker, no forwarding state) with this restart time; 0 = off. */
  readonly gracefulRestartTime?: number;
  readonly extendedMessage?: boolean;
}

export function localCapabilities(o: LocalCapabilityOptions): Capability[] {
  const caps: Capability[] = [];
  for (const f of FAMILIES) {
    if (o.families.includes(f)) caps.push({ kind: 'multiprotocol', ...FAMILY_CODES[f] });
  }
  caps.push(
    { kind: 'route-refresh' },
    { kind: 'enhanced-route-refresh' },
    { kind: 'four-octet-as', asn: o.asn },
  );
  if (o.extendedMessage) caps.push({ kind: 'extended-message' });
  if (o.gracefulRestartTime && o.gracefulRestartTime > 0) {
    // RFC 4724 §3: a receiving speaker lists no families (it preserves no forwarding state of its own).
    caps.push({
      kind: 'graceful-restart',
      restarting: false,
      notification: false,
      restartTime: o.gracefulRestartTime,
      families: [],
    });
  }
  return caps;
}

function mpFamilies(caps: readonly Capability[]): FamilyName[] | undefined {
  const mp = caps.filter(
    (c): c is Extract<Capability, { kind: 'multiprotocol' }> => c.kind === 'multiprotocol',
  );
  if (mp.length === 0) return undefined;
  const out: FamilyName[] = [];
  for (const c of mp) {
    const f = familyName(c.afi, c.safi);
    if (f && !out.includes(f)) out.push(f);
  }
  return out;
}

export function negotiate(local: readonly Capability[], peer: OpenMessage, holdTime: number): Negotiated {
  const has = (caps: readonly Capability[], kind: Capability['kind']): boolean =>
    caps.some((c) => c.kind === kind);
  const ours = mpFamilies(local) ?? ['ipv4-unicast'];
  const theirs = mpFamilies(peer.capabilities) ?? ['ipv4-unicast'];
  const families = FAMILIES.filter((f) => ours.includes(f) && theirs.includes(f));
  const extendedMessage = has(local, 'extended-message') && has(peer.capabilities, 'extended-message');
  const gr = peer.capabilities.find(
    (c): c is Extract<Capability, { kind: 'graceful-restart' }> => c.kind === 'graceful-restart',
  );
  const base: Negotiated = {
    families,
    fourOctetAs: has(local, 'four-octet-as') && has(peer.capabilities, 'four-octet-as'),
    routeRefresh: has(peer.capabilities, 'route-refresh'),
    enhancedRouteRefresh:
      has(local, 'enhanced-route-refresh') && has(peer.capabilities, 'enhanced-route-refresh'),
    extendedMessage,
    maxMessage: extendedMessage ? MAX_EXTENDED_MESSAGE_LENGTH : MAX_MESSAGE_LENGTH,
    holdTime,
    peerBgpId: peer.bgpId,
    peerAs: peerAsn(peer),
  };
  if (!gr) return base;
  const grFamilies = gr.families
    .map((f) => familyName(f.afi, f.safi))
    .filter((f): f is FamilyName => f !== undefined);
  return {
    ...base,
    peerGracefulRestart: { restartTime: gr.restartTime, restarting: gr.restarting, families: grFamilies },
  };
}
