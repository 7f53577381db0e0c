// Pure renderer for Cloudflare Magic Transit on-demand: Rule → the covering BYOIP prefix and the
// "Update Prefix Dynamic Advertisement Status" call, PATCH /accounts/{account_id}/addressing/prefixes/
// {prefix_id}/bgp/status with {"advertised": true|false} (developers.cloudflare.com, IP Address Management
// Dynamic Advertisement). Prefix ids come from GET /accounts/{account_id}/addressing/prefixes.
import { formatPrefix, makePrefix, parsePrefix, prefixContains } from '../../net/prefix.js';
import type { Rule } from '../../domain/rule.js';

/** One IP prefix as the list call returns it (only the fields we read). */
export interface CloudflarePrefix {
  readonly id: string;
  readonly cidr: string;
  readonly advertised?: boolean | null;
  readonly on_demand_enabled?: boolean;
  readonly description?: string;
}

/** One BGP prefix (a subnet of an IP prefix Cloudflare can advertise on its own), as "List BGP Prefixes" returns it. */
export interface CloudflareBgpPrefix {
  readonly id: string;
  readonly cidr: string;
  readonly on_demand?: { readonly advertised?: boolean | null; readonly on_demand_enabled?: boolean } | null;
}

/**
 * prefix-status: PATCH .../prefixes/{prefix_id}/bgp/status {advertised} (the whole onboarded IP prefix;
 * Cloudflare marks it deprecated). bgp-prefixes: PATCH .../prefixes/{prefix_id}/bgp/prefixes/{bgp_prefix_id}
 * {on_demand: {advertised}}, which can advertise just the covering /24 of a larger onboarded prefix.
 */
export type CloudflareEndpoint = 'prefix-status' | 'bgp-prefixes';

export interface CloudflareRenderOptions {
  readonly accountId: string;
  readonly coverLengthV4: number;
  readonly coverLengthV6: number;
  readonly endpoint?: CloudflareEndpoint;
  /** Result of the list call; without it the path keeps the {prefix_id} placeholder (dry-run). */
  readonly prefixes?: readonly CloudflarePrefix[];
  /** bgp-prefixes mode: BGP prefixes of the selected IP prefix. */
  readonly bgpPrefixes?: readonly CloudflareBgpPrefix[];
}

export interface CloudflareCall {
  readonly method: 'PATCH';
  readonly path: string;
  readonly body: { readonly advertised: boolean } | { readonly on_demand: { readonly advertised: boolean } };
}

export interface CloudflareRendering {
  /** The /24 (/48) holding the target. */
  readonly covering: string;
  /** The onboarded prefix that will be advertised (exact covering prefix, else the most specific holding it). */
  readonly prefix?: CloudflarePrefix;
  /** bgp-prefixes mode: the BGP prefix that will be advertised. */
  readonly bgpPrefix?: CloudflareBgpPrefix;
  readonly call: CloudflareCall;
}

export class CloudflareRenderError extends Error {
  override readonly name = 'CloudflareRenderError';
  constructor(
    readonly code: 'unsupported-intent' | 'no-prefix' | 'bad-target',
    message: string,
  ) {
    super(message);
  }
}

/** The covering prefix of the rule's target at the configured length (never longer than the target). */
export function coveringPrefix(
  target: string,
  opts: Pick<CloudflareRenderOptions, 'coverLengthV4' | 'coverLengthV6'>,
): string {
  let p;
  try {
    p = parsePrefix(target, { strict: false });
  } catch (e) {
    throw new CloudflareRenderError(
      'bad-target',
      `target ${JSON.stringify(target)}: ${(e as Error).message}`,
    );
  }
  const len = Math.min(p.length, p.family === 4 ? opts.coverLengthV4 : opts.coverLengthV6);
  return formatPrefix(makePrefix({ family: p.family, bytes: p.bytes }, len));
}

/** Exact match on the covering CIDR first; else the longest onboarded prefix that contains the target. */
export function selectPrefix<P extends { readonly cidr: string }>(
  target: string,
  covering: string,
  prefixes: readonly P[],
): P | undefined {
  const t = parsePrefix(target, { strict: false });
  let best: { p: P; len: number } | undefined;
  for (const p of prefixes) {
    let cidr;
    try {
      cidr = parsePrefix(p.cidr, { strict: false });
    } catch {
      continue; // a prefix we cannot parse cannot be the one holding our target
    }
    if (formatPrefix(cidr) === covering) return p;
    if (cidr.family !== t.family || !prefixContains(cidr, t)) continue;
    if (!best || cidr.length > best.len) best = { p, len: cidr.length };
  }
  return best?.p;
}

export function prefixesPath(accountId: string): string {
  return `/accounts/${encodeURIComponent(accountId)}/addressing/prefixes`;
}

export function bgpPrefixesPath(accountId: string, prefixId: string): string {
  return `${prefixesPath(accountId)}/${encodeURIComponent(prefixId)}/bgp/prefixes`;
}

export function statusPath(accountId: string, prefixId: string): string {
  return `${prefixesPath(accountId)}/${encodeURIComponent(prefixId)}/bgp/status`;
}

/** Renders announce (advertised: true) or withdraw (advertised: false) for the rule. Pure. */
export function render(rule: Rule, opts: CloudflareRenderOptions, advertised = true): CloudflareRendering {
  // Diversion to Cloudflare is the cloud-scrubbing level; a blackhole there would scrub nothing.
  if (rule.intent !== 'scrubbing') {
    throw new CloudflareRenderError(
      'unsupported-intent',
      `Magic Transit carries only "scrubbing", not "${rule.intent}"`,
    );
  }
  const covering = coveringPrefix(rule.target, opts);
  const bgp = opts.endpoint === 'bgp-prefixes';
  if (opts.prefixes === undefined) {
    const path = bgp
      ? `${prefixesPath(opts.accountId)}/{prefix_id}/bgp/prefixes/{bgp_prefix_id}`
      : `${prefixesPath(opts.accountId)}/{prefix_id}/bgp/status`;
    return {
      covering,
      call: { method: 'PATCH', path, body: bgp ? { on_demand: { advertised } } : { advertised } },
    };
  }
  const prefix = selectPrefix(rule.target, covering, opts.prefixes);
  if (!prefix) {
    throw new CloudflareRenderError(
      'no-prefix',
      `no onboarded Cloudflare IP prefix holds ${rule.target} (covering ${covering})`,
    );
  }
  if (!bgp) {
    return {
      covering,
      prefix,
      call: { method: 'PATCH', path: statusPath(opts.accountId, prefix.id), body: { advertised } },
    };
  }
  if (opts.bgpPrefixes === undefined) {
    const path = `${bgpPrefixesPath(opts.accountId, prefix.id)}/{bgp_prefix_id}`;
    return { covering, prefix, call: { method: 'PATCH', path, body: { on_demand: { advertised } } } };
  }
  const bgpPrefix = selectPrefix(rule.target, covering, opts.bgpPrefixes);
  if (!bgpPrefix) {
    throw new CloudflareRenderError(
      'no-prefix',
      `IP prefix ${prefix.cidr} has no BGP prefix holding ${rule.target} (create one for ${covering})`,
    );
  }
  return {
    covering,
    prefix,
    bgpPrefix,
    call: {
      method: 'PATCH',
      path: `${bgpPrefixesPath(opts.accountId, prefix.id)}/${encodeURIComponent(bgpPrefix.id)}`,
      body: { on_demand: { advertised } },
    },
  };
}
