// Repository ports for notifications: incidents (with their timeline) and the dead-letter list.
import type { DeadLetter, Incident, IncidentState } from './types.js';

export interface IncidentQuery {
  readonly tenant?: string;
  readonly states?: readonly IncidentState[];
  /** Incidents updated at or after this time (ms). */
  readonly since?: number;
  readonly limit?: number;
}

export interface IncidentRepository {
  /** Insert or replace by id. */
  upsert(incident: Incident): Promise<void>;
  get(id: string): Promise<Incident | undefined>;
  /** Newest update first. */
  list(query?: IncidentQuery): Promise<Incident[]>;
}

export interface DeadLetterRepository {
  add(letter: DeadLetter): Promise<number>;
  get(id: number): Promise<DeadLetter | undefined>;
  /** Newest first. */
  list(limit?: number): Promise<DeadLetter[]>;
  remove(id: number): Promise<boolean>;
  /** Keeps the newest `keep` letters; returns how many were dropped. */
  trim(keep: number): Promise<number>;
}

/** The notification repositories a store may carry (the SQL stores do; without them notify keeps memory). */
export interface NotifyRepositories {
  readonly incidents?: IncidentRepository;
  readonly deadLetters?: DeadLetterRepository;
}
