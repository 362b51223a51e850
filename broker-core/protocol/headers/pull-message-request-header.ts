/**
 * PULL_MESSAGE (11) request header, PullMessageRequestHeader:
 *
 *   field                 type     presence
 *   consumerGroup         string   required
 *   topic                 string   required
 *   queueId               int      required
 *   queueOffset           long     required       the consume-queue entry to read from
 *   maxMsgNums            int      required       the broker serves at most PULL_MESSAGES_MAX
 *   sysFlag               int      required       PullSysFlag bits (below)
 *   commitOffset          long     default -1     the consumer offset to commit with COMMIT_OFFSET
 *   suspendTimeoutMillis  long     default 15000  how long a SUSPEND pull may be held
 *   subscription          string   optional       tag expression (with SUBSCRIPTION)
 *   subVersion            long     default 0
 *   expressionType        string   default "TAG"  TAG or SQL92
 *   maxMsgBytes           int      optional       the broker serves at most PULL_BYTES_MAX
 */
import { defineHeader, optional, required, withDefault, type HeaderOf } from './header-schema';

/** PullSysFlag: what a pull asks of the broker. */
export const PullSysFlag = {
  /** Commit `commitOffset` as the group's consumer offset of the queue. */
  COMMIT_OFFSET: 0x1,
  /** Hold the pull until a message arrives or `suspendTimeoutMillis` passes. */
  SUSPEND: 0x2,
  /** `subscription` carries the expression; else the broker uses the heartbeat's. */
  SUBSCRIPTION: 0x4,
  CLASS_FILTER: 0x8,
  LITE_PULL: 0x10,
} as const;

/** The sysFlag of a pull from its parts (PullSysFlag.buildSysFlag). */
export function buildPullSysFlag(parts: { commitOffset?: boolean; suspend?: boolean; subscription?: boolean; classFilter?: boolean; litePull?: boolean }): number {
  let flag = 0;
  if (parts.commitOffset) flag |= PullSysFlag.COMMIT_OFFSET;
  if (parts.suspend) flag |= PullSysFlag.SUSPEND;
  if (parts.subscription) flag |= PullSysFlag.SUBSCRIPTION;
  if (parts.classFilter) flag |= PullSysFlag.CLASS_FILTER;
  if (parts.litePull) flag |= PullSysFlag.LITE_PULL;
  return flag;
}

export const PullMessageRequestHeader = defineHeader('PullMessageRequestHeader', {
  consumerGroup: required.string(),
  topic: required.string(),
  queueId: required.int(),
  queueOffset: required.long(),
  maxMsgNums: required.int(),
  sysFlag: required.int(),
  commitOffset: withDefault.long(-1),
  suspendTimeoutMillis: withDefault.long(15_000),
  subscription: optional.string(),
  subVersion: withDefault.long(0),
  expressionType: withDefault.string('TAG'),
  maxMsgBytes: optional.int(),
});
export type PullMessageRequestHeader = HeaderOf<typeof PullMessageRequestHeader>;
