/**
 * Tokens of RocketMQ's SQL92 message selector (rocketmq-filter 4.9.4, a JMS-selector dialect), read the way its
 * JavaCC token manager reads them:
 *
 *   skipped      " " \t \n \r \f, `-- ...` up to and including a line end (a `--` with no line end after it is
 *                two minus signs), `/* ... *\/`
 *   keywords     NOT AND OR BETWEEN IN TRUE FALSE NULL IS            (any case)
 *   DECIMAL      "0" | [1-9][0-9]* [lL]?
 *   FLOAT        [0-9]+ "." [0-9]* EXP? | "." [0-9]+ EXP? | [0-9]+ EXP       EXP = [eE] [+-]? [0-9]+
 *   STRING       ' ... '  with '' for a quote inside
 *   ID           [a-zA-Z_$] [a-zA-Z0-9_$]*     (no dots or dashes: `a.b` is not one name)
 *   punctuation  = <> > >= < <= ( , ) + -
 *
 * The longest match wins; at equal length a keyword beats ID. Tokens are read on demand, as JavaCC does: the
 * parser never asks for what follows a complete expression, so trailing text is ignored unless its first token
 * cannot be read at all.
 */
import { Sql92SyntaxError } from './errors';

export const KEYWORDS = ['NOT', 'AND', 'OR', 'BETWEEN', 'IN', 'TRUE', 'FALSE', 'NULL', 'IS'] as const;
export type Keyword = (typeof KEYWORDS)[number];
export const PUNCTUATION = ['=', '<>', '>', '>=', '<', '<=', '(', ',', ')', '+', '-'] as const;
export type Punctuation = (typeof PUNCTUATION)[number];

export type Token =
  | { kind: 'keyword'; keyword: Keyword; image: string; where: string }
  | { kind: 'punct'; punct: Punctuation; image: string; where: string }
  | { kind: 'decimal' | 'float' | 'string' | 'id'; image: string; where: string }
  | { kind: 'eof'; image: ''; where: string };

/** "line 1, column 7" of a character index (both counted from 1, as JavaCC reports them). */
export function positionOf(text: string, at: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < at && i < text.length; i++) {
    if (text[i] === '\n' || (text[i] === '\r' && text[i + 1] !== '\n')) {
      line++;
      lineStart = i + 1;
    }
  }
  return `line ${line}, column ${at - lineStart + 1}`;
}

/** A token before its text and place are known (Omit applied to each member of the union). */
type TokenBody = Token extends infer T ? (T extends Token ? Omit<T, 'image' | 'where'> : never) : never;

const KEYWORD_SET: ReadonlySet<string> = new Set(KEYWORDS);

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

function isIdStart(c: string | undefined): boolean {
  return c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c === '$');
}

function isIdPart(c: string | undefined): boolean {
  return isIdStart(c) || isDigit(c);
}

/** Length of the digit run starting at `at`. */
function digitsAt(text: string, at: number): number {
  let end = at;
  while (isDigit(text[end])) end++;
  return end - at;
}

/** Length of an exponent (`e+10`) starting at `at`, or 0 when there is none. */
function exponentAt(text: string, at: number): number {
  if (text[at] !== 'e' && text[at] !== 'E') return 0;
  let end = at + 1;
  if (text[end] === '+' || text[end] === '-') end++;
  const digits = digitsAt(text, end);
  return digits === 0 ? 0 : end + digits - at;
}

/** Length of the DECIMAL_LITERAL at `at` (0 when none). */
function decimalAt(text: string, at: number): number {
  if (text[at] === '0') return 1;
  if (!isDigit(text[at])) return 0;
  const digits = digitsAt(text, at);
  const suffix = text[at + digits] === 'l' || text[at + digits] === 'L' ? 1 : 0;
  return digits + suffix;
}

/** Length of the FLOATING_POINT_LITERAL at `at` (0 when none). */
function floatAt(text: string, at: number): number {
  const whole = digitsAt(text, at);
  if (whole > 0) {
    if (text[at + whole] === '.') {
      const fraction = digitsAt(text, at + whole + 1);
      const end = at + whole + 1 + fraction;
      return end + exponentAt(text, end) - at;
    }
    const exponent = exponentAt(text, at + whole);
    return exponent > 0 ? whole + exponent : 0;
  }
  if (text[at] === '.') {
    const fraction = digitsAt(text, at + 1);
    if (fraction === 0) return 0;
    const end = at + 1 + fraction;
    return end + exponentAt(text, end) - at;
  }
  return 0;
}

