/**
 * SEND_MESSAGE (10) request header, SendMessageRequestHeader; SEND_MESSAGE_V2 (310) and SEND_BATCH_MESSAGE (320)
 * send the same fields under one-letter names (SendMessageRequestHeaderV2), the Java client's default:
 *
 *   V2  field                  type     presence
 *   a   producerGroup          string   required
 *   b   topic                  string   required
 *   c   defaultTopic           string   optional   the template of auto-created topics (TBW102)
 *   d   defaultTopicQueueNums  int      default 4
 *   e   queueId                int      required   < 0: the broker picks one
 *   f   sysFlag                int      required   MessageSysFlag bits
 *   g   bornTimestamp          long     required   ms since the epoch
 *   h   flag                   int      required
 *   i   properties             string   default ""  the properties string (message-codec)
 *   j   reconsumeTimes         int      default 0
 *   k   unitMode               boolean  default false
 *   l   maxReconsumeTimes      int      optional
 *   m   batch                  boolean  default false
 *   n   brokerName             string   optional   (RocketMQ 5.x)
 *
 * A V2 request names each field once: `b` or `topic`, never both (HeaderFieldConflictError).
 */
import { defineHeader, optional, required, withDefault, type HeaderOf } from './header-schema';

export const SendMessageRequestHeader = defineHeader('SendMessageRequestHeader', {
  producerGroup: required.string({ short: 'a' }),
  topic: required.string({ short: 'b' }),
  defaultTopic: optional.string({ short: 'c' }),
  defaultTopicQueueNums: withDefault.int(4, { short: 'd' }),
  queueId: required.int({ short: 'e' }),
  sysFlag: required.int({ short: 'f' }),
  bornTimestamp: required.long({ short: 'g' }),
  flag: required.int({ short: 'h' }),
  properties: withDefault.string('', { short: 'i' }),
  reconsumeTimes: withDefault.int(0, { short: 'j' }),
  unitMode: withDefault.boolean(false, { short: 'k' }),
  maxReconsumeTimes: optional.int({ short: 'l' }),
  batch: withDefault.boolean(false, { short: 'm' }),
  brokerName: optional.string({ short: 'n' }),
});
export type SendMessageRequestHeader = HeaderOf<typeof SendMessageRequestHeader>;
