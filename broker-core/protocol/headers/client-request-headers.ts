/**
 * Headers of a client's membership and offsets on a broker:
 *
 * UNREGISTER_CLIENT (35), UnregisterClientRequestHeader:
 *   clientID       string  optional
 *   producerGroup  string  optional   leave this producer group
 *   consumerGroup  string  optional   leave this consumer group
 *
 * GET_CONSUMER_LIST_BY_GROUP (38), GetConsumerListByGroupRequestHeader:
 *   consumerGroup  string  required
 *
 * QUERY_CONSUMER_OFFSET (14), QueryConsumerOffsetRequestHeader:
 *   consumerGroup      string   required
 *   topic              string   required
 *   queueId            int      required
 *   setZeroIfNotFound  boolean  optional   false: QUERY_NOT_FOUND rather than 0 for a group with no offset
 *
 * UPDATE_CONSUMER_OFFSET (15), UpdateConsumerOffsetRequestHeader:
 *   consumerGroup  string  required
 *   topic          string  required
 *   queueId        int     required
 *   commitOffset   long    required   the consumer offset to commit
 */
import { defineHeader, optional, required, type HeaderOf } from './header-schema';

export const UnregisterClientRequestHeader = defineHeader('UnregisterClientRequestHeader', {
  clientID: optional.string(),
  producerGroup: optional.string(),
  consumerGroup: optional.string(),
});
export type UnregisterClientRequestHeader = HeaderOf<typeof UnregisterClientRequestHeader>;

export const GetConsumerListByGroupRequestHeader = defineHeader('GetConsumerListByGroupRequestHeader', {
  consumerGroup: required.string(),
});
export type GetConsumerListByGroupRequestHeader = HeaderOf<typeof GetConsumerListByGroupRequestHeader>;

export const QueryConsumerOffsetRequestHeader = defineHeader('QueryConsumerOffsetRequestHeader', {
  consumerGroup: required.string(),
  topic: required.string(),
  queueId: required.int(),
  setZeroIfNotFound: optional.boolean(),
});
export type QueryConsumerOffsetRequestHeader = HeaderOf<typeof QueryConsumerOffsetRequestHeader>;

export const UpdateConsumerOffsetRequestHeader = defineHeader('UpdateConsumerOffsetRequestHeader', {
  consumerGroup: required.string(),
  topic: required.string(),
  queueId: required.int(),
  commitOffset: required.long(),
});
export type UpdateConsumerOffsetRequestHeader = HeaderOf<typeof UpdateConsumerOffsetRequestHeader>;
