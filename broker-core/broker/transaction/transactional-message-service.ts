/**
 * Transactional messages, as RocketMQ 4.x stores them:
 *  - a half (prepared) message is stored in RMQ_SYS_TRANS_HALF_TOPIC queue 0, its real topic and queue kept
 *    in REAL_TOPIC / REAL_QID, so no consumer sees it;
 *  - END_TRANSACTION commit re-puts it to its real topic (sysFlag COMMIT, TRAN_MSG cleared); commit and
 *    rollback both write an "op" message (tag "d", body = the half message's queue offset) to
 *    RMQ_SYS_TRANS_OP_HALF_TOPIC, which marks it done;
 *  - a check pass every transactionCheckInterval walks the half queue from its committed offset: a half
 *    message with no op, older than transactionTimeOut (or its CHECK_IMMUNITY_TIME_IN_SECONDS), is appended
 *    again with TRANSACTION_CHECK_TIMES + 1 and CHECK_TRANSACTION_STATE is sent to a producer of its group
 *    (PGROUP); after transactionCheckMax checks it goes to TRANS_CHECK_MAX_TIME_TOPIC instead.
 * Progress lives in the consumer offsets of group CID_SYS_RMQ_TRANS (half and op queues), so a restart
 * resumes where it was; everything else is read back from the store.
 */
import { createRequest } from '../../protocol/remoting-command';
import { RequestCode } from '../../protocol/request-code';
import type { MessageStore, MessageToStore, PutMessageResult } from '../../store/message-store';
import type { Logger } from '../../util/logger';
import type { ProducerManager } from '../groups/consumer-manager';
import { readStoredRecord, type StoredRecord } from '../message/message-util';
import { checkedHalfProperties, OP_MESSAGE_PROPERTIES, rewrittenProperties } from '../message/reput-properties';
import type { ConsumerOffsetManager } from '../offsets/consumer-offset-manager';
import { TopicValidator } from '../topics/topic-config-manager';

export const TRANSACTION_TYPE_MASK = 0xc;
export const TRANSACTION_NOT_TYPE = 0x0;
export const TRANSACTION_PREPARED_TYPE = 0x4;
export const TRANSACTION_COMMIT_TYPE = 0x8;
export const TRANSACTION_ROLLBACK_TYPE = 0xc;

const HALF = TopicValidator.RMQ_SYS_TRANS_HALF_TOPIC;
const OP = TopicValidator.RMQ_SYS_TRANS_OP_HALF_TOPIC;
const CHECK_MAX = TopicValidator.RMQ_SYS_TRANS_CHECK_MAX_TIME_TOPIC;
export const TRANS_CHECK_GROUP = 'CID_SYS_RMQ_TRANS';
/** Messages read from the half or op queue per pass (a pass continues where it stopped next time). */
const SCAN_BATCH = 256;
const SCAN_MAX_PER_PASS = 4_096;
const ENDED_IDS_MAX = 100_000;

export interface TransactionConfig {
  /** A half message is first checked this long after it was stored (ms; RocketMQ transactionTimeOut 6 s). */
  transactionTimeOutMs: number;
  /** Checks before a half message is given up (RocketMQ transactionCheckMax 15). */
  transactionCheckMax: number;
  /** How often the check pass runs (ms; RocketMQ transactionCheckInterval 60 s). */
  transactionCheckIntervalMs: number;
}

export type EndResult = { ok: true; committed?: PutMessageResult } | { ok: false; reason: string };

export class TransactionalMessageService {
  #timer: NodeJS.Timeout | undefined;
  #running = false;

  constructor(
    private readonly store: MessageStore,
    private readonly offsets: ConsumerOffsetManager,
    private readonly producers: ProducerManager,
    private readonly config: TransactionConfig,
    private readonly logger: Logger,
    private readonly brokerHost: string,
  ) {}

  start(): void {
    this.#timer = setInterval(() => void this.check(), this.config.transactionCheckIntervalMs);
    this.#timer.unref();
  }

