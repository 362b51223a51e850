/** Tag subscription expressions (`TagA || TagB`, `*`) and Java String.hashCode tag codes. */
import { javaStringHashCode } from '../../store/record';

/** Tag hash code as RocketMQ stores it: Java's String.hashCode (one implementation, in the store's record codec). */
export const tagHashCode = javaStringHashCode;

export interface SubscriptionData {
  topic: string;
  subString: string;
  tagsSet: string[];
  codeSet: number[];
  subVersion: number;
  expressionType: string;
  classFilterMode?: boolean;
}

export const SUB_ALL = '*';

/** Parses a TAG expression; returns null when it is malformed. */
export function buildSubscriptionData(topic: string, subString: string | undefined, subVersion = Date.now()): SubscriptionData | null {
  const expression = (subString ?? '').trim();
  const data: SubscriptionData = { topic, subString: expression || SUB_ALL, tagsSet: [], codeSet: [], subVersion, expressionType: 'TAG' };
  if (expression === '' || expression === SUB_ALL) {
    data.subString = SUB_ALL;
    return data;
  }
  for (const part of expression.split('||')) {
    const tag = part.trim();
    if (tag === '') continue;
    if (/\s/.test(tag)) return null;
    if (!data.tagsSet.includes(tag)) {
      data.tagsSet.push(tag);
      data.codeSet.push(tagHashCode(tag));
    }
  }
  if (data.tagsSet.length === 0) return null;
  return data;
}

export function isSubscribeAll(data: SubscriptionData): boolean {
  return data.subString === SUB_ALL || data.tagsSet.length === 0;
}

/** A consume-queue filter on tag hash codes (undefined = everything). */
export function tagsCodeFilter(data: SubscriptionData | null): ((tagsCode: number) => boolean) | undefined {
  if (!data || isSubscribeAll(data)) return undefined;
  const codes = new Set(data.codeSet);
  return (tagsCode) => codes.has(tagsCode) || codes.has(tagsCode | 0);
}
