/**
 * The explorer's filters, compiled once per scan or tail: the tag expression goes to the broker (its consume
 * queue skips other tags without reading them), then key, property, body substring and JSON filter run here
 * on each pulled message, cheapest first, and the body regex last, in its time-bounded worker.
 */
import type { MessageExt } from '@broker/client/message';
import { matchesJsonFilter, parseJsonFilter, type JsonFilter } from '@/lib/explorer/json-filter';
import { regexFlags, type FilterInput } from '@/lib/explorer/schema';
import { RegexTester } from './regex-tester';

export interface CompiledFilters {
  /** The TAG subscription expression for the pulls ('*' without a tag filter). */
  subscription: string;
  /** Whether any filter runs here (else every pulled message matches). */
  active: boolean;
  /** Messages of a batch that pass every filter, in order; rejects with RegexTimeoutError. */
  apply(messages: MessageExt[], regexTimeoutMs: number): Promise<MessageExt[]>;
  close(): Promise<void>;
}

function bodyJson(body: Buffer): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) };
  } catch {
    return { ok: false };
  }
}

export function compileFilters(input: FilterInput): CompiledFilters {
  const tagSet = input.tag && input.tag !== '*' ? new Set(input.tag.split('||').map((t) => t.trim()).filter(Boolean)) : null;
  const checks: ((m: MessageExt) => boolean)[] = [];
  if (tagSet) checks.push((m) => m.tags !== undefined && tagSet.has(m.tags)); // the broker filters on hash codes only
  if (input.key) checks.push((m) => m.keys.includes(input.key));
  if (input.property) {
    const at = input.property.indexOf('=');
    const name = (at < 0 ? input.property : input.property.slice(0, at)).trim();
    const value = at < 0 ? null : input.property.slice(at + 1);
    checks.push(value === null ? (m) => Object.prototype.hasOwnProperty.call(m.properties, name) : (m) => m.properties[name] === value);
  }
  if (input.body && input.bodyMode === 'contains') {
    if (input.ignoreCase) {
      const needle = input.body.toLowerCase();
      checks.push((m) => m.body.toString('utf8').toLowerCase().includes(needle));
    } else {
      const needle = Buffer.from(input.body, 'utf8');
      checks.push((m) => m.body.indexOf(needle) >= 0);
    }
  }
  if (input.json) {
    const parsed = parseJsonFilter(input.json);
    if (!parsed.ok) throw new Error(parsed.message); // the input rules parse it first
    const filter: JsonFilter = parsed.filter;
    checks.push((m) => {
      const json = bodyJson(m.body);
      return json.ok && matchesJsonFilter(filter, json.value);
    });
  }
  const regex = input.body && input.bodyMode === 'regex' ? new RegexTester(input.body, regexFlags(input.ignoreCase)) : null;
  return {
    subscription: tagSet ? [...tagSet].join(' || ') : '*',
    active: checks.length > 0 || regex !== null,
    async apply(messages, regexTimeoutMs) {
      const passed = checks.length === 0 ? messages : messages.filter((m) => checks.every((check) => check(m)));
      if (!regex || passed.length === 0) return passed;
      const verdicts = await regex.test(passed.map((m) => m.body), regexTimeoutMs);
      return passed.filter((_, i) => verdicts[i]);
    },
    close: async () => {
      await regex?.close();
    },
  };
}
