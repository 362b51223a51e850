/**
 * JSON as the Java side (fastjson) writes and reads it. Besides standard JSON, fastjson emits:
 *  - bare integer map keys:           {"brokerAddrs":{0:"127.0.0.1:10911"}}          (Map<Long,String>)
 *  - objects used as map keys:        {"offsetTable":{{"brokerName":"b","queueId":0,"topic":"t"}:{...}}}  (Map<MessageQueue,X>)
 * parseJavaJson reads all three. An object key becomes the string key JSON.stringify(key with sorted keys),
 * so `JSON.parse(key)` gives the object back. stringifyJavaJson writes what Java clients expect:
 * plain objects as standard JSON; a JS Map's keys raw (object keys as objects; numeric keys bare when asked).
 */
import { ProtocolDecodeError } from '../util/errors';

export function parseJavaJson(text: string): unknown {
  const parser = new Parser(text);
  parser.skipWhitespace();
  const value = parser.value(0);
  parser.skipWhitespace();
  if (!parser.done()) parser.fail('unexpected trailing characters');
  return value;
}

const DEPTH_MAX = 256;

class Parser {
  #at = 0;
  readonly #text: string;
  constructor(text: string) {
    this.#text = text;
  }

  done(): boolean {
    return this.#at >= this.#text.length;
  }

  fail(message: string): never {
    throw new ProtocolDecodeError(`invalid JSON at ${this.#at}: ${message}`);
  }

  skipWhitespace(): void {
    while (this.#at < this.#text.length) {
      const c = this.#text.charCodeAt(this.#at);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.#at++;
      else break;
    }
  }

  value(depth: number): unknown {
    if (depth > DEPTH_MAX) this.fail('nested too deeply');
    const c = this.#text[this.#at];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return this.string();
    if (c === "'") return this.string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
    if (this.#text.startsWith('true', this.#at)) return (this.#at += 4), true;
    if (this.#text.startsWith('false', this.#at)) return (this.#at += 5), false;
    if (this.#text.startsWith('null', this.#at)) return (this.#at += 4), null;
    return this.fail(c === undefined ? 'unexpected end' : `unexpected character ${JSON.stringify(c)}`);
  }

  object(depth: number): Record<string, unknown> {
    this.#at++;
    const result: Record<string, unknown> = {};
    this.skipWhitespace();
    if (this.#text[this.#at] === '}') {
      this.#at++;
      return result;
    }
    for (;;) {
      this.skipWhitespace();
      const key = this.key(depth);
      this.skipWhitespace();
      if (this.#text[this.#at] !== ':') this.fail('expected ":"');
      this.#at++;
      this.skipWhitespace();
      result[key] = this.value(depth + 1);
      this.skipWhitespace();
      const next = this.#text[this.#at++];
      if (next === '}') return result;
      if (next !== ',') this.fail('expected "," or "}"');
    }
  }

  key(depth: number): string {
    const c = this.#text[this.#at];
    if (c === '"' || c === "'") return this.string();
    if (c === '{' || c === '[') return JSON.stringify(sortKeys(this.value(depth + 1)));
    const start = this.#at;
    while (this.#at < this.#text.length && /[A-Za-z0-9_$.\-+]/.test(this.#text[this.#at]!)) this.#at++;
    if (this.#at === start) this.fail('expected a key');
    return this.#text.slice(start, this.#at);
  }

  array(depth: number): unknown[] {
    this.#at++;
    const result: unknown[] = [];
    this.skipWhitespace();
    if (this.#text[this.#at] === ']') {
      this.#at++;
      return result;
    }
    for (;;) {
      this.skipWhitespace();
      result.push(this.value(depth + 1));
      this.skipWhitespace();
      const next = this.#text[this.#at++];
      if (next === ']') return result;
      if (next !== ',') this.fail('expected "," or "]"');
    }
  }

  string(): string {
    const quote = this.#text[this.#at]!;
    const start = ++this.#at;
    let result = '';
    let runStart = start;
    while (this.#at < this.#text.length) {
      const c = this.#text[this.#at]!;
      if (c === quote) {
        result += this.#text.slice(runStart, this.#at);
        this.#at++;
        return result;
      }
      if (c === '\\') {
        result += this.#text.slice(runStart, this.#at);
        const escaped = this.#text[this.#at + 1];
        if (escaped === 'u') {
          const hex = this.#text.slice(this.#at + 2, this.#at + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('bad \\u escape');
          result += String.fromCharCode(parseInt(hex, 16));
          this.#at += 6;
        } else {
          const map: Record<string, string> = { '"': '"', "'": "'", '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
          const replacement = escaped === undefined ? undefined : map[escaped];
          if (replacement === undefined) this.fail('bad escape');
          result += replacement;
          this.#at += 2;
        }
        runStart = this.#at;
        continue;
      }
      this.#at++;
    }
    return this.fail('unterminated string');
  }

  number(): number {
    const match = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(this.#text.slice(this.#at, this.#at + 64));
    if (!match) this.fail('bad number');
    this.#at += match[0].length;
    return Number(match[0]);
  }
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
  return sorted;
}

/** The canonical string key for an object used as a map key (what parseJavaJson produces for it). */
export function objectKey(key: Record<string, unknown>): string {
  return JSON.stringify(sortKeys(key));
}

export interface StringifyJavaJsonOptions {
  /** Write numeric-looking keys of Maps bare ({0:"a"}), as fastjson does by default. */
  numericKeysUnquoted?: boolean;
}

export function stringifyJavaJson(value: unknown, options: StringifyJavaJsonOptions = {}): string {
  return write(value, options);
}

function write(value: unknown, options: StringifyJavaJsonOptions): string {
  if (value instanceof Map) {
    const parts: string[] = [];
    for (const [key, entry] of value) {
      if (entry === undefined) continue;
      parts.push(`${writeKey(key, options)}:${write(entry, options)}`);
    }
    return `{${parts.join(',')}}`;
  }
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : write(item, options))).join(',')}]`;
  if (value instanceof Set) return write([...value], options);
  if (typeof value === 'object' && value !== null) {
    const parts: string[] = [];
    for (const [key, entry] of Object.entries(value)) {
      if (entry === undefined) continue;
      parts.push(`${JSON.stringify(key)}:${write(entry, options)}`);
    }
    return `{${parts.join(',')}}`;
  }
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
  return JSON.stringify(value) ?? 'null';
}

function writeKey(key: unknown, options: StringifyJavaJsonOptions): string {
  if (typeof key === 'object' && key !== null) return write(sortKeys(key), options);
  if (typeof key === 'number') return options.numericKeysUnquoted ? String(key) : JSON.stringify(String(key));
  const text = String(key);
  if (text.startsWith('{') && text.endsWith('}')) {
    try {
      return write(sortKeys(JSON.parse(text)), options);
    } catch {
      // not an object key after all: quote it like any other string
    }
  }
  if (options.numericKeysUnquoted && /^-?\d+$/.test(text)) return text;
  return JSON.stringify(text);
}
