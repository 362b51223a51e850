/**
 * CONSUMER_SEND_MSG_BACK (36) request header, ConsumerSendMsgBackRequestHeader: a message the consumer failed,
 * to be delivered again later through the group's retry topic (or dead-lettered).
 *
 *   field              type     presence
 *   offset             long     required   the commit-log offset of the failed message
 *   group              string   required   the consumer group
 *   delayLevel         int      required   0: the broker picks 3 + reconsume times; < 0: straight to the DLQ
 *   originMsgId        string   optional
 *   originTopic        string   optional
 *   unitMode           boolean  default false
 *   maxReconsumeTimes  int      optional   else the group's retryMaxTimes
 */
import { defineHeader, optional, required, withDefault, type HeaderOf } from './header-schema';

export const ConsumerSendMsgBackRequestHeader = defineHeader('ConsumerSendMsgBackRequestHeader', {
  offset: required.long(),
  group: required.string(),
  delayLevel: required.int(),
  originMsgId: optional.string(),
  originTopic: optional.string(),
  unitMode: withDefault.boolean(false),
  maxReconsumeTimes: optional.int(),
});
export type ConsumerSendMsgBackRequestHeader = HeaderOf<typeof ConsumerSendMsgBackRequestHeader>;
