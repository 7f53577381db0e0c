// VRP files as validators publish them: rpki-client `json`, Routinator `json` / `jsonext`, and
// Cloudflare's `rpki.json` (also what stayrtr reads and serves). All carry a `roas` array of
// { prefix, maxLength, asn } where asn is 64500 or "AS64500"; they differ in metadata and extras.
import { type Vrp, VrpError, makeVrp, parseAsn } from './vrp.js';

export type VrpFileFormat = 'rpki-client' | 'routinator-jsonext' | 'cloudflare' | 'json';

export interface ParsedVrpFile {
  readonly format: VrpFileFormat;
  readonly vrps: Vrp[];
  /** When the validator produced the data (ms since epoch), if the file says. */
  readonly generatedAt?: number;
}

export class VrpFileError extends Error {
  constructor(
    readonly source: string,
    /** Where in the file: "line 3, column 14" or a key path like "roas[12].maxLength". */
    readonly where: string,
    readonly reason: string,
  ) {
    super(`${source}: ${where}: ${reason}`);
    this.name = 'VrpFileError';
  }
}

/**
 * Node 20's JSON.parse does not say where it failed. A small scanner (RFC 8259 grammar) finds the
 * offset of the first error, only after JSON.parse has refused the text.
 */
function locateJsonError(text: string): string {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const lit = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail();
  };
  const str = () => {
    if (text[i] !== '"') fail();
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text.charCodeAt(i) < 0x20) fail();
      i += text[i] === '\\' ? 2 : 1;
    }
    if (i >= text.length) fail();
    i++;
  };
  const num = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m || m[0] === '') fail();
    i += (m as RegExpExecArray)[0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        str();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return void i++;
        else fail();
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return void i++;
        else fail();
      }
    }
    if (c === '"') return str();
    if (c === 't') return lit('true');
    if (c === 'f') return lit('false');
    if (c === 'n') return lit('null');
    return num();
  };
  try {
    value();
    ws();
    if (i < text.length) fail();
    return 'JSON';
  } catch (pos) {
    // a nesting too deep for the stack: say no more than JSON.parse did
    return typeof pos === 'number' ? lineColumn(text, pos) : 'JSON';
  }
}

function lineColumn(text: string, pos: number): string {
  let line = 1;
  let col = 1;
  for (let i = 0; i < pos && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      col = 1;
    } else col++;
  }
  return `line ${line}, column ${col}`;
}

function timeOf(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v < 1e11 ? v * 1000 : v; // seconds or ms
  if (typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

/** Parses one VRP file; throws VrpFileError naming the line or key that is wrong. */
export function parseVrpFile(text: string, source = 'VRP file'): ParsedVrpFile {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new VrpFileError(source, locateJsonError(text), (err as Error).message);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new VrpFileError(source, '(top level)', 'expected a JSON object with a "roas" array');
  const top = doc as Record<string, unknown>;
  if (!Array.isArray(top.roas))
    throw new VrpFileError(source, 'roas', `expected an array, found ${describe(top.roas)}`);
  const meta = (typeof top.metadata === 'object' && top.metadata !== null ? top.metadata : {}) as Record<
    string,
    unknown
  >;
  const vrps: Vrp[] = [];
  let jsonext = false;
  let anyTa = false;
  top.roas.forEach((raw, i) => {
    const at = `roas[${i}]`;
    if (typeof raw !== 'object' || raw === null)
      throw new VrpFileError(source, at, `expected an object, found ${describe(raw)}`);
    const r = raw as Record<string, unknown>;
    if (typeof r.prefix !== 'string')
      throw new VrpFileError(source, `${at}.prefix`, `expected a prefix string, found ${describe(r.prefix)}`);
    const asn = parseAsn(r.asn);
    if (asn === undefined)
      throw new VrpFileError(
        source,
        `${at}.asn`,
        `expected an AS number like 64500 or "AS64500", found ${describe(r.asn)}`,
      );
    const maxLength = r.maxLength ?? r.max_length;
    if (typeof maxLength !== 'number' || !Number.isInteger(maxLength))
      throw new VrpFileError(source, `${at}.maxLength`, `expected an integer, found ${describe(maxLength)}`);
    try {
      vrps.push(makeVrp(r.prefix, maxLength, asn));
    } catch (err) {
      if (err instanceof VrpError) throw new VrpFileError(source, at, err.message);
      throw err;
    }
    if (Array.isArray(r.source)) jsonext = true;
    if (typeof r.ta === 'string') anyTa = true;
  });
  const format: VrpFileFormat = jsonext
    ? 'routinator-jsonext'
    : 'buildtime' in meta
      ? 'rpki-client'
      : 'generated' in meta || anyTa
        ? 'cloudflare'
        : 'json';
  const generatedAt = timeOf(meta.buildtime ?? meta.generated ?? meta.generatedTime);
  return generatedAt === undefined ? { format, vrps } : { format, vrps, generatedAt };
}
