/**
 * The explorer's JSON filter: a small language over a message body parsed as JSON, run on the server for every
 * scanned message (and parsed in the browser too, so a mistake is shown beside the field before anything runs).
 *
 *   filter     := or
 *   or         := and ( "||" and )*
 *   and        := unary ( "&&" unary )*
 *   unary      := "!" unary | "(" or ")" | test
 *   test       := path [ "exists" | op literal ]           a bare path means "exists"
 *   path       := "$" step* | name step*                   "$" is the whole body; "$" may be left out
 *   step       := "." name | ".*" | "[" integer "]" | "[" string "]" | "[*]"
 *   op         := "==" | "!=" | "<" | "<=" | ">" | ">="
 *   literal    := string | number | true | false | null    strings in "double" (JSON escapes) or 'single' quotes
 *   name       := letter or _ , then letters, digits, _ or -
 *
 * Meaning: a path names zero or more values (`*` is every element of an array or every value of an object; a
 * negative index counts from the end). A test holds when ANY named value satisfies it; a path that names
 * nothing fails every test, `!=` included (use `!path` for "missing"). `==` / `!=` compare numbers, strings,
 * booleans and null by value and never equal objects or arrays; `<` `<=` `>` `>=` hold only between two
 * numbers or two strings. A body that is not JSON fails the whole filter.
 *
 * Examples: `$.order.status == "PAID"`, `order.amount >= 100 && order.currency == 'EUR'`, `$.items[*].sku == "A1"`,
 * `$.items[0]`, `!$.error`, `$["weird key"] != null`.
 */
import { EXPLORER_FILTER_CHARS_MAX } from '@broker/config/limits';

export type JsonLiteral = string | number | boolean | null;
export type JsonStep = { kind: 'name'; name: string } | { kind: 'index'; index: number } | { kind: 'any' };
export type JsonOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

export type JsonFilter =
  | { kind: 'or' | 'and'; terms: JsonFilter[] }
  | { kind: 'not'; term: JsonFilter }
  | { kind: 'exists'; path: JsonStep[] }
  | { kind: 'compare'; path: JsonStep[]; op: JsonOp; value: JsonLiteral };

export type JsonFilterParse = { ok: true; filter: JsonFilter } | { ok: false; message: string; column: number };

/** Nesting of parentheses and `!`, steps of one path, and terms of one `&&`/`||` chain, at most. */
const DEPTH_MAX = 32;

type Token =
  | { type: 'punct'; value: string; at: number }
  | { type: 'name'; value: string; at: number }
  | { type: 'string'; value: string; at: number }
  | { type: 'number'; value: number; at: number }
  | { type: 'end'; at: number };

class FilterSyntaxError extends Error {
  constructor(message: string, readonly at: number) {
    super(message);
  }
}

const PUNCTUATION = ['==', '!=', '<=', '>=', '&&', '||', '<', '>', '!', '(', ')', '[', ']', '.', '*', '$'];

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const punct = PUNCTUATION.find((p) => text.startsWith(p, i));
    if (punct) {
      // "=" alone, "&" alone and "|" alone are not operators: caught below with a hint.
      tokens.push({ type: 'punct', value: punct, at: i });
      i += punct.length;
      continue;
    }
    if (c === '"' || c === "'") {
      const [value, next] = readString(text, i);
      tokens.push({ type: 'string', value, at: i });
      i = next;
      continue;
    }
    const number = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i));
    if (number && (c === '-' || /\d/.test(c))) {
      tokens.push({ type: 'number', value: Number(number[0]), at: i });
      i += number[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(text.slice(i));
    if (name) {
      tokens.push({ type: 'name', value: name[0], at: i });
      i += name[0].length;
      continue;
    }
    if (c === '=') throw new FilterSyntaxError('Use == to compare (a single = is not an operator)', i);
    if (c === '&' || c === '|') throw new FilterSyntaxError(`Use ${c}${c} to combine tests`, i);
    throw new FilterSyntaxError(`Unexpected character "${c}"`, i);
  }
  tokens.push({ type: 'end', at: text.length });
  return tokens;
}

