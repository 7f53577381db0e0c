// The one FlowSpec text grammar, used by config, API and logs; formatFlowSpec is canonical and
// parseFlowSpec(formatFlowSpec(m)) gives m back exactly.
//
//   flow4|flow6 { KEYWORD VALUE }            each component at most once, in any order (formatted in
//                                            RFC type order; the set has no order, the wire does)
//   prefix:  ADDRESS[/LEN] [offset N]        offset only in flow6 (RFC 8956 §3.1); 0 is not written
//   numeric: TERM { (&|'|') TERM }           & = AND with the previous term, | = OR (RFC 8955 §4.2.1.1)
//            TERM = (= | != | < | <= | > | >= | true: | false:) DECIMAL
//   bitmask: TERM { (&|'|') TERM }
//            TERM = [!][=]FLAGS   = sets the match bit (all FLAGS set), no = means any of FLAGS set,
//                                 ! sets the not bit (RFC 8955 §4.2.1.2); "match" before the terms
//                                 sets the match bit on all of them ("tcp-flags match syn&!ack")
//            FLAGS = name{+name} | 0xHEX    tcp-flags: fin syn rst psh ack urg ece cwr;
//                                           frag: dont-fragment is-fragment first-fragment last-fragment
// e.g. "flow4 dst 203.0.113.5/32 proto =17 dport =53|=123 sport >=1024&<=65535 tcp-flags =syn&!ack frag is-fragment"
import {
  BITMASK_FLAG_NAMES,
  COMPONENT_ORDER,
  componentByKeyword,
  keywordFor,
  type BitmaskKey,
  type ComponentSpec,
  type Family,
} from './components.js';
import type { FlowSpecParseError, FlowSpecParseErrorCode } from './errors.js';
import { isPrefixProblem, prefixFromValue, prefixValue } from './prefix.js';
import type { BitmaskTerm, FlowSpecMatch, FlowSpecPrefix, NumericTerm } from './types.js';

type Ops = readonly [lt: boolean, gt: boolean, eq: boolean];

// Longest tokens first so ">=" is not read as ">".
const NUMERIC_OPS: readonly (readonly [string, Ops])[] = [
  ['true:', [true, true, true]],
  ['false:', [false, false, false]],
  ['>=', [false, true, true]],
  ['<=', [true, false, true]],
  ['!=', [true, true, false]],
  ['=', [false, false, true]],
  ['<', [true, false, false]],
  ['>', [false, true, false]],
];

function opText(t: NumericTerm): string {
  for (const [text, [lt, gt, eq]] of NUMERIC_OPS) if (t.lt === lt && t.gt === gt && t.eq === eq) return text;
  return '=';
}

export function formatNumericTerms(terms: readonly NumericTerm[]): string {
  return terms.map((t, i) => `${i === 0 ? '' : t.and ? '&' : '|'}${opText(t)}${t.value}`).join('');
}

function flagsText(key: BitmaskKey, value: number): string {
  const names = BITMASK_FLAG_NAMES[key];
  const parts: string[] = [];
  let rest = value;
  for (const [name, bit] of Object.entries(names)) {
    if ((value & bit) !== 0) {
      parts.push(name);
      rest &= ~bit;
    }
  }
  return value === 0 || rest !== 0 ? `0x${value.toString(16)}` : parts.join('+');
}

export function formatBitmaskTerms(key: BitmaskKey, terms: readonly BitmaskTerm[]): string {
  return terms
    .map(
      (t, i) =>
        `${i === 0 ? '' : t.and ? '&' : '|'}${t.not ? '!' : ''}${t.match ? '=' : ''}${flagsText(key, t.value)}`,
    )
    .join('');
}

function formatPrefix(p: FlowSpecPrefix): string {
  return p.offset ? `${p.prefix} offset ${p.offset}` : p.prefix;
}

