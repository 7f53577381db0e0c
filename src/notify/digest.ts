// The digest of one channel: notices the rate limit held back, counted by kind (all of them) and kept
// in full for the first few, turned into one message per digest interval.
import { digestLines } from './channels/text.js';
import type { Message, Notice, Severity } from './types.js';
import { severityRank } from './types.js';

const KEEP = 50;

export class DigestBuffer {
  private notices: Notice[] = [];
  private kinds = new Map<string, number>();
  private count = 0;
  private from = 0;
  private severity: Severity = 'info';

  get size(): number {
    return this.count;
  }

  add(n: Notice): void {
    if (this.count === 0) this.from = n.at;
    this.count++;
    this.kinds.set(n.kind, (this.kinds.get(n.kind) ?? 0) + 1);
    if (severityRank(n.severity) > severityRank(this.severity)) this.severity = n.severity;
    if (this.notices.length < KEEP) this.notices.push(n);
  }

  /** The digest message, emptying the buffer; undefined when nothing was held. */
  take(now: number): Extract<Message, { type: 'digest' }> | undefined {
    if (this.count === 0) return undefined;
    const { notices, count } = this;
    const summary = [...this.kinds].map(([k, v]) => `${v} ${k}`).join(', ');
    const more = count > notices.length ? `\n… and ${count - notices.length} more` : '';
    const msg = {
      type: 'digest' as const,
      notices,
      count,
      severity: this.severity,
      from: this.from,
      to: now,
      title: `floodgate: ${count} more notifications held back by the rate limit`,
      text: `${summary}\n${digestLines(notices).join('\n')}${more}`,
    };
    this.notices = [];
    this.kinds = new Map();
    this.count = 0;
    this.severity = 'info';
    return msg;
  }
}
