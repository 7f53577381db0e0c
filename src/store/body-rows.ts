// The row mapping of the tables that keep a whole object as JSON in `body`, keyed by `id`, with columns
// beside it only for filtering (rules, incidents): written by one upsert, read back from `body` alone.
import type { Insertable, Kysely } from 'kysely';
import type { Database } from './schema.js';

export type BodyTable = 'rules' | 'incidents';

export const MAX_LIMIT = 10_000;

/** A query's limit, between 1 and 10 000, `fallback` when the caller gave none. */
export const clampLimit = (limit: number | undefined, fallback: number): number =>
  Math.max(1, Math.min(limit ?? fallback, MAX_LIMIT));

/** Inserts the row, or updates every column but `id` and the `keep` ones (set once, at insert). */
export async function upsertBody<T extends BodyTable>(
  db: Kysely<Database>,
  table: T,
  row: Insertable<Database[T]>,
  keep: readonly (keyof Database[T])[] = [],
): Promise<void> {
  const update: Record<string, unknown> = { ...row };
  for (const k of ['id', ...keep]) delete update[k as string];
  // Kysely cannot follow a table name that is a type parameter; the row type above is the check
  const d = db as unknown as Kysely<Pick<Database, 'rules'>>;
  await d
    .insertInto(table as 'rules')
    .values(row as Insertable<Database['rules']>)
    .onConflict((oc) => oc.column('id').doUpdateSet(update))
    .execute();
}

/** The object stored under `id`, undefined when there is none. */
export async function getBody<R>(db: Kysely<Database>, table: BodyTable, id: string): Promise<R | undefined> {
  const row = await db.selectFrom(table).select('body').where('id', '=', id).executeTakeFirst();
  return row ? (JSON.parse(row.body) as R) : undefined;
}

/** The objects of a list query's rows (each selected with `body`). */
export const bodies = <R>(rows: readonly { body: string }[]): R[] => rows.map((r) => JSON.parse(r.body) as R);