  shutdown(): void {
    if (this.#timer) clearInterval(this.#timer);
  }

  /**
   * Turns a prepared message into a half message (in place): hidden in the half topic, real target kept in
   * `propertiesString` (made by halfMessageProperties).
   */
  toHalf(message: MessageToStore, propertiesString: string): void {
    message.propertiesString = propertiesString;
    message.sysFlag = (message.sysFlag & ~TRANSACTION_TYPE_MASK) | TRANSACTION_NOT_TYPE;
    message.topic = HALF;
    message.queueId = 0;
  }

  /**
   * END_TRANSACTION: commit (re-put to the real topic) or rollback; both mark the half message done.
   * The half message must be at commitLogOffset, in the half topic, of this producer group.
   */
  async end(producerGroup: string, commitLogOffset: number, tranStateTableOffset: number, type: number): Promise<EndResult> {
    if (type !== TRANSACTION_COMMIT_TYPE && type !== TRANSACTION_ROLLBACK_TYPE) return { ok: true };
    const raw = this.store.lookMessageByOffset(commitLogOffset);
    if (!raw) return { ok: false, reason: `no half message at commit log offset ${commitLogOffset}` };
    let half: StoredRecord;
    try {
      half = readStoredRecord(raw);
    } catch {
      return { ok: false, reason: `the record at commit log offset ${commitLogOffset} is damaged` };
    }
    if (half.topic !== HALF) return { ok: false, reason: `the message at commit log offset ${commitLogOffset} is not a half message` };
    if (half.properties.PGROUP !== producerGroup) return { ok: false, reason: `the half message belongs to producer group ${half.properties.PGROUP}, not ${producerGroup}` };
    if (half.queueOffset !== tranStateTableOffset) return { ok: false, reason: `tranStateTableOffset ${tranStateTableOffset} does not match the half message (${half.queueOffset})` };
    if (this.#isDone(half.queueOffset)) return { ok: true }; // answered twice for the same copy
    // The same transaction answered through another copy (the first answer raced a check): only mark this copy.
    const id = half.properties.UNIQ_KEY;
    if (id && this.#endedIds.has(id)) {
      await this.#markDone(half);
      return { ok: true };
    }
    let committed: PutMessageResult | undefined;
    if (type === TRANSACTION_COMMIT_TYPE) {
      committed = await this.store.putMessage(this.#committed(half));
      if (committed.status !== 'PUT_OK' && committed.status !== 'FLUSH_DISK_TIMEOUT') return { ok: false, reason: `storing the committed message failed: ${committed.status}` };
    }
    await this.#markDone(half);
    if (id) this.#rememberEnded(id);
    return committed ? { ok: true, committed } : { ok: true };
  }

  /** The committed message: the half message's properties written again, all kept (TRAN_MSG, REAL_TOPIC, WAIT ...) as RocketMQ keeps them. */
  #committed(half: StoredRecord): MessageToStore {
    const topic = half.properties.REAL_TOPIC ?? '';
    const queueId = Number(half.properties.REAL_QID ?? 0);
    return {
      topic, queueId, flag: half.flag, sysFlag: (half.sysFlag & ~TRANSACTION_TYPE_MASK) | TRANSACTION_COMMIT_TYPE, body: half.body,
      propertiesString: rewrittenProperties(half.propertiesString), bornTimestamp: half.bornTimestamp, bornHost: half.bornHost, storeHost: half.storeHost,
      reconsumeTimes: half.reconsumeTimes, preparedTransactionOffset: half.commitLogOffset,
    };
  }

  async #markDone(half: StoredRecord): Promise<void> {
    const result = await this.store.putMessage({
      topic: OP, queueId: 0, flag: 0, sysFlag: 0, body: Buffer.from(String(half.queueOffset)),
      propertiesString: OP_MESSAGE_PROPERTIES, bornTimestamp: Date.now(),
      bornHost: half.storeHost, storeHost: half.storeHost, reconsumeTimes: 0, preparedTransactionOffset: 0,
    });
    if (result.status !== 'PUT_OK' && result.status !== 'FLUSH_DISK_TIMEOUT') this.logger.warn('transaction op message not stored', { status: result.status });
    this.#done.add(half.queueOffset);
  }

  /** Transactions (UNIQ_KEY) ended in this process, newest last, bounded. */
  readonly #endedIds = new Set<string>();

  #rememberEnded(id: string): void {
    this.#endedIds.add(id);
    if (this.#endedIds.size > ENDED_IDS_MAX) this.#endedIds.delete(this.#endedIds.values().next().value as string);
  }

  /** Half queue offsets with an op message, read from the op queue (from its committed offset) on demand. */
  readonly #done = new Set<number>();
  #opRead = -1;

  #isDone(halfOffset: number): boolean {
    this.#loadOps();
    return this.#done.has(halfOffset);
  }

