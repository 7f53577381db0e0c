// API token repository: records with the SHA-256 of each secret, never the secret. Names are unique
// among tokens not revoked; a revoked token stays listed (with revokedAt) for the audit trail.
import type { Kysely } from 'kysely';
import type { ApiToken, Role } from '../domain/access.js';
import type { ApiTokensTable, Database } from './schema.js';
import type { NewApiToken, TokenRepository } from '../domain/store-port.js';

function toToken(r: ApiTokensTable): ApiToken {
  return {
    id: r.id,
    name: r.name,
    role: r.role as Role,
    tenant: r.tenant,
    createdAt: Number(r.created_at),
    createdBy: r.created_by,
    rateLimit: r.rate_limit === null ? null : Number(r.rate_limit),
    revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
  };
}

export class KyselyTokenRepository implements TokenRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(token: NewApiToken): Promise<ApiToken> {
    await this.db
      .insertInto('api_tokens')
      .values({
        id: token.id,
        name: token.name,
        role: token.role,
        tenant: token.tenant,
        secret_hash: token.secretHash,
        rate_limit: token.rateLimit,
        created_at: token.createdAt,
        created_by: token.createdBy,
        revoked_at: null,
      })
      .execute();
    const { secretHash: _hash, ...rest } = token;
    return { ...rest, revokedAt: null };
  }

  async list(query: { tenant?: string; includeRevoked?: boolean } = {}): Promise<ApiToken[]> {
    let q = this.db.selectFrom('api_tokens').selectAll();
    if (query.tenant !== undefined) q = q.where('tenant', '=', query.tenant);
    if (!query.includeRevoked) q = q.where('revoked_at', 'is', null);
    return (await q.orderBy('created_at', 'asc').execute()).map(toToken);
  }

  async get(id: string): Promise<ApiToken | undefined> {
    const r = await this.db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toToken(r) : undefined;
  }

  async findActiveBySecretHash(secretHash: string): Promise<ApiToken | undefined> {
    const r = await this.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('secret_hash', '=', secretHash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return r ? toToken(r) : undefined;
  }

  async revoke(id: string, at: number): Promise<boolean> {
    const r = await this.db
      .updateTable('api_tokens')
      .set({ revoked_at: at })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
}
