/**
 * PUSH_REPLY_MESSAGE_TO_CLIENT (326) request header, ReplyMessageRequestHeader: the broker pushes a reply
 * (SEND_REPLY_MESSAGE 324 / _V2 325 from the responder) to the requester's connection. The send header's
 * fields, then where and when the broker received it:
 *
 *   field                  type     presence
 *   producerGroup          string   required   the responder's group
 *   topic                  string   required   <cluster>_REPLY_TOPIC
 *   defaultTopic           string   required
 *   defaultTopicQueueNums  int      required
 *   queueId                int      required
 *   sysFlag                int      required
 *   bornTimestamp          long     required
 *   flag                   int      required
 *   properties             string   optional   the reply's properties with PUSH_REPLY_TIME added
 *   reconsumeTimes         int      optional
 *   unitMode               boolean  default false
 *   bornHost               string   required   "ip:port" of the responder
 *   storeHost              string   required   "ip:port" of the broker
 *   storeTimestamp         long     required   when the broker pushed it
 *
 * The body is the reply's body.
 */
import { defineHeader, optional, required, withDefault, type HeaderOf } from './header-schema';

export const ReplyMessageRequestHeader = defineHeader('ReplyMessageRequestHeader', {
  producerGroup: required.string(),
  topic: required.string(),
  defaultTopic: required.string(),
  defaultTopicQueueNums: required.int(),
  queueId: required.int(),
  sysFlag: required.int(),
  bornTimestamp: required.long(),
  flag: required.int(),
  properties: optional.string(),
  reconsumeTimes: optional.int(),
  unitMode: withDefault.boolean(false),
  bornHost: required.string(),
  storeHost: required.string(),
  storeTimestamp: required.long(),
});
export type ReplyMessageRequestHeader = HeaderOf<typeof ReplyMessageRequestHeader>;