  #loadOps(): void {
    if (this.#opRead < 0) this.#opRead = Math.max(0, this.offsets.queryOffset(TRANS_CHECK_GROUP, OP, 0));
    const max = this.store.getMaxOffsetInQueue(OP, 0);
    while (this.#opRead < max) {
      const result = this.store.getMessage(TRANS_CHECK_GROUP, OP, 0, this.#opRead, SCAN_BATCH);
      if (result.status !== 'FOUND' || result.messages.length === 0) {
        if (result.nextBeginOffset > this.#opRead) this.#opRead = result.nextBeginOffset;
        break;
      }
      for (const buf of result.messages) {
        const op = readStoredRecord(buf);
        const ref = Number(op.body.toString());
        if (Number.isInteger(ref)) this.#done.add(ref);
      }
      this.#opRead = result.nextBeginOffset;
    }
  }

  /** One check pass (exported for tests and for the timer). */
  async check(now = Date.now()): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      this.#loadOps();
      let offset = Math.max(0, this.offsets.queryOffset(TRANS_CHECK_GROUP, HALF, 0));
      const max = this.store.getMaxOffsetInQueue(HALF, 0);
      let scanned = 0;
      scan: while (offset < max && scanned < SCAN_MAX_PER_PASS) {
        const result = this.store.getMessage(TRANS_CHECK_GROUP, HALF, 0, offset, SCAN_BATCH);
        if (result.status !== 'FOUND' || result.messages.length === 0) {
          if (result.nextBeginOffset > offset) offset = result.nextBeginOffset;
          break;
        }
        for (const buf of result.messages) {
          const half = readStoredRecord(buf);
          scanned++;
          const id = half.properties.UNIQ_KEY;
          if (!this.#done.has(half.queueOffset) && id && this.#endedIds.has(id)) {
            await this.#markDone(half); // an older copy of this transaction was answered already
          } else if (!this.#done.has(half.queueOffset)) {
            const immunityS = Number(half.properties.CHECK_IMMUNITY_TIME_IN_SECONDS);
            const waitMs = Number.isFinite(immunityS) && immunityS > 0 ? immunityS * 1000 : this.config.transactionTimeOutMs;
            // Younger ones (stored later) wait too: stop here and resume from this offset next pass.
            if (now - half.storeTimestamp < waitMs) break scan;
            await this.#checkOrDiscard(half);
          }
          offset = half.queueOffset + 1;
        }
      }
      this.offsets.commitOffset(this.brokerHost, TRANS_CHECK_GROUP, HALF, 0, offset);
      this.#compactOps(offset);
    } catch (err) {
      this.logger.warn('transaction check pass failed', { error: err instanceof Error ? err.message : String(err) });
    } finally {
      this.#running = false;
    }
  }

  /** Ops for half offsets below the committed half offset are no longer needed in memory. */
  #compactOps(halfOffset: number): void {
    for (const ref of this.#done) if (ref < halfOffset) this.#done.delete(ref);
    this.offsets.commitOffset(this.brokerHost, TRANS_CHECK_GROUP, OP, 0, this.#opRead);
  }

  async #checkOrDiscard(half: StoredRecord): Promise<void> {
    const times = Number(half.properties.TRANSACTION_CHECK_TIMES ?? 0);
    if (times >= this.config.transactionCheckMax) {
      this.logger.info('half message checked too often; discarded', { msgId: half.properties.UNIQ_KEY, times });
      await this.store.putMessage({ ...this.#copy(half, rewrittenProperties(half.propertiesString)), topic: CHECK_MAX, queueId: 0 });
      return;
    }
    // The copy appended at the end is the one the next pass looks at; this one is passed over.
    const again = await this.store.putMessage(this.#copy(half, checkedHalfProperties(half.propertiesString, times + 1)));
    if ((again.status !== 'PUT_OK' && again.status !== 'FLUSH_DISK_TIMEOUT') || !again.appendResult) {
      this.logger.warn('half message could not be re-put for checking', { status: again.status });
      return;
    }
    const group = half.properties.PGROUP ?? '';
    const channels = [...(this.producers.groups.get(group)?.values() ?? [])];
    if (channels.length === 0) {
      this.logger.debug('no producer of the group online to check a transaction', { group });
      return;
    }
    const channel = channels[Math.floor(Math.random() * channels.length)]!;
    const stored = this.store.lookMessageByOffset(again.appendResult.commitLogOffset);
    if (!stored) return;
    const uniqKey = half.properties.UNIQ_KEY ?? '';
    const request = createRequest(RequestCode.CHECK_TRANSACTION_STATE, {
      tranStateTableOffset: again.appendResult.queueOffset,
      commitLogOffset: again.appendResult.commitLogOffset,
      msgId: uniqKey,
      transactionId: uniqKey,
      offsetMsgId: again.appendResult.msgId,
    }, stored);
    try {
      channel.connection.invokeOneway(request);
    } catch (err) {
      this.logger.warn('transaction check request failed', { group, error: err instanceof Error ? err.message : String(err) });
    }
  }

  #copy(half: StoredRecord, propertiesString: string): MessageToStore {
    return {
      topic: HALF, queueId: 0, flag: half.flag, sysFlag: half.sysFlag, body: half.body, propertiesString,
      bornTimestamp: half.bornTimestamp, bornHost: half.bornHost, storeHost: half.storeHost, reconsumeTimes: half.reconsumeTimes, preparedTransactionOffset: 0,
    };
  }
}
