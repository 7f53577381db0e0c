// The audit hash chain: each record carries the SHA-256 of its predecessor, and its own hash covers its
// content and that link. Pure functions over stored rows; the repositories compute links under their
// append serialisation, and verify() walks the table with them. Any edited, deleted, reordered or
// unchained record breaks a link; deleting the newest records shows against the stored head.
import { createHash } from 'node:crypto';
import type { AuditVerification, ChainProblem } from '../domain/store-port.js';

/** The columns a link covers, exactly as stored (payload as its stored JSON text). */
export interface ChainRow {
  readonly at: number;
  readonly actor: string;
  readonly action: string;
  readonly tenant: string;
  readonly target: string | null;
  readonly rule_id: string | null;
  readonly attack_id: string | null;
  readonly adapter: string | null;
  readonly dry_run: number;
  readonly reason: string;
  readonly payload: string | null;
}

/** Predecessor hash of the first record of a chain. */
export const GENESIS = '0'.repeat(64);

/**
 * Canonical serialisation: a JSON array in fixed column order with a version tag. Numbers come back from
 * both databases as the same doubles, and JSON.stringify prints a double one way only.
 */
export function canonical(row: ChainRow, prevHash: string): string {
  return JSON.stringify([
    'fg-audit-v1',
    prevHash,
    Number(row.at),
    row.actor,
    row.action,
    row.tenant,
    row.target,
    row.rule_id,
    row.attack_id,
    row.adapter,
    Number(row.dry_run),
    row.reason,
    row.payload,
  ]);
}

export function linkHash(row: ChainRow, prevHash: string): string {
  return createHash('sha256').update(canonical(row, prevHash)).digest('hex');
}

export interface StoredRow extends ChainRow {
  readonly id: number;
  readonly prev_hash: string | null;
  readonly hash: string | null;
}

export interface ChainHead {
  readonly last_id: number | null;
  readonly last_hash: string | null;
}

/**
 * Incremental verifier: read the stored head first, feed rows in id order, then finish. Records
 * appended while the walk runs come after the head and are checked link by link like the others, so
 * the walk needs no snapshot.
 */
export class ChainVerifier {
  private headSeen: string | undefined;
  private prev = GENESIS;
  private prevId: number | null = null;
  private chained = false;
  private count = 0;
  private legacyCount = 0;
  readonly problems: ChainProblem[] = [];
  /** Rows whose stored predecessor hash is not the previous row's: resolved by the caller. */
  readonly brokenLinks: { id: number; prevHash: string; prevId: number | null }[] = [];

  constructor(
    private readonly head: ChainHead,
    private readonly maxProblems = 100,
  ) {}

  private problem(p: ChainProblem): void {
    if (this.problems.length < this.maxProblems) this.problems.push(p);
  }

  push(row: StoredRow): void {
    this.link(row);
    if (row.id === this.head.last_id) this.headSeen = this.prev;
  }

  private link(row: StoredRow): void {
    this.count++;
    if (row.hash === null || row.prev_hash === null) {
      if (this.chained) {
        this.problem({
          id: row.id,
          kind: 'unchained',
          message: `record #${row.id} has no hash link: it was written around the store`,
        });
        this.prev = linkHash(row, this.prev);
      } else {
        // written before the chain existed: its link is computed, and the first chained record covers it
        this.legacyCount++;
        this.prev = linkHash(row, this.prev);
      }
      this.prevId = row.id;
      return;
    }
    this.chained = true;
    if (linkHash(row, row.prev_hash) !== row.hash) {
      this.problem({
        id: row.id,
        kind: 'edited',
        message: `record #${row.id} does not match its hash: its content was changed`,
      });
    }
    if (row.prev_hash !== this.prev && this.brokenLinks.length < this.maxProblems) {
      this.brokenLinks.push({ id: row.id, prevHash: row.prev_hash, prevId: this.prevId });
    }
    this.prev = row.hash;
    this.prevId = row.id;
  }

  /**
   * Classifies each broken link: a predecessor found elsewhere in the table means records were moved;
   * one found nowhere means it was deleted (or rewritten together with its own hash).
   */
  resolveLinks(locate: ReadonlyMap<string, number>): void {
    for (const b of this.brokenLinks) {
      const at = locate.get(b.prevHash);
      this.problem(
        at !== undefined
          ? {
              id: b.id,
              kind: 'reordered',
              message: `record #${b.id} follows #${at} in the chain but is stored after #${b.prevId ?? '(start)'}: records were reordered`,
            }
          : {
              id: b.id,
              kind: 'deleted',
              message: `the record before #${b.id} is missing: deleted (or rewritten with a new hash) after #${b.prevId ?? '(start)'}`,
            },
      );
    }
  }

  finish(): AuditVerification {
    const { last_id: id, last_hash: hash } = this.head;
    if (hash !== null && this.headSeen === undefined) {
      this.problem({
        id,
        kind: 'truncated',
        message: `the newest record appended, #${id}, is missing: the newest records were deleted`,
      });
    } else if (hash !== null && this.headSeen !== hash) {
      this.problem({
        id,
        kind: 'truncated',
        message: `record #${id} is not the newest record appended (hash ${hash.slice(0, 12)}…): the newest records were replaced`,
      });
    }
    return {
      ok: this.problems.length === 0,
      records: this.count,
      legacy: this.legacyCount,
      head: this.prevId !== null ? { id: this.prevId, hash: this.prev } : null,
      problems: this.problems,
    };
  }
}
