// Identity and access: API token records, roles and what each role may do. The HTTP API enforces these;
// the store keeps tokens (secret hashed); the CLI manages them through the API.

/** Roles, most powerful first. */
export const ROLES = ['owner', 'admin', 'operator', 'readonly'] as const;
export type Role = (typeof ROLES)[number];

/** Rank: lower is more powerful. */
export function roleRank(role: Role): number {
  return ROLES.indexOf(role);
}

/** What a caller may do. Each route names exactly one permission. */
export type Permission =
  | 'read' // attacks, rules, audit, own tenant settings
  | 'rules:write' // add and withdraw rules
  | 'tokens:manage' // create, list, revoke API tokens
  | 'policies:read' // escalation policies, guards, whitelists
  | 'system:read' // exporters, BGP sessions, adjacency RIBs, audit verify: operator-wide views
  | 'config:reload'
  | 'agents:manage' // enrol, list and revoke host agents
  | 'agents:report'; // a host agent posts its report (agent keys only)

interface PermissionRule {
  readonly roles: readonly Role[];
  /** Whether a token bound to one tenant may use it at all (its data then filtered to that tenant). */
  readonly tenantScoped: boolean;
  /** Held by host agent keys only (and by no API token, whatever its role). */
  readonly agentOnly?: true;
}

/** The one table of who may do what (a missing permission fails the build). */
export const PERMISSIONS: Record<Permission, PermissionRule> = {
  read: { roles: ['owner', 'admin', 'operator', 'readonly'], tenantScoped: true },
  'rules:write': { roles: ['owner', 'admin', 'operator'], tenantScoped: true },
  'tokens:manage': { roles: ['owner', 'admin'], tenantScoped: true },
  'policies:read': { roles: ['owner', 'admin'], tenantScoped: true },
  'system:read': { roles: ['owner', 'admin', 'operator', 'readonly'], tenantScoped: false },
  'config:reload': { roles: ['owner', 'admin'], tenantScoped: false },
  'agents:manage': { roles: ['owner', 'admin'], tenantScoped: false },
  'agents:report': { roles: [], tenantScoped: false, agentOnly: true },
};

/** Who is calling: a token (from the store or api.token), or an anonymous reader. */
export interface Principal {
  readonly name: string;
  readonly role: Role;
  /** null: every tenant. */
  readonly tenant: string | null;
  /** Token id ("config" for api.token, "anonymous" for anonymous reads). */
  readonly tokenId: string;
  /** Requests per rate-limit window for this caller (undefined: the configured default). */
  readonly rateLimit?: number;
  /** Set when the caller is a host agent (its key): it holds agents:report and nothing else. */
  readonly agentId?: string;
}

export function allows(p: Principal, permission: Permission): boolean {
  const rule = PERMISSIONS[permission];
  if (p.agentId !== undefined || rule.agentOnly) return p.agentId !== undefined && rule.agentOnly === true;
  return rule.roles.includes(p.role) && (p.tenant === null || rule.tenantScoped);
}

/** An API token as stored (the secret itself is never stored, only its SHA-256). */
export interface ApiToken {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly tenant: string | null;
  readonly createdAt: number;
  readonly createdBy: string;
  readonly rateLimit: number | null;
  readonly revokedAt: number | null;
}