/** Canonical text of a match (components in type order, single spaces). */
export function formatFlowSpec(match: FlowSpecMatch): string {
  const out = [`flow${match.family}`];
  for (const c of COMPONENT_ORDER) {
    const v = match[c.key];
    if (v === undefined) continue;
    out.push(keywordFor(c, match.family));
    if (c.kind === 'prefix') out.push(formatPrefix(v as FlowSpecPrefix));
    else if (c.kind === 'numeric') out.push(formatNumericTerms(v as readonly NumericTerm[]));
    else out.push(formatBitmaskTerms(c.key as BitmaskKey, v as readonly BitmaskTerm[]));
  }
  return out.join(' ');
}

// ---------------------------------------------------------------- parsing

interface Token {
  readonly text: string;
  readonly at: number;
}

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  const re = /\S+/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) out.push({ text: m[0], at: m.index });
  return out;
}

class ParseFail {
  constructor(readonly e: FlowSpecParseError) {}
}

function fail(error: FlowSpecParseErrorCode, message: string, position: number): never {
  throw new ParseFail({ error, message, position });
}

const DEC = /^(0|[1-9][0-9]*)/;
const HEX = /^0x[0-9a-f]+/;

function readDecimal(s: string, at: number, pos: number, max: number, what: string): [number, number] {
  const m = DEC.exec(s.slice(at));
  if (m === null) fail('bad-number', `expected a decimal number for ${what}`, pos + at);
  const v = Number(m[0]);
  if (!Number.isSafeInteger(v) || v > max) fail('bad-number', `${what}: ${m[0]} is over ${max}`, pos + at);
  return [v, at + m[0].length];
}

/** Splits "a&b|c" into terms with their AND flag and offset inside the token. */
function splitTerms(tok: Token): { text: string; and: boolean; at: number }[] {
  const out: { text: string; and: boolean; at: number }[] = [];
  let start = 0;
  let and = false;
  for (let i = 0; i <= tok.text.length; i++) {
    const ch = tok.text[i];
    if (i === tok.text.length || ch === '&' || ch === '|') {
      if (i === start) fail('syntax', 'empty term', tok.at + i);
      out.push({ text: tok.text.slice(start, i), and, at: start });
      and = ch === '&';
      start = i + 1;
    }
  }
  return out;
}

function parseNumeric(c: ComponentSpec, tok: Token, family: Family): NumericTerm[] {
  return splitTerms(tok).map((t, i) => {
    const op = NUMERIC_OPS.find(([text]) => t.text.startsWith(text));
    if (op === undefined)
      fail(
        'syntax',
        `expected an operator (= != < <= > >= true: false:) in ${JSON.stringify(t.text)}`,
        tok.at + t.at,
      );
    const [text, [lt, gt, eq]] = op;
    const [value, end] = readDecimal(t.text, text.length, tok.at + t.at, c.max[family], c.name);
    if (end !== t.text.length)
      fail('syntax', `unexpected ${JSON.stringify(t.text.slice(end))}`, tok.at + t.at + end);
    return { and: i > 0 && t.and, lt, gt, eq, value };
  });
}

function parseFlags(key: BitmaskKey, c: ComponentSpec, s: string, pos: number): number {
  const hex = HEX.exec(s);
  if (hex !== null) {
    if (hex[0].length !== s.length)
      fail('bad-flag', `unexpected ${JSON.stringify(s.slice(hex[0].length))}`, pos + hex[0].length);
    const v = parseInt(hex[0].slice(2), 16);
    if (!(v <= c.max[4])) fail('bad-flag', `${c.name}: ${hex[0]} is over 0x${c.max[4].toString(16)}`, pos);
    return v;
  }
  const names = BITMASK_FLAG_NAMES[key];
  let v = 0;
  let at = 0;
  for (const name of s.split('+')) {
    const bit = Object.hasOwn(names, name) ? names[name] : undefined;
    if (bit === undefined) {
      fail(
        'bad-flag',
        `unknown ${c.name} flag ${JSON.stringify(name)}; known: ${Object.keys(names).join(', ')} or 0xHEX`,
        pos + at,
      );
    }
    v |= bit;
    at += name.length + 1;
  }
  return v;
}

