// The one error catalogue: every engine refusal maps onto a catalogue code with its HTTP status, every
// refusal code is one the engine produces (no dead rows), and errors made from others keep their cause.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { engineRefusal, frameworkError } from '../api/errors.js';
import { API_ERRORS, REFUSALS, type RefusalCode, refusalStatus } from './errors.js';

const mitigationDir = new URL('../mitigation/', import.meta.url);
const engineSource = readdirSync(mitigationDir)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .map((f) => readFileSync(new URL(f, mitigationDir), 'utf8'))
  .join('\n');

describe('error catalogue', () => {
  it('maps every engine refusal to an API code and its status', () => {
    for (const [code, row] of Object.entries(REFUSALS) as [RefusalCode, (typeof REFUSALS)[RefusalCode]][]) {
      const err = engineRefusal(code, 'why');
      expect(err.code).toBe(row.error);
      expect(err.status).toBe(API_ERRORS[row.error].status);
      expect(refusalStatus(code)).toBe(err.status);
      expect(err.toJSON().error).toEqual({ code: row.error, message: 'why', details: { reason: code } });
    }
    expect(refusalStatus('invalid-target')).toBe(400);
    expect(refusalStatus('too-broad')).toBe(422);
    expect(refusalStatus('not-found')).toBe(404);
  });

  it('holds no refusal code the engine never produces', () => {
    for (const code of Object.keys(REFUSALS)) expect(engineSource, code).toContain(`'${code}'`);
  });

  it('a framework error becomes a catalogue error that keeps it as its cause', () => {
    const cause = { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE', message: 'too big' };
    const err = frameworkError(cause);
    expect(err.code).toBe('payload_too_large');
    expect(err.status).toBe(413);
    expect(err.cause).toBe(cause);
  });
});