/** Length of the STRING_LITERAL at `at` (0 when none; -1 when the quote is never closed). */
function stringAt(text: string, at: number): number {
  if (text[at] !== "'") return 0;
  let i = at + 1;
  for (;;) {
    if (i >= text.length) return -1;
    if (text[i] === "'") {
      if (text[i + 1] === "'") {
        i += 2;
        continue;
      }
      return i + 1 - at;
    }
    i++;
  }
}

/** Length of what is skipped at `at`: white space or a comment (0 when nothing is). */
function skippedAt(text: string, at: number): number {
  const c = text[at];
  if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f') return 1;
  if (c === '-' && text[at + 1] === '-') {
    let i = at + 2;
    while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
    if (i >= text.length) return 0; // no line end: not a comment
    if (text[i] === '\r' && text[i + 1] === '\n') return i + 2 - at;
    return i + 1 - at;
  }
  if (c === '/' && text[at + 1] === '*') {
    const end = text.indexOf('*/', at + 2);
    return end < 0 ? 0 : end + 2 - at;
  }
  return 0;
}

function punctuationAt(text: string, at: number): Punctuation | null {
  const two = text.slice(at, at + 2);
  if (two === '<>' || two === '>=' || two === '<=') return two;
  const one = text[at];
  return (PUNCTUATION as readonly string[]).includes(one ?? '') ? (one as Punctuation) : null;
}

/** A lazy token stream over one expression; `peek(n)` reads tokens only as far as asked. */
export class TokenStream {
  readonly #text: string;
  readonly #tokens: Token[] = [];
  #scanAt = 0;
  #next = 0;

  constructor(text: string) {
    this.#text = text;
  }

  /** The token `ahead` places past the current one (0 = the current one). */
  peek(ahead = 0): Token {
    while (this.#tokens.length <= this.#next + ahead) {
      const last = this.#tokens[this.#tokens.length - 1];
      if (last?.kind === 'eof') return last;
      this.#tokens.push(this.#read());
    }
    return this.#tokens[this.#next + ahead]!;
  }

  /** Consumes and returns the current token. */
  take(): Token {
    const token = this.peek();
    if (token.kind !== 'eof') this.#next++;
    return token;
  }

  #read(): Token {
    const text = this.#text;
    for (;;) {
      const skipped = skippedAt(text, this.#scanAt);
      if (skipped === 0) break;
      this.#scanAt += skipped;
    }
    const at = this.#scanAt;
    const where = positionOf(text, at);
    if (at >= text.length) return { kind: 'eof', image: '', where };
    const c = text[at]!;
    const emit = (length: number, token: TokenBody): Token => {
      this.#scanAt = at + length;
      return { ...token, image: text.slice(at, at + length), where } as Token;
    };
    if (isIdStart(c)) {
      let end = at + 1;
      while (isIdPart(text[end])) end++;
      const upper = text.slice(at, end).toUpperCase();
      if (KEYWORD_SET.has(upper)) return emit(end - at, { kind: 'keyword', keyword: upper as Keyword });
      return emit(end - at, { kind: 'id' });
    }
    const decimal = decimalAt(text, at);
    const float = floatAt(text, at);
    if (decimal > 0 || float > 0) return float > decimal ? emit(float, { kind: 'float' }) : emit(decimal, { kind: 'decimal' });
    const string = stringAt(text, at);
    if (string > 0) return emit(string, { kind: 'string' });
    if (string < 0) throw new Sql92SyntaxError(`Lexical error at ${where}: the string that starts here is never closed (a quote inside a string is written '')`);
    const punct = punctuationAt(text, at);
    if (punct) return emit(punct.length, { kind: 'punct', punct });
    throw new Sql92SyntaxError(`Lexical error at ${where}: unexpected character ${JSON.stringify(c)}`);
  }
}
