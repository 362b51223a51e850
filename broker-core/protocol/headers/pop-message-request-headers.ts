/**
 * RocketMQ 5.x POP request headers (remoting/protocol/header/*.java):
 *
 * POP_MESSAGE (200050) PopMessageRequestHeader
 *   field          type     presence
 *   consumerGroup  string   required
 *   topic          string   required
 *   queueId        int      required       -1: every queue of the topic on this broker
 *   maxMsgNums     int      required       at most 32 (more is INVALID_PARAMETER)
 *   invisibleTime  long     required       ms
 *   pollTime       long     default 0      ms of long polling (0: answer at once)
 *   bornTime       long     default 0
 *   initMode       int      default 0      ConsumeInitMode: 0 MAX, 1 MIN
 *   expType        string   default "TAG"  TAG or SQL92
 *   exp            string   optional
 *   order          boolean  default false  FIFO pop
 *   attemptId      string   optional
 *
 * ACK_MESSAGE (200051) AckMessageRequestHeader, CHANGE_MESSAGE_INVISIBLETIME (200053) ChangeInvisibleTimeRequestHeader
 *   consumerGroup  string   required
 *   topic          string   required       the real topic (the POP retry topic for a retry copy)
 *   queueId        int      required
 *   extraInfo      string   required       the receipt handle (broker/pop/pop-receipt.ts)
 *   offset         long     required       the message's queue offset
 *   invisibleTime  long     required       ms (CHANGE_MESSAGE_INVISIBLETIME only)
 */
import { defineHeader, optional, required, withDefault, type HeaderOf } from './header-schema';

export const PopMessageRequestHeader = defineHeader('PopMessageRequestHeader', {
  consumerGroup: required.string(),
  topic: required.string(),
  queueId: required.int(),
  maxMsgNums: required.int(),
  invisibleTime: required.long(),
  pollTime: withDefault.long(0),
  bornTime: withDefault.long(0),
  initMode: withDefault.int(0),
  expType: withDefault.string('TAG'),
  exp: optional.string(),
  order: withDefault.boolean(false),
  attemptId: optional.string(),
});
export type PopMessageRequestHeader = HeaderOf<typeof PopMessageRequestHeader>;

export const AckMessageRequestHeader = defineHeader('AckMessageRequestHeader', {
  consumerGroup: required.string(),
  topic: required.string(),
  queueId: required.int(),
  extraInfo: required.string(),
  offset: required.long(),
});
export type AckMessageRequestHeader = HeaderOf<typeof AckMessageRequestHeader>;

export const ChangeInvisibleTimeRequestHeader = defineHeader('ChangeInvisibleTimeRequestHeader', {
  consumerGroup: required.string(),
  topic: required.string(),
  queueId: required.int(),
  extraInfo: required.string(),
  offset: required.long(),
  invisibleTime: required.long(),
});
export type ChangeInvisibleTimeRequestHeader = HeaderOf<typeof ChangeInvisibleTimeRequestHeader>;
