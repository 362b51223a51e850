import { describe, expect, it } from 'vitest';
import { buildSubscriptionData, tagHashCode, tagsCodeFilter } from './subscription';

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
});
