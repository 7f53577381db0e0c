// Incident and dead-letter repositories over Kysely (SQLite and PostgreSQL alike). The incident body is
// the whole Incident as JSON; the columns beside it exist for filtering.
import type { Kysely, Selectable } from 'kysely';
import type { DeadLetter, Incident, Message } from '../notify/types.js';
import type { Database, DeadLettersTable } from './schema.js';
import { bodies, clampLimit, getBody, upsertBody } from './body-rows.js';
import type { DeadLetterRepository, IncidentQuery, IncidentRepository } from '../notify/ports.js';

export class KyselyIncidentRepository implements IncidentRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async upsert(i: Incident): Promise<void> {
    await upsertBody(
      this.db,
      'incidents',
      {
        id: i.id,
        tenant: i.tenant,
        subject: i.subject,
        state: i.state,
        opened_at: i.openedAt,
        updated_at: i.updatedAt,
        resolved_at: i.resolvedAt ?? null,
        body: JSON.stringify(i),
      },
      ['opened_at'],
    );
  }

  get(id: string): Promise<Incident | undefined> {
    return getBody<Incident>(this.db, 'incidents', id);
  }

  async list(q: IncidentQuery = {}): Promise<Incident[]> {
    let s = this.db.selectFrom('incidents').select('body');
    if (q.tenant !== undefined) s = s.where('tenant', '=', q.tenant);
    if (q.states !== undefined && q.states.length > 0) s = s.where('state', 'in', [...q.states]);
    if (q.since !== undefined) s = s.where('updated_at', '>=', q.since);
    const rows = await s.orderBy('updated_at', 'desc').limit(clampLimit(q.limit, 1000)).execute();
    return bodies<Incident>(rows);
  }
}

export class KyselyDeadLetterRepository implements DeadLetterRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async add(d: DeadLetter): Promise<number> {
    const row = await this.db
      .insertInto('notify_dead_letters')
      .values({
        at: d.at,
        channel: d.channel,
        error: d.error,
        attempts: d.attempts,
        message: JSON.stringify(d.message),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  async get(id: number): Promise<DeadLetter | undefined> {
    const r = await this.db
      .selectFrom('notify_dead_letters')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return r ? toLetter(r) : undefined;
  }

  async list(limit?: number): Promise<DeadLetter[]> {
    const rows = await this.db
      .selectFrom('notify_dead_letters')
      .selectAll()
      .orderBy('id', 'desc')
      .limit(clampLimit(limit, 1000))
      .execute();
    return rows.map(toLetter);
  }

  async remove(id: number): Promise<boolean> {
    const r = await this.db.deleteFrom('notify_dead_letters').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async trim(keep: number): Promise<number> {
    const edge = await this.db
      .selectFrom('notify_dead_letters')
      .select('id')
      .orderBy('id', 'desc')
      .offset(keep)
      .limit(1)
      .executeTakeFirst();
    if (!edge) return 0;
    const r = await this.db
      .deleteFrom('notify_dead_letters')
      .where('id', '<=', Number(edge.id))
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}

function toLetter(r: Selectable<DeadLettersTable>): DeadLetter {
  return {
    id: Number(r.id),
    at: Number(r.at),
    channel: r.channel,
    error: r.error,
    attempts: Number(r.attempts),
    message: JSON.parse(r.message) as Message,
  };
}
