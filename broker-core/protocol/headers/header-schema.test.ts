import { describe, expect, it } from 'vitest';
import { defineHeader, HeaderFieldConflictError, optional, required, withDefault } from './header-schema';
import { SendMessageRequestHeader } from './send-message-request-header';

const Ints = defineHeader('Ints', { q: optional.int(), t: optional.long(), r: required.int() });
const read = (fields: Record<string, string>) => Ints.decode({ r: '0', ...fields });

describe('header integer fields (Integer.parseInt / Long.parseLong semantics)', () => {
  it.each([
    ['2147483647', 2147483647],
    ['-2147483648', -2147483648],
    ['+5', 5],
    ['007', 7],
    ['0', 0],
  ])('int %s reads as %d', (text, value) => {
    expect(read({ q: text }).q).toBe(value);
  });

  it.each([['2147483648'], ['-2147483649'], ['99999999999999999999']])('int %s is out of range', (text) => {
    expect(() => read({ q: text })).toThrow(/<q> is out of the int range/);
  });

  it.each([['1.5'], ['0x10'], [' 1'], ['1e3'], ['--1'], ['123456789012345678901']])('%s is not a number', (text) => {
    expect(() => read({ t: text })).toThrow(/<t> is not a number/);
  });

  it('reads longs past 15 digits exactly at the range ends, and refuses one past them', () => {
    expect(read({ t: '1796173418287' }).t).toBe(1796173418287);
    expect(read({ t: '999999999999999' }).t).toBe(999999999999999);
    expect(read({ t: '-0' }).t).toBe(0);
    expect(read({ t: '9007199254740993' }).t).toBe(Number(9007199254740993n));
    expect(read({ t: '9223372036854775807' }).t).toBe(Number(2n ** 63n - 1n));
    expect(read({ t: '-9223372036854775808' }).t).toBe(-(2 ** 63));
    expect(() => read({ t: '9223372036854775808' })).toThrow(/out of the long range/);
  });

  it('reads absent, empty and "null" as absent; a required field absent is an error', () => {
    for (const fields of [{}, { q: '' }, { q: 'null' }] as Record<string, string>[]) expect(read(fields).q).toBeUndefined();
    expect(() => Ints.decode({})).toThrow(/the custom field <r> is null/);
  });
});

describe('header strings, booleans and defaults', () => {
  const Mixed = defineHeader('Mixed', {
    name: required.string(),
    note: optional.string(),
    flag: optional.boolean(),
    count: withDefault.int(4),
    mode: withDefault.string('TAG'),
  });

  it('reads a required empty string as absent, an optional one as empty', () => {
    expect(() => Mixed.decode({ name: '' })).toThrow(/<name> is null/);
    expect(Mixed.decode({ name: 'n', note: '' })).toEqual({ name: 'n', note: '', flag: undefined, count: 4, mode: 'TAG' });
  });

  it('reads "true" as true and any other text as false (Boolean.parseBoolean)', () => {
    expect(Mixed.decode({ name: 'n', flag: 'true' }).flag).toBe(true);
    expect(Mixed.decode({ name: 'n', flag: 'yes' }).flag).toBe(false);
    expect(Mixed.decode({ name: 'n', flag: '' }).flag).toBeUndefined();
  });

  it('reads own keys only: a field named like an Object.prototype member is absent unless sent', () => {
    const Proto = defineHeader('Proto', { toString: optional.string(), constructor: optional.string() });
    expect(Proto.decode({})).toEqual({ toString: undefined, constructor: undefined });
    expect(Proto.decode({ toString: 'x' }).toString).toBe('x');
  });

  it('writes the fields present, in schema order, under long or short names', () => {
    const header = { producerGroup: 'PG', topic: 'T', queueId: 3, sysFlag: 0, bornTimestamp: 1700000000000, flag: 0, unitMode: false };
    expect(Object.entries(SendMessageRequestHeader.encode(header))).toEqual([
      ['producerGroup', 'PG'], ['topic', 'T'], ['queueId', '3'], ['sysFlag', '0'], ['bornTimestamp', '1700000000000'], ['flag', '0'], ['unitMode', 'false'],
    ]);
    expect(SendMessageRequestHeader.encode(header, 'short')).toEqual({ a: 'PG', b: 'T', e: '3', f: '0', g: '1700000000000', h: '0', k: 'false' });
  });
});

describe('SEND_MESSAGE_V2 short names', () => {
  const V2 = { a: 'PG', b: 'T', e: '3', f: '0', g: '1', h: '0' };

  it('reads one-letter fields, and a long name in place of a missing short one, keys such as toString ignored', () => {
    expect(SendMessageRequestHeader.decode({ ...V2, toString: 'x', custom: 'y' }, 'short')).toMatchObject({ producerGroup: 'PG', topic: 'T', queueId: 3, defaultTopicQueueNums: 4 });
    const { b: _b, ...withoutB } = V2;
    expect(SendMessageRequestHeader.decode({ ...withoutB, topic: 'Long' }, 'short').topic).toBe('Long');
  });

  it.each([
    ['b and topic', { topic: 'Secret' }, 'topic', 'b'],
    ['an empty b and topic', { b: '', topic: 'Secret' }, 'topic', 'b'],
    ['a and producerGroup, even when equal', { producerGroup: 'PG' }, 'producerGroup', 'a'],
    ['e and queueId', { queueId: '1' }, 'queueId', 'e'],
    ['i and properties', { i: '', properties: 'DELAY\u00013\u0002' }, 'properties', 'i'],
  ])('refuses a field sent under both names: %s', (_name, extra, field, short) => {
    const error = (() => {
      try {
        SendMessageRequestHeader.decode({ ...V2, ...extra }, 'short');
      } catch (err) {
        return err;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(HeaderFieldConflictError);
    expect(error).toMatchObject({ field, shortName: short, code: 'BROKER_ERR_INVALID_ARGUMENT' });
  });

  it('reads SEND_MESSAGE (long names) without looking at one-letter keys', () => {
    const header = SendMessageRequestHeader.decode({ producerGroup: 'PG', topic: 'T', queueId: '0', sysFlag: '0', bornTimestamp: '1', flag: '0', b: 'Other' });
    expect(header.topic).toBe('T');
  });
});