function readString(text: string, start: number): [string, number] {
  const quote = text[start]!;
  let i = start + 1;
  let raw = '';
  while (i < text.length && text[i] !== quote) {
    if (text[i] === '\\') {
      if (i + 1 >= text.length) break;
      raw += text.slice(i, i + 2);
      i += 2;
    } else {
      raw += text[i];
      i++;
    }
  }
  if (i >= text.length) throw new FilterSyntaxError(`Unclosed string: add the closing ${quote}`, start);
  const json = quote === '"' ? raw : raw.replace(/\\'/g, "'").replace(/"/g, '\\"');
  try {
    return [JSON.parse(`"${json}"`) as string, i + 1];
  } catch {
    throw new FilterSyntaxError('Bad escape in string (use \\" \\\\ \\n \\t or \\uXXXX)', start);
  }
}

class Parser {
  #at = 0;
  #depth = 0;
  constructor(private readonly tokens: Token[]) {}

  get #token(): Token {
    return this.tokens[this.#at]!;
  }

  #isPunct(value: string): boolean {
    const t = this.#token;
    return t.type === 'punct' && t.value === value;
  }

  #expectPunct(value: string, what: string): void {
    if (!this.#isPunct(value)) throw new FilterSyntaxError(`Expected ${what}`, this.#token.at);
    this.#at++;
  }

  parse(): JsonFilter {
    if (this.#token.type === 'end') throw new FilterSyntaxError('Enter a filter, e.g. $.order.status == "PAID"', 0);
    const filter = this.#chain('or');
    const rest = this.tokens[this.#at]!;
    if (rest.type !== 'end') throw new FilterSyntaxError(`Unexpected ${describe(rest)}: join tests with && or ||`, rest.at);
    return filter;
  }

  #chain(kind: 'or' | 'and'): JsonFilter {
    const op = kind === 'or' ? '||' : '&&';
    const terms = [kind === 'or' ? this.#chain('and') : this.#unary()];
    while (this.#isPunct(op)) {
      this.#at++;
      if (terms.length >= DEPTH_MAX) throw new FilterSyntaxError(`At most ${DEPTH_MAX} tests joined by ${op}`, this.#token.at);
      terms.push(kind === 'or' ? this.#chain('and') : this.#unary());
    }
    return terms.length === 1 ? terms[0]! : { kind, terms };
  }

  #unary(): JsonFilter {
    if (++this.#depth > DEPTH_MAX) throw new FilterSyntaxError(`Nested more than ${DEPTH_MAX} deep`, this.#token.at);
    try {
      if (this.#isPunct('!')) {
        this.#at++;
        return { kind: 'not', term: this.#unary() };
      }
      if (this.#isPunct('(')) {
        this.#at++;
        const inner = this.#chain('or');
        this.#expectPunct(')', 'a closing )');
        return inner;
      }
      return this.#test();
    } finally {
      this.#depth--;
    }
  }

  #test(): JsonFilter {
    const path = this.#path();
    const t = this.#token;
    if (t.type === 'name' && t.value === 'exists') {
      this.#at++;
      return { kind: 'exists', path };
    }
    if (t.type === 'punct' && ['==', '!=', '<', '<=', '>', '>='].includes(t.value)) {
      this.#at++;
      return { kind: 'compare', path, op: t.value as JsonOp, value: this.#literal(t.value) };
    }
    return { kind: 'exists', path };
  }

  #path(): JsonStep[] {
    const steps: JsonStep[] = [];
    const t = this.#token;
    if (t.type === 'punct' && t.value === '$') this.#at++;
    else if (t.type === 'name') {
      steps.push({ kind: 'name', name: t.value });
      this.#at++;
    } else throw new FilterSyntaxError(`Expected a path such as $.order.status, found ${describe(t)}`, t.at);
    for (;;) {
      const step = this.#token;
      if (step.type === 'punct' && step.value === '.') {
        this.#at++;
        const name = this.#token;
        if (name.type === 'name') steps.push({ kind: 'name', name: name.value });
        else if (name.type === 'punct' && name.value === '*') steps.push({ kind: 'any' });
        else throw new FilterSyntaxError('Expected a field name or * after "."', name.at);
        this.#at++;
      } else if (step.type === 'punct' && step.value === '[') {
        this.#at++;
        const inside = this.#token;
        if (inside.type === 'number' && Number.isInteger(inside.value)) steps.push({ kind: 'index', index: inside.value });
        else if (inside.type === 'string') steps.push({ kind: 'name', name: inside.value });
        else if (inside.type === 'punct' && inside.value === '*') steps.push({ kind: 'any' });
        else throw new FilterSyntaxError('Expected an index, a quoted name or * inside [ ]', inside.at);
        this.#at++;
        this.#expectPunct(']', 'a closing ]');
      } else break;
      if (steps.length > DEPTH_MAX) throw new FilterSyntaxError(`A path has at most ${DEPTH_MAX} steps`, step.at);
    }
    return steps;
  }

  #literal(op: string): JsonLiteral {
    const t = this.#token;
    this.#at++;
    if (t.type === 'string' || t.type === 'number') return t.value;
    if (t.type === 'name' && (t.value === 'true' || t.value === 'false')) return t.value === 'true';
    if (t.type === 'name' && t.value === 'null') return null;
    throw new FilterSyntaxError(`Expected a value after ${op}: "text", a number, true, false or null`, t.at);
  }
}

function describe(t: Token): string {
  if (t.type === 'end') return 'the end';
  if (t.type === 'string') return 'a string';
  return `"${t.value}"`;
}

/** Parses a filter; errors say what was expected and the 1-based column. */
export function parseJsonFilter(text: string): JsonFilterParse {
  if (text.length > EXPLORER_FILTER_CHARS_MAX) return { ok: false, message: `A JSON filter has at most ${EXPLORER_FILTER_CHARS_MAX} characters`, column: EXPLORER_FILTER_CHARS_MAX + 1 };
  try {
    return { ok: true, filter: new Parser(tokenize(text)).parse() };
  } catch (err) {
    if (err instanceof FilterSyntaxError) return { ok: false, message: `${err.message} (column ${err.at + 1})`, column: err.at + 1 };
    throw err;
  }
}

function select(root: unknown, path: JsonStep[]): unknown[] {
  let values: unknown[] = [root];
  for (const step of path) {
    const next: unknown[] = [];
    for (const value of values) {
      if (value === null || typeof value !== 'object') continue;
      if (step.kind === 'any') next.push(...(Array.isArray(value) ? value : Object.values(value)));
      else if (step.kind === 'index') {
        if (Array.isArray(value)) {
          const at = step.index < 0 ? value.length + step.index : step.index;
          if (at >= 0 && at < value.length) next.push(value[at]);
        }
      } else if (!Array.isArray(value) && Object.prototype.hasOwnProperty.call(value, step.name)) {
        next.push((value as Record<string, unknown>)[step.name]);
      }
    }
    values = next;
    if (values.length === 0) break;
  }
  return values;
}

function isScalar(v: unknown): v is JsonLiteral {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

function compare(value: unknown, op: JsonOp, literal: JsonLiteral): boolean {
  if (op === '==' || op === '!=') {
    const equal = isScalar(value) && value === literal;
    return op === '==' ? equal : !equal;
  }
  const comparable = (typeof value === 'number' && typeof literal === 'number') || (typeof value === 'string' && typeof literal === 'string');
  if (!comparable) return false;
  const a = value as number | string;
  const b = literal as number | string;
  return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
}

/** Whether a parsed JSON value satisfies the filter. */
export function matchesJsonFilter(filter: JsonFilter, root: unknown): boolean {
  switch (filter.kind) {
    case 'or':
      return filter.terms.some((t) => matchesJsonFilter(t, root));
    case 'and':
      return filter.terms.every((t) => matchesJsonFilter(t, root));
    case 'not':
      return !matchesJsonFilter(filter.term, root);
    case 'exists':
      return select(root, filter.path).length > 0;
    case 'compare':
      return select(root, filter.path).some((v) => compare(v, filter.op, filter.value));
  }
}
