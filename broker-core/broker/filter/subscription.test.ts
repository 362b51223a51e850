import { describe, expect, it } from 'vitest';
import { buildSubscriptionData, heartbeatTagSubscription, isSubscribeAll, sql92FilterOf, sql92Subscription, tagHashCode, tagsCodeFilter } from './subscription';

describe('subscription expressions', () => {
  it('hashes like Java String.hashCode', () => {
    expect(tagHashCode('TagA')).toBe(2598919);
    expect(tagHashCode('')).toBe(0);
    expect(tagHashCode('a-long-tag-name-that-overflows')).toBe(tagHashCode('a-long-tag-name-that-overflows') | 0);
  });
  it('parses TagA || TagB and *', () => {
    const data = buildSubscriptionData('T', 'TagA || TagB')!;
    expect(data.tagsSet).toEqual(['TagA', 'TagB']);
    expect(data.codeSet).toEqual([2598919, 2598920]);
    const filter = tagsCodeFilter(data)!;
    expect(filter(2598919)).toBe(true);
    expect(filter(tagHashCode('TagC'))).toBe(false);
    expect(tagsCodeFilter(buildSubscriptionData('T', '*'))).toBeUndefined();
    expect(buildSubscriptionData('T', 'Tag A')).toBeNull();
  });
  it('reads a heartbeat tag expression as RocketMQ FilterAPI does', () => {
    expect(heartbeatTagSubscription('T', 'Tag A ||  || TagB', 1).tagsSet).toEqual(['Tag A', 'TagB']);
    expect(heartbeatTagSubscription('T', '', 1).subString).toBe('*');
    expect(heartbeatTagSubscription('T', undefined, 1).tagsSet).toEqual([]);
  });
  it('never takes an SQL92 subscription for "everything"', () => {
    const sql = sql92Subscription('T', 'a > 1', 1)!;
    expect(sql.expressionType).toBe('SQL92');
    expect(isSubscribeAll(sql)).toBe(false);
    expect(tagsCodeFilter(sql)).toBeUndefined();
    expect(sql92Subscription('T', '', 1)).toBeNull();
    expect(sql92FilterOf('a > 1')).toBe(sql92FilterOf('a > 1'));
    expect(() => sql92FilterOf('a >')).toThrow(/end of the expression/);
  });
});
