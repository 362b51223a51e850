/**
 * The contract between the broker and its disk store. The broker never touches files; the store never
 * touches sockets. Expected outcomes are statuses (names as in RocketMQ's PutMessageStatus and
 * GetMessageStatus, because they are observable through response remarks); faults are thrown BrokerErrors.
 *
 * Offsets always say which kind:
 *  - commitLogOffset: byte position of a record in the commit log (int64 on disk, < 2^53 here).
 *  - queueOffset: index of an entry in a consume queue (one per topic + queueId).
 */

export type PutMessageStatus =
  | 'PUT_OK'
  | 'FLUSH_DISK_TIMEOUT'
  | 'SERVICE_NOT_AVAILABLE'
  | 'CREATE_MAPPED_FILE_FAILED'
  | 'MESSAGE_ILLEGAL'
  | 'PROPERTIES_SIZE_EXCEEDED'
  | 'OS_PAGE_CACHE_BUSY'
  | 'UNKNOWN_ERROR';

export type GetMessageStatus =
  | 'FOUND'
  | 'NO_MATCHED_MESSAGE'
  | 'MESSAGE_WAS_REMOVING'
  | 'OFFSET_FOUND_NULL'
  | 'OFFSET_OVERFLOW_BADLY'
  | 'OFFSET_OVERFLOW_ONE'
  | 'OFFSET_TOO_SMALL'
  | 'NO_MATCHED_LOGIC_QUEUE'
  | 'NO_MESSAGE_IN_QUEUE';

export type FlushDiskType = 'ASYNC_FLUSH' | 'SYNC_FLUSH';

/** An IPv4 or IPv6 socket address as stored in records (born host, store host). */
export interface HostAddress {
  /** Dotted IPv4 ("127.0.0.1") or IPv6 text; IPv6 sets the *_V6 sys flag bits when encoded. */
  address: string;
  port: number;
}

/** What the broker hands to the store; the store assigns queueOffset, commitLogOffset and storeTimestamp. */
export interface MessageToStore {
  topic: string;
  queueId: number;
  flag: number;
  /** MessageSysFlag bits (compressed, multi tags, transaction type, host v6 bits are set by the store from addresses). */
  sysFlag: number;
  body: Buffer;
  /** Encoded properties string: `name\u0001value\u0002...` (see protocol/message-properties.ts). */
  propertiesString: string;
  bornTimestamp: number;
  bornHost: HostAddress;
  storeHost: HostAddress;
  reconsumeTimes: number;
  preparedTransactionOffset: number;
}

export interface AppendResult {
  commitLogOffset: number;
  wroteBytes: number;
  /** For a batch: the first queue offset; the others follow consecutively. */
  queueOffset: number;
  /** offsetMsgId(s): upper-case hex of store host + commit-log offset; comma-joined for a batch. */
  msgId: string;
  storeTimestamp: number;
  messageCount: number;
}

export interface PutMessageResult {
  status: PutMessageStatus;
  appendResult?: AppendResult;
  /** Human-readable reason for a non-OK status (goes to the response remark). */
  remark?: string;
}

/** Filter applied on consume-queue entries before reading the commit log (tag hash codes). */
export type TagsCodeFilter = (tagsCode: number) => boolean;

/**
 * Filter applied on the stored record itself, after the tags-code filter (RocketMQ's isMatchedByCommitLog:
 * SQL92 selectors read the record's properties). Records it refuses are skipped like tag mismatches.
 */
export type RecordFilter = (record: Buffer) => boolean;

export interface GetMessageResult {
  status: GetMessageStatus;
  /** Where the next pull should start. */
  nextBeginOffset: number;
  minOffset: number;
  maxOffset: number;
  /** Raw stored records exactly as on disk (sliced, not re-encoded), in queue order. */
  messages: Buffer[];
  /** The queue offset of each record in `messages`. */
  queueOffsets: number[];
  /** Sum of the byte lengths of `messages`. */
  bufferTotalSize: number;
}

export interface QueryMessageResult {
  /** Raw stored records, newest first. */
  messages: Buffer[];
  indexLastUpdateTimestamp: number;
  indexLastUpdatePhyoffset: number;
}

export interface StoreRuntimeInfo {
  commitLogMinOffset: number;
  commitLogMaxOffset: number;
  /** Bytes appended but not yet dispatched to consume queues. */
  dispatchBehindBytes: number;
  /** Bytes written but not yet fsynced. */
  unflushedBytes: number;
  commitLogDiskRatio: number;
  /** Bytes used on the file system holding the store (when the store can tell). */
  diskUsedBytes?: number;
  consumeQueueDiskRatio: number;
  putMessageTimesTotal: number;
  putMessageSizeTotal: number;
  putMessageFailedTimes: number;
  putMessageEntireTimeMaxMs: number;
  bootTimestamp: number;
  earliestMessageTimestamp: number;
  storePathRootDir: string;
}

/** Called by the dispatcher after consume-queue entries were built for (topic, queueId). */
export type MessageArrivingListener = (topic: string, queueId: number, maxQueueOffset: number, tagsCode: number) => void;

export interface MessageStore {
  /** Recover from disk (normal or abnormal) and start flush/dispatch/retention services. */
  start(): Promise<void>;
  /** Flush everything, write the checkpoint, remove the abort marker, close files. */
  shutdown(): Promise<void>;

  putMessage(message: MessageToStore): Promise<PutMessageResult>;
  /** All messages share topic and queueId; they get consecutive queue offsets; one append. */
  putMessages(messages: MessageToStore[]): Promise<PutMessageResult>;

  getMessage(
    group: string,
    topic: string,
    queueId: number,
    queueOffset: number,
    maxMsgNums: number,
    filter?: TagsCodeFilter,
    maxTotalBytes?: number,
    recordFilter?: RecordFilter,
  ): GetMessageResult;

  /** Next queue offset to be written (0 for an empty or unknown queue). */
  getMaxOffsetInQueue(topic: string, queueId: number): number;
  /** First retained queue offset. */
  getMinOffsetInQueue(topic: string, queueId: number): number;
  /** Queue offset of the first message stored at or after `timestamp` (boundary 'lower'), or the last one at or before it ('upper'). */
  getOffsetInQueueByTime(topic: string, queueId: number, timestamp: number, boundary?: 'lower' | 'upper'): number;
  getEarliestMessageTime(topic: string, queueId: number): number;
  /** Store timestamp of the message at queueOffset, or 0 when absent. */
  getMessageStoreTimeStamp(topic: string, queueId: number, queueOffset: number): number;

  /** One raw record at a commit-log offset (VIEW_MESSAGE_BY_ID), or null when absent or removed. */
  lookMessageByOffset(commitLogOffset: number): Buffer | null;
  /** Index lookup by `topic#key` (KEYS tokens and UNIQ_KEY), newest first, at most maxNum, within [begin, end] store time. */
  queryMessage(topic: string, key: string, maxNum: number, beginTimestamp: number, endTimestamp: number): QueryMessageResult;

  getMinPhyOffset(): number;
  getMaxPhyOffset(): number;

  /** Remove consume queues (and their files) of these topics. */
  deleteTopics(topics: Iterable<string>): void;
  /** Topics that have consume queues on disk, with their queue ids (lets the broker recover topic configs). */
  listConsumeQueues(): Map<string, number[]>;

  setMessageArrivingListener(listener: MessageArrivingListener): void;
  /** Told the duration of each commit-log flush, ms (stores that flush to disk). */
  setFlushListener?(listener: (durationMs: number) => void): void;
  runtimeInfo(): StoreRuntimeInfo;
}
