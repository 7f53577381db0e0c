// Renders floodgate.example.yaml from the one schema: every key with its help text as a comment and
// its default as the value, so the example can never drift from the code (a test compares them).
import { stringify } from 'yaml';
import { z } from 'zod';
import { configSchema } from './schema.js';

type JsonSchema = {
  type?: string | string[];
  description?: string;
  default?: unknown;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  additionalProperties?: JsonSchema | boolean;
  minimum?: number;
  maximum?: number;
};

function typeHint(s: JsonSchema): string {
  if (s.enum) return `one of ${s.enum.map((v) => JSON.stringify(v)).join(' | ')}`;
  if (s.const !== undefined) return JSON.stringify(s.const);
  const variants = s.anyOf ?? s.oneOf;
  if (variants) return variants.map(typeHint).join(' or ');
  let t = Array.isArray(s.type) ? s.type.join('|') : (s.type ?? 'any');
  if (t === 'array' && s.items) t = `list of ${s.items.type === 'object' ? 'mappings' : typeHint(s.items)}`;
  if (s.minimum !== undefined || s.maximum !== undefined) t += ` ${s.minimum ?? ''}..${s.maximum ?? ''}`;
  return t;
}

function comment(text: string, indent: string): string[] {
  return text.split('\n').map((l) => `${indent}# ${l}`);
}

function yamlValue(value: unknown, indent: string): string[] {
  const text = stringify(value, { lineWidth: 0 }).trimEnd();
  return text.split('\n').map((l) => indent + '  ' + l);
}

function renderObject(
  s: JsonSchema,
  indent: string,
  commented: boolean,
  inherited?: Record<string, unknown>,
): string[] {
  const out: string[] = [];
  const c = commented ? '# ' : '';
  for (const [key, declared] of Object.entries(s.properties ?? {})) {
    // a parent's default (zod prefault) fills values its children do not default themselves
    const prop: JsonSchema =
      inherited && key in inherited ? { ...declared, default: inherited[key] } : declared;
    if (out.length > 0 && indent === '') out.push('');
    if (prop.description) out.push(...comment(prop.description, indent));
    const isObject = prop.type === 'object' && prop.properties;
    if (isObject) {
      const d = prop.default;
      const children = renderObject(
        prop,
        indent + '  ',
        commented,
        d && typeof d === 'object' && !Array.isArray(d) ? (d as Record<string, unknown>) : undefined,
      );
      // a mapping whose keys are all optional and unset must still be a mapping, not null
      const empty = children.every((l) => l.trimStart().startsWith('#'));
      out.push(`${indent}${c}${key}:${empty ? ' {}' : ''}`);
      out.push(...children);
      continue;
    }
    const hint = typeHint(prop);
    if (prop.default === undefined) {
      out.push(`${indent}# ${key}:   (${hint}; optional, no default)`);
    } else if (
      typeof prop.default === 'object' &&
      prop.default !== null &&
      (Array.isArray(prop.default) ? prop.default.length > 0 : Object.keys(prop.default).length > 0)
    ) {
      out.push(`${indent}${c}${key}:   # ${hint}`);
      out.push(...yamlValue(prop.default, indent).map((l) => (commented ? l.replace(/^(\s*)/, '$1# ') : l)));
    } else {
      out.push(`${indent}${c}${key}: ${stringify(prop.default, { lineWidth: 0 }).trim()}   # ${hint}`);
    }
    const item = prop.items;
    const variants = item?.anyOf ?? item?.oneOf ?? (item?.properties ? [item] : undefined);
    if (variants) {
      for (const v of variants) {
        out.push(
          `${indent}  # - item fields${
            v.properties && Object.values(v.properties).some((p) => p.const !== undefined)
              ? ` (${Object.entries(v.properties)
                  .filter(([, p]) => p.const !== undefined)
                  .map(([k, p]) => `${k}: ${JSON.stringify(p.const)}`)
                  .join(', ')})`
              : ''
          }:`,
        );
        out.push(...itemFields(v, `${indent}  #     `));
      }
    }
  }
  return out;
}

/** One line per field of a list item; an object field's own fields follow, indented (every key shown). */
function itemFields(v: JsonSchema, prefix: string): string[] {
  const out: string[] = [];
  for (const [k, p] of Object.entries(v.properties ?? {})) {
    out.push(
      `${prefix}${k}: ${typeHint(p)}${p.default !== undefined ? ` (default ${JSON.stringify(p.default)})` : ''}${p.description ? ` — ${p.description}` : ''}`,
    );
    if (p.type === 'object' && p.properties) out.push(...itemFields(p, prefix + '  '));
  }
  return out;
}

export function renderExampleConfig(): string {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return [
    '# floodgate.example.yaml — every key, with its default and what it does.',
    '# Generated from the config schema (src/config); regenerate with: npm run gen:example-config',
    '# Copy to floodgate.yaml and change what you need; keys you leave out take these defaults.',
    '',
    ...renderObject(schema, '', false),
    '',
  ].join('\n');
}
