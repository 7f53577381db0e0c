// In-memory incident and dead-letter repositories, for a store that has none (the engine's test store)
// and for unit tests of the notifier. Same contract as the SQL ones.
import type { DeadLetterRepository, IncidentQuery, IncidentRepository } from './ports.js';
import type { DeadLetter, Incident } from './types.js';

export class MemoryIncidents implements IncidentRepository {
  private readonly rows = new Map<string, Incident>();
  async upsert(i: Incident): Promise<void> {
    this.rows.set(i.id, structuredClone(i));
  }
  async get(id: string): Promise<Incident | undefined> {
    const i = this.rows.get(id);
    return i ? structuredClone(i) : undefined;
  }
  async list(q: IncidentQuery = {}): Promise<Incident[]> {
    return [...this.rows.values()]
      .filter(
        (i) =>
          (q.tenant === undefined || i.tenant === q.tenant) &&
          (!q.states?.length || q.states.includes(i.state)) &&
          (q.since === undefined || i.updatedAt >= q.since),
      )
      .sort((a, b) => b.updatedAt - a.updatedAt)
      .slice(0, q.limit ?? 1000)
      .map((i) => structuredClone(i));
  }
}

export class MemoryDeadLetters implements DeadLetterRepository {
  private readonly rows: DeadLetter[] = [];
  private nextId = 1;
  async add(d: DeadLetter): Promise<number> {
    const id = this.nextId++;
    this.rows.push({ ...d, id });
    return id;
  }
  async get(id: number): Promise<DeadLetter | undefined> {
    return this.rows.find((r) => r.id === id);
  }
  async list(limit = 1000): Promise<DeadLetter[]> {
    return [...this.rows].reverse().slice(0, limit);
  }
  async remove(id: number): Promise<boolean> {
    const i = this.rows.findIndex((r) => r.id === id);
    if (i < 0) return false;
    this.rows.splice(i, 1);
    return true;
  }
  async trim(keep: number): Promise<number> {
    const drop = Math.max(0, this.rows.length - keep);
    this.rows.splice(0, drop);
    return drop;
  }
}
