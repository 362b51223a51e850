/**
 * Subscriptions: tag expressions (`TagA || TagB`, `*`, filtered on the consume queue by Java String.hashCode
 * tag codes) and SQL92 selectors (filtered on the stored message's properties, sql92/).
 */
import { SQL92_COMPILED_CACHE_MAX } from '../../config/limits';
import { javaStringHashCode } from '../../store/record';
import { compileSql92, type Sql92Filter } from './sql92';

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
export const ExpressionType = { TAG: 'TAG', SQL92: 'SQL92' } as const;

/** RocketMQ's ExpressionType.isTagType: no type, an empty one, or TAG. */
export function isTagType(expressionType: string | undefined): boolean {
  return expressionType === undefined || expressionType === '' || expressionType === ExpressionType.TAG;
}

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

/**
 * A tag subscription as a consumer's heartbeat states it, read as RocketMQ's FilterAPI reads it: `*`, empty or
 * absent is everything, else the non-empty trimmed pieces between `||` (spaces inside a tag are part of it).
 */
export function heartbeatTagSubscription(topic: string, subString: string | undefined, subVersion: number): SubscriptionData {
  const data: SubscriptionData = { topic, subString: subString || SUB_ALL, tagsSet: [], codeSet: [], subVersion, expressionType: ExpressionType.TAG };
  if (data.subString === SUB_ALL) return data;
  for (const piece of data.subString.split('||')) {
    const tag = piece.trim();
    if (tag === '' || data.tagsSet.includes(tag)) continue;
    data.tagsSet.push(tag);
    data.codeSet.push(tagHashCode(tag));
  }
  return data;
}

/** An SQL92 subscription (FilterAPI.build): the selector as given; null when there is none. */
export function sql92Subscription(topic: string, subString: string | undefined, subVersion: number): SubscriptionData | null {
  if (!subString) return null;
  return { topic, subString, tagsSet: [], codeSet: [], subVersion, expressionType: ExpressionType.SQL92 };
}

export function isSubscribeAll(data: SubscriptionData): boolean {
  if (!isTagType(data.expressionType)) return false;
  return data.subString === SUB_ALL || data.tagsSet.length === 0;
}

const compiledSql92 = new Map<string, Sql92Filter>();

/**
 * The compiled selector of an SQL92 subscription (compiled once per distinct text; throws Sql92SyntaxError).
 * Keeps the most recently used SQL92_COMPILED_CACHE_MAX selectors.
 */
export function sql92FilterOf(expression: string): Sql92Filter {
  const cached = compiledSql92.get(expression);
  if (cached) {
    compiledSql92.delete(expression);
    compiledSql92.set(expression, cached);
    return cached;
  }
  const filter = compileSql92(expression);
  compiledSql92.set(expression, filter);
  if (compiledSql92.size > SQL92_COMPILED_CACHE_MAX) compiledSql92.delete(compiledSql92.keys().next().value!);
  return filter;
}

/** A consume-queue filter on tag hash codes (undefined = everything; SQL92 subscriptions filter on the record). */
export function tagsCodeFilter(data: SubscriptionData | null): ((tagsCode: number) => boolean) | undefined {
  if (!data || !isTagType(data.expressionType) || isSubscribeAll(data)) return undefined;
  const codes = new Set(data.codeSet);
  return (tagsCode) => codes.has(tagsCode) || codes.has(tagsCode | 0);
}
