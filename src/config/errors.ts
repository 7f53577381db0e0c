// Config errors that name the key path, what was expected and what was found.
import type { z } from 'zod';

export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
}

export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];
  constructor(source: string, problems: readonly ConfigProblem[], options?: { cause?: unknown }) {
    super(
      `invalid config ${source}:\n` +
        problems.map((p) => `  - ${p.path || '(top level)'}: ${p.message}`).join('\n'),
      options,
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

function describeFound(input: unknown): string {
  if (input === undefined) return 'nothing';
  if (input === null) return 'null';
  if (Array.isArray(input)) return `a list of ${input.length}`;
  if (typeof input === 'object') return 'a mapping';
  const text = JSON.stringify(input);
  return `${typeof input} ${text.length > 60 ? text.slice(0, 57) + '...' : text}`;
}

/** One line per zod issue: "expected X, found Y" where the issue allows it. */
export function problemsFromZod(issues: readonly z.core.$ZodIssue[]): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  for (const issue of issues) {
    const path = formatPath(issue.path);
    const found = 'input' in issue ? describeFound(issue.input) : undefined;
    let message: string;
    switch (issue.code) {
      case 'invalid_type':
        message = `expected ${issue.expected}, found ${found ?? 'something else'}`;
        break;
      case 'invalid_value':
        message = `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, found ${found}`;
        break;
      case 'unrecognized_keys':
        for (const key of issue.keys) {
          out.push({
            path: path ? `${path}.${key}` : key,
            message: 'unknown key (check the spelling; see floodgate.example.yaml)',
          });
        }
        continue;
      case 'too_small':
      case 'too_big':
        message = `${issue.message.replace(/^Too (small|big): /, '')}, found ${found}`;
        break;
      default:
        message = found ? `${issue.message}, found ${found}` : issue.message;
    }
    out.push({ path, message });
  }
  return out;
}