function parseBitmask(c: ComponentSpec, tok: Token, allMatch: boolean): BitmaskTerm[] {
  const key = c.key as BitmaskKey;
  return splitTerms(tok).map((t, i) => {
    let s = t.text;
    let at = tok.at + t.at;
    const not = s.startsWith('!');
    if (not) {
      s = s.slice(1);
      at++;
    }
    const eq = s.startsWith('=');
    const match = eq || allMatch;
    if (eq) {
      s = s.slice(1);
      at++;
    }
    return { and: i > 0 && t.and, not, match, value: parseFlags(key, c, s, at) };
  });
}

function parsePrefix(
  c: ComponentSpec,
  tok: Token,
  offsetKw: Token | undefined,
  offsetTok: Token | undefined,
  family: Family,
): FlowSpecPrefix {
  let offset: number | undefined;
  if (offsetKw !== undefined && offsetTok !== undefined) {
    if (family === 4)
      fail('component-not-in-family', 'offset exists only for flow6 (RFC 8956 §3.1)', offsetKw.at);
    const [v, end] = readDecimal(offsetTok.text, 0, offsetTok.at, 127, 'offset');
    if (end !== offsetTok.text.length) fail('bad-number', 'offset must be a decimal number', offsetTok.at);
    offset = v;
  }
  const v = prefixValue(offset === undefined ? { prefix: tok.text } : { prefix: tok.text, offset }, family);
  if (isPrefixProblem(v))
    fail(
      'bad-prefix',
      `${c.name}: ${v.message}`,
      v.reason === 'offset-invalid' && offsetTok ? offsetTok.at : tok.at,
    );
  return prefixFromValue(family, v.bytes, v.length, v.offset);
}

/** Parses the text grammar above. Returns the match or an error with the character position. */
export function parseFlowSpec(text: string): FlowSpecMatch | FlowSpecParseError {
  try {
    if (typeof text !== 'string') fail('syntax', 'not a string', 0);
    const toks = tokenize(text);
    const head = toks[0];
    if (head === undefined || (head.text !== 'flow4' && head.text !== 'flow6')) {
      fail('syntax', 'a FlowSpec starts with flow4 or flow6', head?.at ?? 0);
    }
    const family: Family = head.text === 'flow4' ? 4 : 6;
    const m: Record<string, unknown> = { family };
    let count = 0;
    let i = 1;
    while (i < toks.length) {
      const kw = toks[i] as Token;
      const c = componentByKeyword(kw.text, family);
      if (c === undefined) {
        const other = componentByKeyword(kw.text, family === 4 ? 6 : 4);
        if (other !== undefined)
          fail('component-not-in-family', `${kw.text} does not exist in flow${family}`, kw.at);
        fail('unknown-keyword', `unknown component ${JSON.stringify(kw.text)}`, kw.at);
      }
      if (m[c.key] !== undefined) fail('duplicate-component', `${kw.text} given twice`, kw.at);
      count++;
      let val = toks[i + 1];
      i += 2;
      // "tcp-flags match syn&!ack": the match bit on every term, the same as "=syn&!=ack".
      const allMatch = c.kind === 'bitmask' && val?.text === 'match';
      if (allMatch) val = toks[i++];
      if (val === undefined) fail('syntax', `${kw.text} needs a value`, text.length);
      if (c.kind === 'prefix') {
        let offsetKw: Token | undefined;
        let offsetTok: Token | undefined;
        if (toks[i]?.text === 'offset') {
          offsetKw = toks[i];
          offsetTok = toks[i + 1];
          if (offsetTok === undefined) fail('syntax', 'offset needs a number', text.length);
          i += 2;
        }
        m[c.key] = parsePrefix(c, val, offsetKw, offsetTok, family);
      } else if (c.kind === 'numeric') m[c.key] = parseNumeric(c, val, family);
      else m[c.key] = parseBitmask(c, val, allMatch);
    }
    if (count === 0)
      fail('empty-match', 'an empty FlowSpec matches all traffic; give at least one component', text.length);
    return m as unknown as FlowSpecMatch;
  } catch (e) {
    if (e instanceof ParseFail) return e.e;
    throw e;
  }
}
