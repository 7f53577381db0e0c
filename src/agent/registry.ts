// Enrolled host agents, kept as one JSON document in the store's key/value state (no schema change): each
// agent's name, the networks it may report for, the intents it may apply (its allow-list) and the SHA-256
// of its key (the key itself is shown once at enrolment, like an API token's secret). Revocation keeps the
// record (revokedAt) for the audit trail. A cache serves key look-ups and is re-read from the store after
// `refreshMs`, so a revocation made by another process applies within that time.
import { randomBytes } from 'node:crypto';
import type { Intent } from '../domain/rule.js';
import { prefixContains, tryParsePrefix, type Prefix } from '../net/index.js';
import type { StateRepository } from '../domain/store-port.js';

export const REGISTRY_KEY = 'agents.registry';

export interface AgentRecord {
  readonly id: string;
  readonly name: string;
  /** Prefixes the agent reports for (its own addresses); events outside them are refused. */
  readonly networks: readonly string[];
  /** Intents the agent may apply locally (empty: it detects and reports only). */
  readonly allow: readonly Intent[];
  readonly createdAt: number;
  readonly createdBy: string;
  readonly revokedAt: number | null;
}

interface Stored extends AgentRecord {
  readonly keyHash: string;
}

/** A new agent key: 256 bits of randomness, printable, recognisable by its prefix. */
export function newAgentKey(): string {
  return `fga_${randomBytes(32).toString('base64url')}`;
}

/** Whether `target` (prefix or address text) lies inside one of `networks`. */
export function insideNetworks(networks: readonly string[], target: string): boolean {
  const t = tryParsePrefix(target, { strict: false });
  if (!t) return false;
  return networks.some((n) => {
    const p: Prefix | undefined = tryParsePrefix(n);
    return p !== undefined && prefixContains(p, t);
  });
}

type CreateOutcome = { ok: true; agent: AgentRecord } | { ok: false; why: 'exists' | 'full' };

const publicOf = ({ keyHash: _k, ...rest }: Stored): AgentRecord => rest;

export class AgentRegistry {
  private cache: Stored[] | undefined;
  private loadedAt = Number.NEGATIVE_INFINITY;
  /** Writes are serialised so two enrolments never overwrite each other's document. */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly state: StateRepository,
    readonly maxAgents: number,
    private readonly refreshMs = 5000,
    private readonly now: () => number = Date.now,
  ) {}

  private async load(force = false): Promise<Stored[]> {
    if (!force && this.cache && this.now() - this.loadedAt < this.refreshMs) return this.cache;
    const blob = await this.state.get(REGISTRY_KEY);
    this.cache = blob ? (JSON.parse(blob) as Stored[]) : [];
    this.loadedAt = this.now();
    return this.cache;
  }

  private write<T>(fn: (all: Stored[]) => { next: Stored[]; out: T }): Promise<T> {
    const run = this.chain.then(async () => {
      const { next, out } = fn(await this.load(true));
      await this.state.put(REGISTRY_KEY, JSON.stringify(next));
      this.cache = next;
      this.loadedAt = this.now();
      return out;
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  async list(includeRevoked = false): Promise<AgentRecord[]> {
    return (await this.load()).filter((a) => includeRevoked || a.revokedAt === null).map(publicOf);
  }

  async get(id: string): Promise<AgentRecord | undefined> {
    const a = (await this.load()).find((x) => x.id === id);
    return a ? publicOf(a) : undefined;
  }

  async findActiveByKeyHash(hash: string): Promise<AgentRecord | undefined> {
    const a = (await this.load()).find((x) => x.keyHash === hash && x.revokedAt === null);
    return a ? publicOf(a) : undefined;
  }

  /** Adds an agent; undefined (nothing written) when an active agent has the name or the cap is reached. */
  create(rec: Omit<AgentRecord, 'revokedAt'>, keyHash: string): Promise<CreateOutcome> {
    return this.write<CreateOutcome>((all) => {
      const active = all.filter((a) => a.revokedAt === null);
      if (active.some((a) => a.name === rec.name)) return { next: all, out: { ok: false, why: 'exists' } };
      if (active.length >= this.maxAgents) return { next: all, out: { ok: false, why: 'full' } };
      const stored: Stored = { ...rec, revokedAt: null, keyHash };
      return { next: [...all, stored], out: { ok: true, agent: publicOf(stored) } };
    });
  }

  /** Revokes an active agent; the record stays. Returns it, or undefined if unknown or already revoked. */
  revoke(id: string, at: number): Promise<AgentRecord | undefined> {
    return this.write((all) => {
      const a = all.find((x) => x.id === id && x.revokedAt === null);
      if (!a) return { next: all, out: undefined };
      const r: Stored = { ...a, revokedAt: at };
      return { next: all.map((x) => (x === a ? r : x)), out: publicOf(r) };
    });
  }
}
