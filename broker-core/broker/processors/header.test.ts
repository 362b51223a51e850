import { describe, expect, it } from 'vitest';
import { createRequest } from '../../protocol/remoting-command';
import { Header, sendHeaderFromV2 } from './header';

const header = (fields: Record<string, string>) => new Header(createRequest(310, fields));

describe('Header integer fields (Integer.parseInt / Long.parseLong semantics)', () => {
  it.each([
    ['2147483647', 2147483647],
    ['-2147483648', -2147483648],
    ['+5', 5],
    ['007', 7],
    ['0', 0],
  ])('int %s reads as %d', (text, value) => {
    expect(header({ q: text }).int('q')).toBe(value);
  });

  it.each([['2147483648'], ['-2147483649'], ['99999999999999999999']])('int %s is out of range', (text) => {
    expect(() => header({ q: text }).int('q')).toThrow(/out of the int range/);
  });

  it.each([['1.5'], ['0x10'], [' 1'], ['1e3'], ['--1'], ['123456789012345678901']])('%s is not a number', (text) => {
    expect(() => header({ q: text }).optNumber('q')).toThrow(/not a number/);
  });

  it('reads longs past 15 digits exactly at the range ends, and refuses one past them', () => {
    expect(header({ t: '1796173418287' }).number('t')).toBe(1796173418287);
    expect(header({ t: '999999999999999' }).number('t')).toBe(999999999999999);
    expect(header({ t: '9007199254740993' }).number('t')).toBe(Number(9007199254740993n));
    expect(header({ t: '9223372036854775807' }).number('t')).toBe(Number(2n ** 63n - 1n));
    expect(header({ t: '-9223372036854775808' }).number('t')).toBe(-(2 ** 63));
    expect(() => header({ t: '9223372036854775808' }).number('t')).toThrow(/out of the long range/);
  });

  it('reads absent, empty and "null" as absent', () => {
    for (const fields of [{}, { q: '' }, { q: 'null' }] as Record<string, string>[]) expect(header(fields).optInt('q')).toBeUndefined();
    expect(() => header({}).int('q')).toThrow(/<q> is null/);
  });
});

describe('sendHeaderFromV2', () => {
  it('renames the one-letter fields and keeps any other key as it came, Object.prototype names included', () => {
    const v1 = sendHeaderFromV2(createRequest(310, { a: 'PG', b: 'T', e: '3', toString: 'x', custom: 'y' }));
    expect(v1.extFields).toEqual({ producerGroup: 'PG', topic: 'T', queueId: '3', toString: 'x', custom: 'y' });
  });
});
