/**
 * Exact views of a JSON body for the payload viewer. JSON.parse turns 12345678901234567890 into
 * 12345678901234567000 and keeps one of two equal keys; an operator reading a message must see what was sent.
 * So the pretty print re-indents the original tokens, and the tree keeps numbers as their source text and every
 * key in order. Both expect text that JSON.parse accepted.
 */

export type JsonNode =
  | { t: 'object'; entries: [string, JsonNode][] }
  | { t: 'array'; items: JsonNode[] }
  | { t: 'string'; v: string }
  | { t: 'number'; v: string }
  | { t: 'boolean'; v: boolean }
  | { t: 'null' };

/** Deeper bodies get no tree (the pretty print still shows them): the tree is built recursively. */
export const JSON_TREE_DEPTH_MAX = 256;

/** Re-indents valid JSON without parsing its values: numbers, escapes and duplicate keys stay as sent. */
export function prettyJson(text: string, indent = 2): string {
  let out = '';
  let depth = 0;
  let inString = false;
  const pad = (n: number) => '\n' + ' '.repeat(n * indent);
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    switch (c) {
      case '"':
        inString = true;
        out += c;
        break;
      case '{':
      case '[': {
        // An empty object or array stays on one line.
        let j = i + 1;
        while (j < text.length && /\s/.test(text[j]!)) j++;
        if (text[j] === (c === '{' ? '}' : ']')) {
          out += c + text[j];
          i = j;
        } else {
          depth++;
          out += c + pad(depth);
        }
        break;
      }
      case '}':
      case ']':
        depth--;
        out += pad(depth) + c;
        break;
      case ',':
        out += ',' + pad(depth);
        break;
      case ':':
        out += ': ';
        break;
      case ' ':
      case '\t':
      case '\n':
      case '\r':
        break;
      default:
        out += c;
    }
  }
  return out;
}

/** The tree of valid JSON, or null when it nests deeper than JSON_TREE_DEPTH_MAX. */
export function parseJsonTree(text: string): JsonNode | null {
  let i = 0;
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++;
  };
  const str = (): string => {
    const start = i;
    i++;
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (depth: number): JsonNode => {
    if (depth > JSON_TREE_DEPTH_MAX) throw new RangeError('too deep');
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const entries: [string, JsonNode][] = [];
      ws();
      if (text[i] === '}') {
        i++;
        return { t: 'object', entries };
      }
      for (;;) {
        ws();
        const key = str();
        ws();
        i++; // ':'
        entries.push([key, value(depth + 1)]);
        ws();
        if (text[i++] === '}') return { t: 'object', entries };
      }
    }
    if (c === '[') {
      i++;
      const items: JsonNode[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return { t: 'array', items };
      }
      for (;;) {
        items.push(value(depth + 1));
        ws();
        if (text[i++] === ']') return { t: 'array', items };
      }
    }
    if (c === '"') return { t: 'string', v: str() };
    if (text.startsWith('true', i)) {
      i += 4;
      return { t: 'boolean', v: true };
    }
    if (text.startsWith('false', i)) {
      i += 5;
      return { t: 'boolean', v: false };
    }
    if (text.startsWith('null', i)) {
      i += 4;
      return { t: 'null' };
    }
    const m = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    m.lastIndex = i;
    const number = m.exec(text);
    if (!number) throw new SyntaxError(`not JSON at ${i}`);
    i += number[0].length;
    return { t: 'number', v: number[0] };
  };
  try {
    return value(0);
  } catch (err) {
    if (err instanceof RangeError) return null;
    throw err;
  }
}

/** Nodes under a node, itself included (to decide how much of a tree to open at first). */
export function countJsonNodes(node: JsonNode, max = Number.POSITIVE_INFINITY): number {
  let count = 0;
  const stack: JsonNode[] = [node];
  while (stack.length > 0 && count < max) {
    const n = stack.pop()!;
    count++;
    if (n.t === 'object') for (const [, v] of n.entries) stack.push(v);
    else if (n.t === 'array') stack.push(...n.items);
  }
  return count;
}
