/**
 * What a pull filters with (RocketMQ's ExpressionMessageFilter without the bloom filter): a tag subscription
 * filters consume-queue entries by tag hash code; an SQL92 subscription reads each candidate record's
 * properties and keeps it only when the selector is TRUE (unknown, false or an evaluation error: skipped).
 */
import type { RecordFilter, TagsCodeFilter } from '../../store/message-store';
import { decodePropertiesString, readRecordPropertiesString } from '../message/message-util';
import type { Sql92Filter } from './sql92';
import { tagsCodeFilter, type SubscriptionData } from './subscription';

export interface PullFilter {
  tagsCode?: TagsCodeFilter;
  record?: RecordFilter;
}

/** The record filter of a compiled selector. */
export function sql92RecordFilter(sql92: Sql92Filter): RecordFilter {
  return (record) => {
    let properties: Record<string, string>;
    try {
      properties = decodePropertiesString(readRecordPropertiesString(record));
    } catch {
      return false;
    }
    return sql92.matches(properties);
  };
}

export function pullFilterOf(subscription: SubscriptionData | null, sql92: Sql92Filter | undefined): PullFilter {
  if (sql92) return { record: sql92RecordFilter(sql92) };
  return { tagsCode: tagsCodeFilter(subscription) };
}
