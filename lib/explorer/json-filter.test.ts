/** The JSON filter language: what each form means on real bodies, and the error (with column) for each mistake. */
import { describe, expect, it } from 'vitest';
import { matchesJsonFilter, parseJsonFilter } from './json-filter';
import { scanRequestSchema, tailRequestSchema } from './schema';

const order = {
  order: { id: 7, status: 'PAID', amount: 120.5, currency: 'EUR', paidAt: null, tags: ['vip', 'eu'] },
  items: [{ sku: 'A1', qty: 2 }, { sku: 'B2', qty: 1 }],
  'weird key': 'x',
  ok: true,
};

function matches(text: string, body: unknown = order): boolean {
  const parsed = parseJsonFilter(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return matchesJsonFilter(parsed.filter, body);
}

describe('JSON filter: meaning', () => {
  it.each([
    ['$.order.status == "PAID"', true],
    ["$.order.status == 'PAID'", true],
    ['order.status == "PAID"', true],
    ['$.order.status == "paid"', false],
    ['$.order.status != "NEW"', true],
    ['$.order.missing != "NEW"', false],
    ['$.order.id == 7', true],
    ['$.order.id == 7.0', true],
    ['$.order.id == "7"', false],
    ['$.order.amount >= 100', true],
    ['$.order.amount < 100', false],
    ['$.order.currency > "EUQ"', true],
    ['$.order.currency > 1', false],
    ['$.order.paidAt == null', true],
    ['$.order.paidAt', true],
    ['$.order.paidAt exists', true],
    ['$.order.refund', false],
    ['!$.order.refund', true],
    ['$.ok == true', true],
    ['$.ok == false', false],
    ['$.items[0].sku == "A1"', true],
    ['$.items[-1].sku == "B2"', true],
    ['$.items[5]', false],
    ['$.items[*].sku == "B2"', true],
    ['$.items.*.qty > 1', true],
    ['$.order.tags[*] == "eu"', true],
    ['$["weird key"] == "x"', true],
    ['$.order == "PAID"', false],
    ['$.order.status == "PAID" && $.order.amount > 200', false],
    ['$.order.status == "PAID" && $.order.amount > 100', true],
    ['$.order.status == "NEW" || $.items[1].qty == 1', true],
    ['!($.order.status == "PAID" || $.ok == false)', false],
    ['$.items.sku', false], // an array has no field "sku": use [*]
    ['$', true],
  ])('%s → %s', (text, expected) => {
    expect(matches(text)).toBe(expected);
  });

  it('binds && tighter than ||', () => {
    expect(matches('$.ok == false && $.ok == false || $.ok == true')).toBe(true);
    expect(matches('$.ok == true || $.ok == false && $.ok == false')).toBe(true);
    expect(matches('($.ok == true || $.ok == false) && $.ok == false')).toBe(false);
  });

  it('works on scalars and arrays at the top', () => {
    expect(matches('$ == 5', 5)).toBe(true);
    expect(matches('$[1] == "b"', ['a', 'b'])).toBe(true);
    expect(matches('$.a', 'not an object')).toBe(false);
  });

  it('does not read inherited properties', () => {
    expect(matches('$.constructor')).toBe(false);
    expect(matches('$.__proto__')).toBe(false);
    expect(matches('$.toString')).toBe(false);
  });
});

describe('JSON filter: mistakes', () => {
  it.each([
    ['', 'Enter a filter'],
    ['$.order.status = "PAID"', 'Use == to compare (a single = is not an operator) (column 16)'],
    ['$.order.status == PAID', 'Expected a value after ==: "text", a number, true, false or null (column 19)'],
    ['$.order.status == "PAID', 'Unclosed string: add the closing " (column 19)'],
    ['$.a & $.b', 'Use && to combine tests (column 5)'],
    ['$.a $.b', 'Unexpected "$": join tests with && or || (column 5)'],
    ['$.', 'Expected a field name or * after "." (column 3)'],
    ['$.items[', 'Expected an index, a quoted name or * inside [ ] (column 9)'],
    ['$.items[0', 'Expected a closing ] (column 10)'],
    ['($.a', 'Expected a closing ) (column 5)'],
    ['== 1', 'Expected a path such as $.order.status, found "==" (column 1)'],
    ['$.a == "\\q"', 'Bad escape in string'],
    ['$.a ~ 1', 'Unexpected character "~" (column 5)'],
    ['$.a == 1.5.2', 'Unexpected'],
  ])('%j', (text, message) => {
    const parsed = parseJsonFilter(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toContain(message);
  });

  it('bounds length, nesting and path length', () => {
    expect(parseJsonFilter(`$.a == "${'x'.repeat(600)}"`)).toMatchObject({ ok: false, message: expect.stringContaining('at most 512 characters') });
    expect(parseJsonFilter(`${'!'.repeat(40)}$.a`)).toMatchObject({ ok: false, message: expect.stringContaining('Nested more than 32 deep') });
    expect(parseJsonFilter(`$${'.a'.repeat(40)}`)).toMatchObject({ ok: false, message: expect.stringContaining('at most 32 steps') });
    expect(parseJsonFilter(Array.from({ length: 40 }, () => '$.a').join(' || '))).toMatchObject({ ok: false, message: expect.stringContaining('At most 32 tests') });
  });
});

describe('explorer input rules', () => {
  it('puts each mistake beside its field', () => {
    const parsed = scanRequestSchema.safeParse({
      topic: 'bad topic', queues: ['broker-a'], seek: 'time', tag: 'a b', key: 'two keys', property: '=v', bodyMode: 'regex', body: '(unclosed', json: '$.a = 1',
      maxMessages: 0, maxResults: 10_000, maxSeconds: 'soon',
    });
    expect(parsed.success).toBe(false);
    const fields = Object.fromEntries(parsed.error!.issues.map((i) => [i.path.join('.'), i.message]));
    expect(fields).toMatchObject({
      topic: 'Use only letters, digits, %, |, - and _',
      'queues.0': 'A queue is broker:queueId, e.g. broker-a:0',
      tag: 'Tags without spaces, several joined by || (e.g. TagA || TagB)',
      key: 'One key, without spaces',
      property: 'Write name=value (or a name alone: the property is set)',
      json: expect.stringContaining('Use == to compare'),
      maxMessages: 'Messages to scan is 1 to 1,000,000',
      maxResults: 'Results is 1 to 500',
      maxSeconds: 'Seconds must be a number',
    });
  });

  it('checks the regex and the seek value once the fields themselves are valid', () => {
    const parsed = scanRequestSchema.safeParse({ topic: 'T', seek: 'offset', bodyMode: 'regex', body: '(unclosed' });
    const fields = Object.fromEntries(parsed.error!.issues.map((i) => [i.path.join('.'), i.message]));
    expect(fields.seekOffset).toBe('Enter the offset to start from');
    expect(fields.body).toMatch(/^Not a valid regular expression: .*Unterminated group/);
  });

  it('reads the tail from a query string', () => {
    const parsed = tailRequestSchema.parse({ topic: 'T', queues: 'broker-a:0,broker-a:1', ignoreCase: 'true', rate: '5', cursor: 'broker-a:0:17' });
    expect(parsed).toMatchObject({ queues: ['broker-a:0', 'broker-a:1'], ignoreCase: true, rate: 5, cursor: ['broker-a:0:17'], bodyMode: 'contains' });
    expect(tailRequestSchema.safeParse({ topic: 'T', rate: '100000' }).error?.issues[0]?.message).toBe('The rate is 1 to 500');
  });
});
